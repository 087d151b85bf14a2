"""Evidence bundles: one zip an auditor can keep, holding a run's reports, the profile and
exceptions in force, the inventory (secrets stripped), ansible-runner's artifacts (redacted copies)
and, for an apply, its test run and evaluation; with a SHA-256 manifest `verify` checks."""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from pathlib import Path

from harden.errors import HardenError
from harden.ledger import Ledger
from harden.redact import redact_text
from harden.reports import FORMATS, SUFFIX, load_report_data, render

MANIFEST = "MANIFEST.sha256"
MAX_ARTIFACT_BYTES = 50 * 1024 * 1024  # a single artifact file larger than this is left out, and said so


def build_bundle(ledger: Ledger, run_id: str, out: Path) -> list[str]:
    """Write the bundle; returns the names of the files in it."""
    run = ledger.run(run_id)
    files: dict[str, bytes] = {}
    _reports(ledger, run.id, "reports", FORMATS, files)
    files["profile.json"] = json.dumps(run.profile, indent=2, default=str).encode()
    files["inventory.json"] = json.dumps(run.inventory_snapshot, indent=2, default=str).encode()
    skipped = _artifacts(run.artifacts, files)
    linked = [r for r in [ledger.run(run.gate_run_id) if run.gate_run_id else None, *ledger.children(run.id)] if r]
    for other in linked:
        _reports(ledger, other.id, f"linked/{other.kind}-{other.id}", ("json", "md", "html"), files)
    files["bundle.json"] = json.dumps({
        "run": run.id, "kind": run.kind, "created_at": time.time(), "linked_runs": [r.id for r in linked],
        "artifacts_left_out": skipped,
        "note": "artifacts are copies with password hashes, private keys and vault data masked"}, indent=2).encode()
    manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items()))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
        zf.writestr(MANIFEST, manifest)
    return [*sorted(files), MANIFEST]


def _reports(ledger: Ledger, run_id: str, folder: str, formats, files: dict) -> None:
    data = load_report_data(ledger, run_id)
    for fmt in formats:
        files[f"{folder}/report.{SUFFIX[fmt]}"] = render(data, fmt).encode()


def _artifacts(dirs: list[str], files: dict) -> list[str]:
    skipped = []
    for directory in map(Path, dirs):
        if not directory.is_dir():
            skipped.append(f"{directory} (no longer on disk)")
            continue
        for path in sorted(p for p in directory.rglob("*") if p.is_file()):
            name = f"artifacts/{directory.name}/{path.relative_to(directory)}"
            if path.stat().st_size > MAX_ARTIFACT_BYTES:
                skipped.append(f"{name} (larger than {MAX_ARTIFACT_BYTES} bytes)")
                continue
            raw = path.read_bytes()
            try:
                files[name] = redact_text(raw.decode("utf-8")).encode()
            except UnicodeDecodeError:
                files[name] = raw
    return skipped


def verify_bundle(path: Path) -> list[str]:
    """Problems found: files changed, missing from the manifest, or listed but absent. Empty is good."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise HardenError(f"{path} is not an evidence bundle: {exc}") from None
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names:
            return [f"{MANIFEST} is missing"]
        listed = {}
        for line in zf.read(MANIFEST).decode().splitlines():
            digest, _, name = line.partition("  ")
            listed[name] = digest
        problems = [f"{name}: listed in the manifest but not in the bundle" for name in sorted(set(listed) - names)]
        extra = sorted(names - set(listed) - {MANIFEST})
        problems += [f"{name}: in the bundle but not in the manifest" for name in extra]
        for name in sorted(set(listed) & names):
            if hashlib.sha256(zf.read(name)).hexdigest() != listed[name]:
                problems.append(f"{name}: its SHA-256 does not match the manifest (changed after the bundle was made)")
        return problems


def drift(ledger: Ledger, first: str, second: str) -> list[tuple[str, str, str, str]]:
    """(host, control, status in first, status in second) for every difference between two runs."""
    a, b = ledger.run(first), ledger.run(second)
    before = {(r["host"], r["control"]): r["status"] for r in ledger.outcomes(a.id)}
    after = {(r["host"], r["control"]): r["status"] for r in ledger.outcomes(b.id)}
    for host in ledger.unreachable(a.id):
        before.setdefault((host, "(host)"), "unreachable")
    for host in ledger.unreachable(b.id):
        after.setdefault((host, "(host)"), "unreachable")
    keys = sorted(set(before) | set(after))
    return [(h, c, before.get((h, c), "-"), after.get((h, c), "-")) for h, c in keys
            if before.get((h, c)) != after.get((h, c))]
