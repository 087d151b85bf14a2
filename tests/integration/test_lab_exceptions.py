"""A documented exception on real hosts: the control is excepted on that host only, with its
justification, and the host's setting is left as it was. Secret parameters stay out of artifacts."""

import subprocess

import pytest
import yaml
from labtools import harden, on_host

pytestmark = pytest.mark.lab

SECRET = "Retired-Site-Pw-7731"  # a site's old default: a secret the run must not write down
JUSTIFICATION = "lab scanner still uploads over FTP; replaced by SFTP in CHG-2001"


@pytest.fixture(scope="module")
def excepted_run(fresh_lab, lab_state, tmp_path_factory):
    hosts, inventory = fresh_lab("bookworm", count=2, purpose="ex")
    keep, fix = hosts
    profile = tmp_path_factory.mktemp("profiles") / "site.yml"
    profile.write_text(yaml.safe_dump({
        "name": "site", "extends": "hipaa-baseline",
        "parameters": {"accounts_weak_passwords_extra": [SECRET]},
        "exceptions": [{"control": "svc-ftp-absent", "scope": [keep.name], "justification": JUSTIFICATION,
                        "compensating_controls": ["port 21 open to the scanner VLAN only"], "owner": "it-infra",
                        "approver": "ciso", "ticket": "CHG-2001", "expires": "2099-01-01"}],
    }))
    # An account with the site's retired password: only the secret parameter can find it.
    on_host(fix.name, f"useradd -m -s /bin/bash clinic1 && echo 'clinic1:{SECRET}' | chpasswd")
    check = harden("check", "-i", str(inventory), "--profile", str(profile))
    apply = harden("apply", "-i", str(inventory), "--profile", str(profile), "--yes")
    return {"keep": keep, "fix": fix, "check": check, "apply": apply, "state": lab_state}


def status(report, host, control="svc-ftp-absent"):
    return report["hosts"][host.name]["controls"][control]


def test_the_exception_applies_to_its_host_only_with_its_justification(excepted_run):
    for run in ("check", "apply"):
        _, report = excepted_run[run]
        kept = status(report, excepted_run["keep"])
        assert kept["status"] == "excepted"
        assert JUSTIFICATION in kept["details"][0] and "CHG-2001" in kept["details"][0]
    assert status(excepted_run["check"][1], excepted_run["fix"])["status"] == "would change"
    assert status(excepted_run["apply"][1], excepted_run["fix"])["status"] == "changed"


def test_the_excepted_hosts_setting_is_untouched_and_the_other_host_is_fixed(excepted_run):
    installed = "dpkg-query -W -f='${db:Status-Abbrev}' vsftpd 2>/dev/null || true"
    assert on_host(excepted_run["keep"].name, installed).startswith("ii")
    assert not on_host(excepted_run["fix"].name, installed).startswith("ii")
    # Everything else was still hardened on the excepted host.
    assert status(excepted_run["apply"][1], excepted_run["keep"], "svc-telnet-absent")["status"] == "changed"


def test_a_secret_parameter_is_used_on_the_host_but_never_reaches_the_artifacts(excepted_run):
    weak = status(excepted_run["check"][1], excepted_run["fix"], "acct-weak-passwords-locked")
    assert any(d.startswith("clinic1:") for d in weak["details"])
    found = subprocess.run(["grep", "-rl", SECRET, str(excepted_run["state"])], capture_output=True, text=True)
    assert found.stdout == "", f"secret written to {found.stdout}"


def test_a_host_with_every_control_excepted_is_left_exactly_as_it_was(fresh_lab, tmp_path):
    """Every role honours exceptions: with all of them excepted, an apply changes nothing at all."""
    from harden.catalog import load_catalog

    (host,), inventory = fresh_lab("trixie", purpose="exall")
    controls = [c.id for c in load_catalog().values() if c.role != "inventory"]
    profile = tmp_path / "nothing.yml"
    profile.write_text(yaml.safe_dump({"name": "nothing", "extends": "hipaa-baseline", "exceptions": [
        {"control": c, "scope": ["all"], "justification": "measuring a host as it is", "owner": "qa",
         "compensating_controls": ["none: lab host"], "approver": "qa-lead", "ticket": "QA-1",
         "expires": "2099-01-01"} for c in controls]}))
    snapshot = ("dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\\n'; "
                "sha256sum /etc/passwd /etc/shadow /etc/group /etc/ssh/sshd_config; ls -la /etc/ssh/sshd_config.d")
    before = on_host(host.name, snapshot)
    code, report = harden("apply", "-i", str(inventory), "--profile", str(profile), "--yes")
    assert on_host(host.name, snapshot) == before
    statuses = {c: o["status"] for c, o in report["hosts"][host.name]["controls"].items()}
    assert {c: s for c, s in statuses.items() if c != "inv-host-facts"} == dict.fromkeys(controls, "excepted")
    assert code == 0


def test_excepting_one_control_of_each_role_leaves_the_others_working(fresh_lab, tmp_path):
    """Skipping a control by its tag must not starve the tasks its role's other controls depend on."""
    from harden.catalog import load_catalog

    (host,), inventory = fresh_lab("bookworm", purpose="exone")
    by_role: dict = {}
    for control in load_catalog().values():
        if control.role != "inventory":
            by_role.setdefault(control.role, []).append(control.id)
    chosen = [ids[-1] for ids in by_role.values()]
    profile = tmp_path / "one-each.yml"
    profile.write_text(yaml.safe_dump({"name": "one-each", "extends": "hipaa-baseline", "exceptions": [
        {"control": c, "scope": [host.name], "justification": "one control per role left alone", "owner": "qa",
         "compensating_controls": ["none: lab host"], "approver": "qa-lead", "ticket": "QA-2",
         "expires": "2099-01-01"} for c in chosen]}))
    code, report = harden("apply", "-i", str(inventory), "--profile", str(profile), "--yes")
    statuses = {c: o["status"] for c, o in report["hosts"][host.name]["controls"].items()}
    assert [c for c, s in statuses.items() if s == "failed"] == []
    assert {c: statuses[c] for c in chosen} == dict.fromkeys(chosen, "excepted")
    assert sum(1 for s in statuses.values() if s == "changed") >= len(by_role)  # the rest still worked
