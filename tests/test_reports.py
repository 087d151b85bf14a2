"""Reports and evidence bundles from a ledger: content matches the ledger, formats parse, the
bundle verifies and detects tampering, and no planted secret reaches any output."""

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile

import pytest
from trestle.oscal.assessment_results import AssessmentResults

from harden.evidence import build_bundle, drift, verify_bundle
from harden.ledger import Ledger
from harden.reports import FORMATS, load_report_data, render
from harden.results import Outcome, Status

HASH = "$y$j9T$Fh3x0e1b2c3d4e5f6g7h8$kQ9bHx1mWZt0aPq7cV3nLrYe2sD5fG8hJ6kU4oI1"
KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----"
VAULT = "$ANSIBLE_VAULT;1.1;AES256\n6162636465666768696a6b6c6d6e6f70"
PLANTED = [HASH, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmU", "6162636465666768696a6b6c6d6e6f70", "Sup3r-Secret-Pw"]


@pytest.fixture
def ledger(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    profile = {"name": "site", "digest": "d" * 64, "exceptions": [{
        "control": "svc-ftp-absent", "scope": ["web-02"], "justification": "scanner uploads", "owner": "it",
        "compensating_controls": ["vlan"], "approver": "ciso", "ticket": "CHG-1", "expires": "2099-01-01"}]}
    inventory = {"hostvars": {"web-01": {"ansible_become_password": "Sup3r-Secret-Pw", "tls_key": KEY,
                                         "db_password": {"__ansible_vault": VAULT}, "note": f"old hash {HASH}"}}}
    ledger.start_run(run_id="r1", kind="check", operator="alice", toolkit_version="0.1.0+abc", profile_name="site",
                     profile_digest="d" * 64, inventory="inv.yml", environment="test",
                     hosts=["web-01", "web-02", "web-03"], profile=profile, inventory_snapshot=inventory)
    ledger.record_results("r1", [
        Outcome("web-01", "svc-telnet-absent", Status.WOULD_CHANGE, ["packages will be REMOVED:", "  telnetd*"]),
        Outcome("web-01", "acct-weak-passwords-locked", Status.WOULD_CHANGE, [f"admin: lock_password {HASH}"]),
        Outcome("web-01", "svc-ftp-absent", Status.COMPLIANT, []),
        Outcome("web-02", "svc-ftp-absent", Status.EXCEPTED, ["excepted: scanner uploads"]),
        Outcome("web-02", "svc-telnet-absent", Status.FAILED, [f"boom {KEY}"]),
        Outcome("web-02", "acct-dormant-accounts", Status.HELD_BACK, ["held back: ops: never logged in"]),
    ], {"web-03": "ssh: connect to host 127.0.0.1 port 9: Connection refused"}, None)
    ledger.finish_run("r1", "completed", 2)
    return ledger


def outputs(ledger):
    data = load_report_data(ledger, "r1")
    return {fmt: render(data, fmt) for fmt in FORMATS}


def test_json_csv_and_markdown_match_the_ledger(ledger):
    out = outputs(ledger)
    report = json.loads(out["json"])
    assert report["summary"]["totals"] == {"would change": 2, "compliant": 1, "excepted": 1, "failed": 1,
                                           "held back": 1}
    assert report["unreachable"] == {"web-03": "ssh: connect to host 127.0.0.1 port 9: Connection refused"}
    telnet = next(o for o in report["outcomes"] if o["host"] == "web-01" and o["control"] == "svc-telnet-absent")
    assert telnet["hipaa"] == ["164.308(a)(1)(ii)(B)", "164.312(e)(1)"] and "SC-8" in telnet["nist"]
    rows = list(csv.DictReader(io.StringIO(out["csv"])))
    assert len(rows) == 7 and {r["status"] for r in rows} >= {"would change", "excepted", "unreachable"}
    assert "| `svc-ftp-absent` | web-02 | scanner uploads |" in out["md"]
    assert "| web-03 | - | - | - | - | unreachable" in out["md"]


def test_junit_has_a_case_per_host_and_control(ledger):
    suites = ET.fromstring(outputs(ledger)["junit"].split("\n", 1)[1])
    by_name = {s.get("name"): s for s in suites}
    assert by_name["web-01"].get("tests") == "3" and by_name["web-01"].get("failures") == "2"
    assert (by_name["web-02"].get("errors"), by_name["web-02"].get("skipped"), by_name["web-02"].get("failures")) \
        == ("1", "1", "1")
    assert by_name["web-03"].find("testcase/error").get("type") == "unreachable"


def test_oscal_validates_against_trestle_models(ledger, tmp_path):
    path = tmp_path / "ar.json"
    path.write_text(outputs(ledger)["oscal"])
    results = AssessmentResults.oscal_read(path)
    result = results.results[0]
    assert len(result.observations) == 6
    states = {f.target.target_id: f.target.status.state.value for f in result.findings}
    assert states == {"svc-telnet-absent": "not-satisfied", "acct-weak-passwords-locked": "not-satisfied",
                      "svc-ftp-absent": "satisfied", "acct-dormant-accounts": "not-satisfied"}


def test_html_is_self_contained_and_counts_right(ledger):
    html = outputs(ledger)["html"]
    assert html.count('<tr class="outcome"') == 6 and 'id="count-failed">1<' in html
    assert "http://" not in html and "https://" not in html and "<link" not in html  # nothing fetched


def test_no_planted_secret_reaches_any_output_or_the_bundle(ledger, tmp_path):
    texts = list(outputs(ledger).values())
    bundle = tmp_path / "evidence.zip"
    build_bundle(ledger, "r1", bundle)
    with zipfile.ZipFile(bundle) as zf:
        texts += [zf.read(n).decode(errors="replace") for n in zf.namelist()]
    texts.append(json.dumps(ledger.run("r1").inventory_snapshot))
    for secret in PLANTED:
        assert not [t for t in texts if secret in t], f"{secret[:12]} leaked"


def test_bundle_verifies_and_any_tampering_is_found(ledger, tmp_path):
    bundle = tmp_path / "evidence.zip"
    names = build_bundle(ledger, "r1", bundle)
    assert {"reports/report.html", "reports/report.oscal.json", "profile.json", "inventory.json"} <= set(names)
    assert verify_bundle(bundle) == []
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b"would change", b"compliant") if name == "reports/report.md" else data)
        dst.writestr("extra.txt", "slipped in")
    assert verify_bundle(tampered) == ["extra.txt: in the bundle but not in the manifest",
                                       "reports/report.md: its SHA-256 does not match the manifest "
                                       "(changed after the bundle was made)"]


def test_drift_lists_what_changed_between_runs(ledger):
    ledger.start_run(run_id="r2", kind="check", operator="a", toolkit_version="v", profile_name="site",
                     profile_digest="d", inventory="inv.yml", environment="test", hosts=["web-01"])
    ledger.record_results("r2", [Outcome("web-01", "svc-telnet-absent", Status.COMPLIANT),
                                 Outcome("web-01", "svc-ftp-absent", Status.COMPLIANT)], {}, None)
    changes = drift(ledger, "r1", "r2")
    assert ("web-01", "svc-telnet-absent", "would change", "compliant") in changes
    assert ("web-01", "svc-ftp-absent", "compliant", "compliant") not in changes
    assert ("web-03", "(host)", "unreachable", "-") in changes
