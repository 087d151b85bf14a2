"""The plans roles act on, computed from a gathered host state (filter_plugins/harden_plan.py)."""

import pytest

from loaders import load_file_module

plan = load_file_module("filter_plugins/harden_plan.py")
NOW = 20_000 * 86400.0  # a fixed "today", in seconds


def account(name, uid, *, shell="/bin/bash", password="hash", expires=None, last_login=None):
    return {"name": name, "uid": uid, "gid": uid, "home": f"/home/{name}", "shell": shell,
            "password": password, "expires": expires, "last_login": last_login, "groups": []}


def state(*accounts, packages=None, operator="ops"):
    base = [account("root", 0, last_login=NOW), account(operator, 1000, last_login=NOW)]
    return {"operator": operator, "packages": packages or {}, "accounts": base + list(accounts),
            "uid_min": 1000, "uid_max": 60000}


def names(items, action=None):
    return sorted(i["name"] for i in items if action is None or i["action"] == action)


def test_purge_plan_keeps_only_installed_packages_and_leaves_out_excluded_ones():
    denied = {"svc-ftp-absent": ["vsftpd", "ftp", "tnftp"], "svc-telnet-absent": ["telnetd"]}
    result = plan.purge_plan(denied, {"vsftpd": "net", "ftp": "net", "bash": "shells"}, ["ftp"])
    assert result == {"svc-ftp-absent": ["vsftpd"], "svc-telnet-absent": []}


def test_games_are_found_by_section_whatever_their_name_or_archive_area():
    packages = {"ninvaders": "games", "nethack-console": "contrib/games", "bash": "shells", "gamemode": "utils"}
    assert plan.packages_in_sections(packages, ["games"]) == ["nethack-console", "ninvaders"]


def test_mask_plan_masks_only_kept_installed_packages_units_that_exist():
    denied = {"svc-ftp-absent": ["vsftpd"], "svc-workstation-daemons-absent": ["avahi-daemon", "cups-daemon"]}
    units = {"vsftpd": ["vsftpd.service"], "avahi-daemon": ["avahi-daemon.service", "avahi-daemon.socket"],
             "cups-daemon": ["cups.service"]}
    unit_files = {"avahi-daemon.service": "enabled", "avahi-daemon.socket": "masked", "vsftpd.service": "enabled"}
    result = plan.mask_plan(denied, {"vsftpd": "", "avahi-daemon": ""}, ["avahi-daemon", "cups-daemon"],
                            units, unit_files)
    assert result == {"svc-ftp-absent": [], "svc-workstation-daemons-absent": ["avahi-daemon.service"]}


def test_the_operator_root_and_protected_accounts_are_held_back_never_changed():
    s = state(account("admin", 1001), account("backup-bot", 1002, password="empty"), operator="admin")
    result = plan.accounts_plan(s, weak=["admin", "root"], settings={"generic": ["admin"], "protected": ["backup-bot"]},
                                now=NOW)
    changed = [i for items in result.values() for i in items if i["action"] != "held_back"
               and i["name"] in ("admin", "root", "backup-bot")]
    assert changed == []
    assert names(result["acct-weak-passwords-locked"], "held_back") == ["admin", "root"]
    assert names(result["acct-no-empty-passwords"], "held_back") == ["backup-bot"]


def test_generic_accounts_are_locked_by_default_and_removed_when_the_profile_says():
    s = state(account("guest", 1001, password="empty"), account("demo", 1002))
    locked = plan.accounts_plan(s, [], {"generic": ["guest", "demo", "user"]}, now=NOW)
    assert names(locked["acct-generic-accounts-removed"], "lock") == ["demo", "guest"]
    removed = plan.accounts_plan(s, [], {"generic": ["guest", "demo"], "generic_action": "remove"}, now=NOW)
    assert names(removed["acct-generic-accounts-removed"], "remove") == ["demo", "guest"]
    # A removed account is not also locked by a later control.
    assert removed["acct-no-empty-passwords"] == []


