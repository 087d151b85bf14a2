"""harden_files and harden_accounts: one call, many controls; check mode reads only; a second run changes nothing."""

import os
import stat

import pytest

from loaders import load_file_module

files_module = load_file_module("library/harden_files.py")


class Module:
    def __init__(self, check):
        self.check_mode = check


def run(entries, check=False):
    files = files_module.Files(Module(check))
    for entry in entries:
        files.controls.setdefault(entry["control"], {"changes": [], "diff": []})
        files.ensure(entry)
    return {c: v["changes"] for c, v in files.controls.items()}


def snapshot(root):
    return {p: (p.read_text() if p.is_file() else None, stat.S_IMODE(p.stat().st_mode))
            for p in sorted(root.rglob("*"))}


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "login.defs").write_text("# comment\nPASS_MAX_DAYS\t99999\nUMASK\t\t022\n")
    (tmp_path / "loose").write_text("secret\n")
    (tmp_path / "loose").chmod(0o666)
    (tmp_path / "dropin.conf").write_text("# BEGIN a (harden)\nOld yes\n# END a (harden)\n")
    return tmp_path


def entries(root):
    return [
        {"control": "c-dir", "path": str(root / "d"), "state": "directory", "mode": "0750"},
        {"control": "c-file", "path": str(root / "d" / "f.conf"), "content": "x=1\n", "mode": "0640"},
        {"control": "c-lines", "path": str(root / "login.defs"),
         "lines": [{"regexp": r"^\s*PASS_MAX_DAYS\s", "line": "PASS_MAX_DAYS\t365"},
                   {"regexp": r"^\s*PASS_MIN_DAYS\s", "line": "PASS_MIN_DAYS\t1", "insertafter": r"^PASS_MAX_DAYS"}]},
        {"control": "c-umask", "path": str(root / "login.defs"),
         "lines": [{"regexp": r"^\s*UMASK\s", "line": "UMASK\t\t027"}]},
        {"control": "c-perms", "path": str(root / "loose"), "mode": "0600"},
        {"control": "c-perms", "path": str(root / "missing"), "mode": "0600"},
        {"control": "c-block", "path": str(root / "dropin.conf"), "marker": "# {mark} a (harden)", "block": "Old no"},
        {"control": "c-block2", "path": str(root / "dropin.conf"), "marker": "# {mark} b (harden)",
         "block": "New 1\nNew 2"},
        {"control": "c-none"},
    ]


def test_check_mode_reports_every_change_per_control_and_touches_nothing(tree):
    before = snapshot(tree)
    changes = run(entries(tree), check=True)
    assert snapshot(tree) == before
    assert changes["c-dir"] == [f"{tree}/d: directory created"]
    assert changes["c-file"] == [f"{tree}/d/f.conf: created"]
    assert changes["c-lines"] == changes["c-umask"] == [f"{tree}/login.defs: content changed"]
    assert changes["c-perms"] == [f"{tree}/loose: mode 0666 -> 0600"]  # a missing path is left alone
    assert changes["c-block"] and changes["c-block2"] and changes["c-none"] == []


def test_apply_makes_what_check_predicted_and_a_second_run_changes_nothing(tree):
    predicted = run(entries(tree), check=True)
    assert run(entries(tree)) == predicted
    assert (tree / "login.defs").read_text() == "# comment\nPASS_MAX_DAYS\t365\nPASS_MIN_DAYS\t1\nUMASK\t\t027\n"
    assert (tree / "dropin.conf").read_text() == (
        "# BEGIN a (harden)\nOld no\n# END a (harden)\n# BEGIN b (harden)\nNew 1\nNew 2\n# END b (harden)\n")
    assert stat.S_IMODE(os.stat(tree / "d").st_mode) == 0o750
    assert stat.S_IMODE(os.stat(tree / "d" / "f.conf").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(tree / "loose").st_mode) == 0o600
    assert not (tree / "missing").exists()
    assert all(not c for c in run(entries(tree)).values())
    assert all(not c for c in run(entries(tree), check=True).values())


def test_a_file_that_fails_validation_is_not_put_in_place(tree):
    target = tree / "sudoers"
    target.write_text("good\n")
    with pytest.raises(ValueError, match="validation failed"):
        run([{"control": "c", "path": str(target), "content": "bad\n", "validate": "grep -q good %s"}])
    assert target.read_text() == "good\n"
    assert [p.name for p in tree.iterdir() if p.name.startswith(".harden-")] == []


def test_changed_content_keeps_the_files_owner_and_takes_the_wanted_mode(tree):
    target = tree / "loose"
    run([{"control": "c", "path": str(target), "content": "new\n", "mode": "0640"}])
    assert target.read_text() == "new\n" and stat.S_IMODE(target.stat().st_mode) == 0o640


accounts_module = load_file_module("library/harden_accounts.py")


@pytest.mark.parametrize("action, command", [
    ("remove", ["userdel", "ftp"]),
    ("lock", ["usermod", "--lock", "--shell", "/usr/sbin/nologin", "--expiredate", "1970-01-02", "ftp"]),
    ("lock_password", ["usermod", "--lock", "ftp"]),
    ("nologin", ["usermod", "--lock", "--shell", "/usr/sbin/nologin", "ftp"]),
])
def test_each_account_action_is_one_shadow_tool_command(action, command):
    assert accounts_module.commands({"name": "ftp", "action": action}) == [command]


def test_aging_sets_the_three_limits_and_an_unknown_action_is_refused():
    assert accounts_module.commands({"name": "a", "action": "aging", "max": 365, "min": 1, "warn": 7}) == [
        ["chage", "--maxdays", "365", "--mindays", "1", "--warndays", "7", "a"]]
    with pytest.raises(ValueError, match="unknown action"):
        accounts_module.commands({"name": "a", "action": "shred"})
