"""Evidence from a real lab run: every report format against the ledger, the HTML in a real headless
browser, an apply's evidence bundle with its linked runs, drift, the asset inventory, and secrets
planted in the inventory and on the host kept out of every output."""

import json
import re
import subprocess
import tempfile
import zipfile

import pytest
from labtools import BIN, harden, on_host

pytestmark = pytest.mark.lab

BECOME_PW = "Become-Pw-Planted-4471"
PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nUGxhbnRlZC1wcml2YXRlLWtleS00NDcx\n-----END OPENSSH PRIVATE KEY-----"
VAULT = "$ANSIBLE_VAULT;1.1;AES256\n3964653436383937343336343930306532363831643934"
HASH_RE = re.compile(r"\$(y|6|5|1)\$[./A-Za-z0-9]{8,}")


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "harden"), *args], capture_output=True, text=True)


@pytest.fixture(scope="module")
def evidence(fresh_lab, tmp_path_factory):
    (host,), lab_inventory = fresh_lab("bookworm", purpose="evi")
    work = tmp_path_factory.mktemp("evidence")
    secrets = (f"    ansible_become_password: {BECOME_PW}\n"
               "    tls_key: |\n" + "".join(f"      {line}\n" for line in PRIVATE_KEY.splitlines())
               + "    db_password: !vault |\n" + "".join(f"      {line}\n" for line in VAULT.splitlines()))
    path = work / "hosts.yml"
    path.write_text(lab_inventory.read_text().replace("  vars:\n", "  vars:\n" + secrets, 1))
    code, check = harden("check", "-i", str(path))
    code, apply = harden("apply", "-i", str(path), "--yes")
    inventory_run = cli("inventory", "-i", str(path), "--csv", str(work / "assets.csv"), "--json",
                        str(work / "assets.json"))
    return {"host": host, "work": work, "check": check, "apply": apply, "inventory_run": inventory_run,
            "inventory_path": path}


def test_every_format_matches_the_ledger(evidence):
    run_id = evidence["check"]["run_id"]
    outcomes = evidence["check"]["hosts"][evidence["host"].name]["controls"]
    would = sorted(c for c, o in outcomes.items() if o["status"] == "would change")
    not_compliant = sorted(c for c, o in outcomes.items() if o["status"] in ("would change", "held back"))
    report = json.loads(cli("report", run_id, "--format", "json").stdout)
    assert sorted(o["control"] for o in report["outcomes"] if o["status"] == "would change") == would
    csv_rows = cli("report", run_id, "--format", "csv").stdout.splitlines()
    assert len(csv_rows) == 1 + len(outcomes)
    md = cli("report", run_id, "--format", "md").stdout
    assert all(f"`{c}`" in md for c in would)
    junit = cli("report", run_id, "--format", "junit").stdout
    assert f'failures="{len(not_compliant)}"' in junit and f'tests="{len(outcomes)}"' in junit
    oscal = json.loads(cli("report", run_id, "--format", "oscal").stdout)["assessment-results"]
    assert len(oscal["results"][0]["observations"]) == len(outcomes)
    assert {f["target"]["target-id"] for f in oscal["results"][0]["findings"]
            if f["target"]["status"]["state"] == "not-satisfied"} == set(not_compliant)


def test_html_opens_in_a_headless_browser_with_the_right_counts_and_no_errors(evidence):
    run_id = evidence["check"]["run_id"]
    html = evidence["work"] / "report.html"
    assert cli("report", run_id, "--format", "html", "--out", str(html)).returncode == 0
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom", f"file://{html}"],
            capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    outcomes = evidence["check"]["hosts"][evidence["host"].name]["controls"]
    assert 'data-ready="1"' in dom and f'data-outcomes="{len(outcomes)}"' in dom
    would = sum(1 for o in outcomes.values() if o["status"] == "would change")
    assert f'id="count-would-change">{would}<' in dom
    console_errors = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console_errors == []


def test_the_apply_bundle_holds_its_evaluation_and_verifies(evidence):
    run_id = evidence["apply"]["run_id"]
    bundle = evidence["work"] / "evidence.zip"
    assert cli("evidence", run_id, "--out", str(bundle)).returncode == 0
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        evaluation = evidence["apply"]["evaluation"]["run_id"]
        assert f"linked/evaluate-{evaluation}/report.json" in names
        assert any(n.startswith("artifacts/") and n.endswith("/stdout") for n in names)
    verified = cli("evidence", "verify", str(bundle))
    assert verified.returncode == 0 and "every file matches" in verified.stdout


def test_drift_between_the_check_and_the_evaluation(evidence):
    changes = cli("diff", evidence["check"]["run_id"], evidence["apply"]["evaluation"]["run_id"]).stdout
    assert "svc-telnet-absent" in changes and "would change" in changes and "compliant" in changes


def test_the_asset_inventory_matches_the_host(evidence):
    assert evidence["inventory_run"].returncode == 0, evidence["inventory_run"].stderr
    name = evidence["host"].name
    facts = json.loads((evidence["work"] / "assets.json").read_text())["hosts"][name]
    installed = on_host(name, "dpkg-query -W -f='${db:Status-Abbrev}\\n' | grep -c '^ii'").strip()
    assert len(facts["packages"]) == int(installed)
    assert facts["codename"] == "bookworm" and {"tcp"} <= {p["proto"] for p in facts["listening"]}
    assert any(a["name"] == "labops" for a in facts["accounts"])
    csv_row = (evidence["work"] / "assets.csv").read_text().splitlines()[1]
    assert csv_row.startswith(f"{name},Debian GNU/Linux 12 (bookworm),12,")
    history = cli("inventory", "--history", "--host", name).stdout
    assert name in history


def test_no_secret_reaches_a_report_the_bundle_the_ledger_or_the_inventory_export(evidence):
    outputs = []
    for run in (evidence["check"], evidence["apply"]):
        for fmt in ("html", "md", "json", "csv", "junit", "oscal"):
            outputs.append(cli("report", run["run_id"], "--format", fmt).stdout)
        outputs.append(cli("show", run["run_id"], "--full").stdout)
    with zipfile.ZipFile(evidence["work"] / "evidence.zip") as zf:
        outputs += [zf.read(n).decode(errors="replace") for n in zf.namelist()]
    outputs += [(evidence["work"] / f).read_text() for f in ("assets.json", "assets.csv")]
    for text in outputs:
        assert BECOME_PW not in text and "UGxhbnRlZC1wcml2YXRlLWtleS00NDcx" not in text
        assert "3964653436383937343336343930306532363831643934" not in text
        assert not HASH_RE.search(text), HASH_RE.search(text).group(0)
