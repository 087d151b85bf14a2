"""Plans of the settings roles (filter_plugins/harden_settings_plan.py) and the read-only gatherers."""

from loaders import load_file_module as load

plan = load("filter_plugins/harden_settings_plan.py")
LIMITS = {"max": 365, "min": 1, "warn": 7}


def account(name, uid):
    return {"name": name, "uid": uid}


def aging(password="hash", max_=99999, min_=0, warn=7):
    return {"password": password, "lastchg": 20000, "max": max_, "min": min_, "warn": warn, "inactive": None}


def test_aging_plan_takes_interactive_accounts_with_a_password_whose_aging_is_loose():
    accounts = [account("root", 0), account("daemon", 1), account("alice", 1000), account("bob", 1001),
                account("locked", 1002), account("nopw", 1003), account("nobody", 65534)]
    state = {"root": aging(), "daemon": aging(), "alice": aging(), "bob": aging(max_=90, min_=1, warn=14),
             "locked": aging(password="locked"), "nopw": aging(password="disabled"), "nobody": aging()}
    assert plan.aging_plan(accounts, state, 1000, 60000, LIMITS) == ["alice", "locked"]


def test_aging_plan_treats_missing_fields_as_loose():
    state = {"carol": aging(max_=None, min_=None, warn=None)}
    assert plan.aging_plan([account("carol", 1000)], state, 1000, 60000, LIMITS) == ["carol"]


def test_sysctl_off_compares_normalised_values_and_skips_missing_keys():
    wanted = {"a": 0, "b": 1, "c": "4096 87380", "missing": 1}
    current = {"a": "0", "b": "0", "c": "4096\t87380", "missing": None}
    assert plan.sysctl_off(wanted, current) == {"b": {"now": "0", "wanted": "1"}}


def test_updates_split_into_security_and_other_without_purged_packages():
    updates = [{"name": "openssl", "current": "1", "candidate": "2", "security": True},
               {"name": "xrdp", "current": "1", "candidate": "2", "security": True},
               {"name": "tzdata", "current": "a", "candidate": "b", "security": False}]
    assert plan.security_updates(updates, ["xrdp"]) == ["openssl"]
    assert plan.other_updates(updates, ["openssl"]) == ["tzdata: a -> b"]


def test_perms_plan_tightens_loose_modes_and_wrong_owners_but_never_loosens():
    wanted = [{"path": "/etc/shadow", "mode": "0640", "owner": "root", "group": "shadow"},
              {"path": "/etc/group", "mode": "0644", "owner": "root", "group": "root"},
              {"path": "/etc/gshadow", "mode": "0640", "owner": "root", "group": "shadow"},
              {"path": "/etc/absent", "mode": "0600", "owner": "root", "group": "root"}]
    paths = {"/etc/shadow": {"exists": True, "type": "file", "mode": "0600", "owner": "root", "group": "shadow"},
             "/etc/group": {"exists": True, "type": "file", "mode": "0664", "owner": "root", "group": "root"},
             "/etc/gshadow": {"exists": True, "type": "file", "mode": "0640", "owner": "root", "group": "root"},
             "/etc/absent": {"exists": False}}
    assert plan.perms_plan(wanted, paths) == [
        {"path": "/etc/group", "mode": "0644", "owner": "root", "group": "root", "was": "0664 root:root"},
        {"path": "/etc/gshadow", "mode": "0640", "owner": "root", "group": "shadow", "was": "0640 root:root"}]


def test_apt_updates_parses_simulated_dist_upgrade_lines():
    apt = load("library/harden_apt_updates.py")
    line = "Inst libssl3 [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])"
    name, current, candidate, origins = apt.INST.match(line).groups()
    assert (name, current, candidate) == ("libssl3", "3.0.15-1~deb12u1", "3.0.17-1~deb12u2")
    assert "-Security:" in origins
    assert apt.UNAUTH.search('APT::Get::AllowUnauthenticated "true";')
    assert not apt.UNAUTH.search('APT::Get::AllowUnauthenticated "false";')


def test_config_state_reads_sysctl_and_file_modes(tmp_path):
    state = load("library/harden_config_state.py")
    target = tmp_path / "f"
    target.write_text("x")
    target.chmod(0o640)
    assert state.path_state(str(target))["mode"] == "0640"
    assert state.path_state(str(tmp_path / "missing")) == {"exists": False}
    assert state.sysctl_values(["no.such.key"]) == {"no.such.key": None}
    assert state.key_count(str(tmp_path / "missing")) == 0


def test_sysctl_files_persist_existing_keys_and_set_them_live_only_outside_a_container():
    wanted = {"net-x": {"a.b": 0, "gone.key": 1}}
    (entry,) = plan.sysctl_files(wanted, ["a.b"], True, "/etc/sysctl.d/zz-harden-CONTROL.conf")["net-x"]
    assert entry["path"] == "/etc/sysctl.d/zz-harden-net-x.conf"
    assert entry["content"] == "# harden: net-x\na.b=0\n" and entry["sysctl"] == {"a.b": "0"}
    assert plan.sysctl_files(wanted, ["a.b"], False, "/x-CONTROL")["net-x"][0]["sysctl"] == {}


def test_setting_block_and_rules_entries():
    assert plan.setting_lines({"deny": 5}, r"^\s*#?\s*{key}\s*=", "{key} = {value}") == [
        {"regexp": r"^\s*#?\s*deny\s*=", "line": "deny = 5"}]
    blocks = plan.block_files({"ssh-a": ["X no", "Y 1"], "ssh-b": []}, "/d.conf", "# {mark} CONTROL", "sshd -t -f %s")
    assert blocks["ssh-b"] == [] and blocks["ssh-a"][0]["marker"] == "# {mark} ssh-a"
    assert blocks["ssh-a"][0]["block"] == "X no\nY 1"
    rules = plan.rules_files({"audit-rules-identity": ["-w /etc/passwd -p wa"]}, "/r/50-harden-CONTROL.rules")
    assert rules["audit-rules-identity"][0]["path"] == "/r/50-harden-identity.rules"
    assert rules["audit-rules-identity"][0]["content"] == "## harden: audit-rules-identity\n-w /etc/passwd -p wa\n"
    assert plan.sshd_lines({"port": ["22", "2222"], "PermitRootLogin": "No"}) == [
        "port 22", "port 2222", "permitrootlogin no"]
