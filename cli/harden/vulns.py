"""Vulnerability alerts: the Debian security tracker and CISA's Known Exploited Vulnerabilities
catalog, read from files (no network at run time), matched against the inventoried packages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from harden.debversion import compare
from harden.errors import HardenError


@dataclass(frozen=True)
class Affected:
    host: str
    cve: str
    source: str  # Debian source package
    installed: str
    fixed: str | None  # None: no fix in this release yet
    urgency: str
    kev: dict | None  # the KEV entry when the CVE is known to be exploited


def load_json(path: Path, what: str):
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise HardenError(f"{what} file {path} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HardenError(f"{what} file {path} is not JSON: {exc}") from None


def load_kev(path: Path) -> dict[str, dict]:
    data = load_json(path, "CISA KEV catalog")
    entries = data.get("vulnerabilities") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise HardenError(f"{path}: a KEV catalog has a 'vulnerabilities' list (CISA's JSON feed)")
    return {e["cveID"]: e for e in entries if isinstance(e, dict) and "cveID" in e}


def load_tracker(path: Path) -> dict:
    data = load_json(path, "Debian security tracker")
    if not isinstance(data, dict):
        raise HardenError(f"{path}: the Debian tracker's JSON maps source packages to CVEs")
    return data


def affected(assets: dict, tracker: dict, kev: dict) -> list[Affected]:
    """Every (host, CVE) where the installed source version is below the fix for the host's release,
    or the release has no fix yet."""
    found = []
    for host, facts in sorted(assets.items()):
        release = facts.get("codename", "")
        sources = {}
        for p in facts.get("packages", []):
            sources.setdefault(p["source"], p["source_version"])
        for source, installed in sorted(sources.items()):
            for cve, info in (tracker.get(source) or {}).items():
                entry = ((info or {}).get("releases") or {}).get(release)
                if not entry:
                    continue
                status, fixed = entry.get("status"), entry.get("fixed_version")
                if status == "open" or (status == "resolved" and fixed and fixed != "0"
                                         and compare(installed, fixed) < 0):
                    found.append(Affected(host, cve, source, installed, fixed if status == "resolved" else None,
                                          entry.get("urgency", ""), kev.get(cve)))
    return sorted(found, key=lambda a: (a.host, a.kev is None, a.cve))
