"""harden's Ansible modules, on real files: shadow entries, lastlog records, yescrypt hashes."""

import ctypes
import ctypes.util
import struct

import pytest

from loaders import load_file_module

host_state = load_file_module("library/harden_host_state.py")
weak = load_file_module("library/harden_weak_passwords.py")


def yescrypt(password: str) -> str:
    """A real $y$ hash from this machine's libcrypt, as chpasswd would write it."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    lib.crypt_gensalt.restype = ctypes.c_char_p
    setting = lib.crypt_gensalt(b"$y$", 0, None, 0)
    return weak.load_crypt()(password.encode(), setting).decode()


@pytest.mark.parametrize("field, kind", [
    ("", "empty"), ("!", "locked"), ("!$y$j9T$abc", "locked"), ("*", "disabled"), ("$y$j9T$x$y", "hash"),
    (None, "none"),
])
def test_password_kind_never_returns_the_hash(field, kind):
    assert host_state.password_kind(field) == kind


def test_shadow_entries_read_password_field_and_expiry(tmp_path):
    shadow = tmp_path / "shadow"
    shadow.write_text("root:$y$j9T$a$b:20000:0:99999:7:::\nguest::20000:0:99999:7:::\nold:!:20000:::::1:\n")
    assert host_state.shadow_entries(str(shadow)) == {
        "root": ("$y$j9T$a$b", None), "guest": ("", None), "old": ("!", 1)}


def test_last_logins_reads_lastlog_records_by_uid(tmp_path, monkeypatch):
    record = host_state.LASTLOG_RECORD
    data = record.pack(0, b"", b"") + record.pack(1_700_000_000, b"pts/0", b"10.0.0.1") + record.pack(0, b"", b"")
    path = tmp_path / "lastlog"
    path.write_bytes(data)
    real_open = open
    monkeypatch.setattr("builtins.open", lambda p, *a, **k: real_open(path if p == "/var/log/lastlog" else p, *a, **k))
    by_uid, _ = host_state.last_logins()
    assert by_uid == {1: 1_700_000_000}
    assert record.size == struct.calcsize("=i32s256s") == 292


def test_login_defs_values(tmp_path):
    defs = tmp_path / "login.defs"
    defs.write_text("# comment\nUID_MIN\t\t 1000\nUID_MAX 60000\nENCRYPT_METHOD YESCRYPT\n")
    assert host_state.login_defs(str(defs))["UID_MIN"] == "1000"


def test_weak_password_found_in_a_real_yescrypt_hash_and_strong_one_not():
    crypt = weak.load_crypt()
    stored = yescrypt("changeme")
    assert stored.startswith("$y$")
    assert weak.matches(crypt, stored, "changeme")
    assert not weak.matches(crypt, stored, "changeme2")
    assert not weak.matches(crypt, "!" + stored, "changeme")  # a locked hash is not usable


def test_only_usable_hashes_are_tested(tmp_path):
    shadow = tmp_path / "shadow"
    shadow.write_text(f"a:{yescrypt('x')}:1::::::\nb:!$y$j9T$q$r:1::::::\nc:*:1::::::\nd::1::::::\n")
    assert [name for name, _ in weak.usable_hashes(str(shadow))] == ["a"]