def test_a_fully_locked_generic_account_is_compliant():
    today = int(NOW // 86400)
    s = state(account("guest", 1001, password="locked", shell="/usr/sbin/nologin", expires=today - 1))
    assert plan.accounts_plan(s, [], {"generic": ["guest"]}, now=NOW)["acct-generic-accounts-removed"] == []


def test_software_accounts_go_when_their_packages_are_gone_or_purged_in_this_run():
    s = state(account("ftp", 103, shell="/usr/sbin/nologin", password="disabled"),
              account("tftp", 104, shell="/usr/sbin/nologin", password="disabled"),
              account("saned", 105, shell="/usr/sbin/nologin", password="disabled"),
              packages={"vsftpd": "net", "tftpd-hpa": "net"})
    settings = {"package_accounts": {"vsftpd": ["ftp"], "tftpd-hpa": ["tftp"], "sane-utils": ["saned"]},
                "purged_packages": ["vsftpd"]}
    result = plan.accounts_plan(s, [], settings, now=NOW)
    assert names(result["acct-software-accounts-removed"], "remove") == ["ftp", "saned"]  # tftpd-hpa stays


def test_extra_uid0_accounts_are_locked_and_root_is_not():
    s = state(account("toor", 0))
    assert names(plan.accounts_plan(s, [], {}, now=NOW)["acct-uid0-only-root"], "lock") == ["toor"]


def test_system_accounts_with_a_shell_get_nologin_except_the_allowed_and_sync():
    s = state(account("www-data", 33), account("postgres", 110), account("sync", 4, shell="/bin/sync"),
              account("daemon", 1, shell="/usr/sbin/nologin", password="disabled"),
              account("nobody", 65534, shell="/usr/sbin/nologin", password="locked"))
    result = plan.accounts_plan(s, [], {"system_shell_allowed": ["postgres"]}, now=NOW)
    assert names(result["acct-system-nologin-locked"], "nologin") == ["www-data"]


@pytest.mark.parametrize("lock, action", [(False, "report"), (True, "lock")])
def test_dormant_accounts_are_reported_or_locked_but_recent_ones_are_not(lock, action):
    s = state(account("old", 1001, last_login=NOW - 200 * 86400), account("never", 1002),
              account("recent", 1003, last_login=NOW - 5 * 86400))
    result = plan.accounts_plan(s, [], {"dormant_days": 90, "dormant_lock": lock}, now=NOW)
    assert names(result["acct-dormant-accounts"], action) == ["never", "old"]
    notes = plan.plan_notes(result["acct-dormant-accounts"])
    assert bool(notes) is (action == "report")


def test_trust_files_in_protected_homes_are_kept():
    paths = ["/home/demo/.rhosts", "/home/ops/.netrc", "/home/opsx/.netrc"]
    assert plan.paths_outside(paths, ["/home/ops"]) == ["/home/demo/.rhosts", "/home/opsx/.netrc"]


def test_only_the_controls_a_run_executes_count_as_purged():
    purge = {"svc-ftp-absent": ["vsftpd"], "svc-telnet-absent": ["telnetd"]}
    assert plan.selected(purge, ["all"], []) == purge
    assert plan.selected(purge, ["acct-software-accounts-removed"], []) == {}
    assert plan.selected(purge, ["all"], ["svc-ftp-absent"]) == {"svc-telnet-absent": ["telnetd"]}


def test_for_run_keeps_only_the_controls_this_run_executes_and_marks_empty_ones_examined():
    files = {"c-a": [{"path": "/a"}], "c-b": [{"path": "/b"}], "c-c": []}
    assert plan.for_run(files, ["all"], ["c-b"]) == [{"path": "/a", "control": "c-a"}, {"control": "c-c"}]
    assert plan.for_run(files, ["c-b"], []) == [{"path": "/b", "control": "c-b"}]


def test_units_off_and_missing_packages_need_a_remote_call_only_when_off():
    state = {"units": {"a.service": "enabled", "b.timer": "disabled", "c.service": "enabled"},
             "active_units": ["a.service"], "packages": {"auditd": "1:3.0"}}
    assert plan.units_off(["a.service", "b.timer", "c.service", "d.service"], state, False) == ["b.timer", "d.service"]
    assert plan.units_off(["a.service", "c.service"], state, True) == ["c.service"]
    assert plan.missing(["auditd", "audispd-plugins"], state) == ["audispd-plugins"]


def test_one_purge_for_the_run_and_each_control_names_its_part_and_the_reverse_dependencies():
    purge = {"svc-a": ["telnetd"], "svc-b": ["vsftpd", "ftp"], "svc-c": []}
    assert plan.purge_now(purge, ["all"], ["svc-b"]) == ["telnetd"]
    planned = plan.purge_now(purge, ["all"], [])
    assert planned == ["ftp", "telnetd", "vsftpd"]
    prepared = ("The following packages will be REMOVED:\n  ftp* telnetd* vsftpd* xinetd-plugin*\n"
                "0 upgraded, 0 newly installed, 4 to remove and 0 not upgraded.\n")
    assert plan.purged_notes(["telnetd"], {"diff": {"prepared": prepared}}, planned) == [
        "purge: telnetd", "the same apt call also removes: xinetd-plugin"]
    assert plan.purged_notes(["ftp", "vsftpd"], {"stdout": ""}, planned) == ["purge: ftp vsftpd"]


def test_account_entries_are_the_planned_changes_of_accounts_that_still_exist():
    accounts = {"acct-a": [{"name": "ftp", "action": "remove", "note": "goes with vsftpd"},
                           {"name": "gone", "action": "remove", "note": ""},
                           {"name": "labops", "action": "held_back", "note": "protected"}], "acct-b": []}
    assert plan.account_entries(accounts, ["remove", "lock"], ["ftp", "labops"]) == {
        "acct-a": [{"name": "ftp", "action": "remove", "note": "goes with vsftpd"}], "acct-b": []}


def test_changed_path_finds_a_change_to_a_path_under_any_control():
    result = {"harden_controls": {"a": {"changes": ["/etc/ssh/sshd_config.d/00-harden.conf: content changed"]},
                                  "b": {"changes": []}}}
    assert plan.changed_path(result, "/etc/ssh/sshd_config.d/00-harden.conf:")
    assert not plan.changed_path(result, "/usr/share/pam-configs/")
    assert not plan.changed_path({"skipped": True}, "/etc")
