"""Vulnerability matching: Debian version order (checked against dpkg itself) and tracker/KEV files."""

import json
import subprocess

import pytest

from harden.debversion import compare
from harden.errors import HardenError
from harden.vulns import affected, load_kev, load_tracker

PAIRS = [("1.0", "1.0"), ("1.0", "1.1"), ("1.0-1", "1.0-2"), ("1:1.0", "2.0"), ("1.0~rc1", "1.0"),
         ("1.0~rc1", "1.0~rc2"), ("2.36-9+deb12u4", "2.36-9+deb12u10"), ("1.2.3", "1.2.3a"), ("1.2a", "1.2+"),
         ("0.17+2.4-2+deb12u3", "0.17+2.4-2+deb12u2"), ("9.2p1-2+deb12u3", "1:9.2p1-2+deb12u3"),
         ("1.0.0", "1.0"), ("1.0-1~bpo12+1", "1.0-1"), ("3.0.11-1~deb12u2", "3.0.15-1~deb12u1"), ("a", "~"),
         ("1.0+dfsg-1", "1.0-1"), ("10", "9"), ("1.01", "1.1"), ("1.0-0", "1.0")]


@pytest.mark.parametrize("a, b", PAIRS)
def test_version_order_matches_dpkg(a, b):
    def dpkg(op):
        return subprocess.run(["dpkg", "--compare-versions", a, op, b]).returncode == 0
    expected = -1 if dpkg("lt") else (1 if dpkg("gt") else 0)
    assert compare(a, b) == expected


def host(codename, **sources):
    return {"codename": codename, "packages": [{"name": s, "version": v, "source": s, "source_version": v}
                                               for s, v in sources.items()]}


def test_affected_hosts_kev_first(tmp_path):
    tracker = {
        "openssl": {"CVE-2024-1": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.15-1~deb12u1",
                                                             "urgency": "high"}}},
                    "CVE-2024-2": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.9-1",
                                                             "urgency": "low"}}}},
        "sudo": {"CVE-2025-3": {"releases": {"bookworm": {"status": "open", "urgency": "medium"},
                                             "trixie": {"status": "resolved", "fixed_version": "1.9.16p2-1"}}}},
    }
    kev = {"vulnerabilities": [{"cveID": "CVE-2025-3", "dueDate": "2026-01-01"}]}
    (tmp_path / "t.json").write_text(json.dumps(tracker))
    (tmp_path / "k.json").write_text(json.dumps(kev))
    assets = {"web-01": host("bookworm", openssl="3.0.11-1~deb12u2", sudo="1.9.13p3-1+deb12u1"),
              "web-02": host("trixie", openssl="3.5.1-1", sudo="1.9.16p2-1")}
    found = affected(assets, load_tracker(tmp_path / "t.json"), load_kev(tmp_path / "k.json"))
    assert [(a.host, a.cve, a.fixed, bool(a.kev)) for a in found] == [
        ("web-01", "CVE-2025-3", None, True), ("web-01", "CVE-2024-1", "3.0.15-1~deb12u1", False)]


def test_bad_files_are_clear_errors(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(HardenError, match="is not JSON"):
        load_kev(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text("[]")
    with pytest.raises(HardenError, match="vulnerabilities"):
        load_kev(tmp_path / "list.json")
    with pytest.raises(HardenError, match="does not exist"):
        load_tracker(tmp_path / "missing.json")
