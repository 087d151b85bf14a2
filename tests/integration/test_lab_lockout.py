"""harden never locks out the account it logs in with (Debian 12, the access controls only).

Three fresh hosts, hardened in one apply over real SSH:
- key: labops logs in by key and has NOPASSWD sudo. Password login goes off and faillock comes on;
  afterwards labops still logs in by key and uses sudo, even once faillock has locked its password.
- password: pwops has only a password, and sudo asks for it. Password login must stay on, held back
  with the reason, and the password must appear nowhere harden writes.
- password-and-key: pwkey has an authorized key, but the run logs in with its password (spelled
  ansible_ssh_password): the key is not proven to be the run's, so password login stays on here too.
"""

import secrets
import subprocess

import pytest
from labtools import harden, on_host

pytestmark = pytest.mark.lab

# The access controls and what they rest on; the other roles are covered by test_lab_hardening.py.
CONTROLS = ",".join([
    "ssh-permit-root-login-no", "ssh-permit-empty-passwords-no", "ssh-password-auth-off", "ssh-max-auth-tries",
    "ssh-strong-crypto", "ssh-idle-timeout", "ssh-misc-hardening", "ssh-access-restricted", "auth-faillock",
    "acct-generic-accounts-removed", "acct-legacy-defaults-locked", "acct-software-accounts-removed",
    "acct-weak-passwords-locked", "acct-no-empty-passwords", "acct-uid0-only-root", "acct-system-nologin-locked",
    "acct-dormant-accounts", "acct-sudo-group-restricted",
])
NO_HOST_KEYS = "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"

# The PAM stack sshd runs for a password login, driven through libpam (a wrong password is refused by
# sshd itself once password login is off, so the guesses go to PAM directly). Exit 0: authenticated.
PAM_LOGIN = r"""
import ctypes, sys
pam = ctypes.CDLL("libpam.so.0")
libc = ctypes.CDLL("libc.so.6")
libc.calloc.restype = ctypes.c_void_p
libc.strdup.restype = ctypes.c_void_p
class Message(ctypes.Structure):
    _fields_ = [("style", ctypes.c_int), ("text", ctypes.c_char_p)]
class Response(ctypes.Structure):
    _fields_ = [("resp", ctypes.c_void_p), ("retcode", ctypes.c_int)]
CONV = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.POINTER(ctypes.POINTER(Message)),
                        ctypes.POINTER(ctypes.POINTER(Response)), ctypes.c_void_p)
class Conv(ctypes.Structure):
    _fields_ = [("conv", CONV), ("data", ctypes.c_void_p)]
user, password = sys.stdin.read().split("\n")[:2]
def answer(count, messages, responses, data):
    block = libc.calloc(count, ctypes.sizeof(Response))
    responses[0] = ctypes.cast(block, ctypes.POINTER(Response))
    for i in range(count):
        if messages[i].contents.style == 1:  # PAM_PROMPT_ECHO_OFF: the password prompt
            responses[0][i].resp = libc.strdup(password.encode())
    return 0
conv = Conv(CONV(answer), None)
handle = ctypes.c_void_p()
assert pam.pam_start(b"sshd", user.encode(), ctypes.byref(conv), ctypes.byref(handle)) == 0
pam.pam_set_item(handle, 4, b"127.0.0.1")  # PAM_RHOST
code = pam.pam_authenticate(handle, 0)
pam.pam_end(handle, code)
sys.exit(code)
"""


def pam_login(name: str, user: str, password: str) -> int:
    """One password login attempt through sshd's PAM stack on the host; 0 when it succeeded."""
    from harden import lab

    proc = subprocess.run(["podman", "exec", "-i", name, "python3", "-c", PAM_LOGIN], input=f"{user}\n{password}\n",
                          capture_output=True, text=True, env=lab._env())
    return proc.returncode


def set_password(name: str, user: str, password: str) -> None:
    from harden import lab

    lab.podman("exec", "-i", name, "chpasswd", input=f"{user}:{password}\n")  # on stdin: never on a command line


def add_password_operator(name: str, user: str, password: str, authorized_key: str = "") -> None:
    """An admin in group sudo whose sudo asks for its password (Debian's %sudo rule)."""
    on_host(name, f"useradd -m -s /bin/bash -G sudo {user}")
    set_password(name, user, password)
    if authorized_key:
        on_host(name, f"install -d -m 0700 -o {user} -g {user} /home/{user}/.ssh && "
                      f"echo '{authorized_key}' > /home/{user}/.ssh/authorized_keys && "
                      f"chown {user}: /home/{user}/.ssh/authorized_keys")


def sshd_setting(name: str, keyword: str) -> str:
    return on_host(name, f"/usr/sbin/sshd -T | awk '$1 == \"{keyword}\" {{print $2}}'").strip()


@pytest.fixture(scope="module")
def lockout(fresh_lab, lab_state, tmp_path_factory):
    from harden import lab

    (key_host, pw_host, both_host), _ = fresh_lab("bookworm", 3, "lo")
    password = secrets.token_urlsafe(18)
    scratch = tmp_path_factory.mktemp("lockout")  # outside harden's state dir, which is searched for the password
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(scratch / "other")], check=True)
    add_password_operator(pw_host.name, "pwops", password)
    add_password_operator(both_host.name, "pwkey", password, (scratch / "other.pub").read_text().strip())
    # By password only: the controller offers no key, so the login cannot have been by key.
    by_password = f"{NO_HOST_KEYS} -o PubkeyAuthentication=no"
    hosts = (
        f"    {key_host.name}: {{ansible_port: {key_host.port}, ansible_user: labops, "
        f"ansible_ssh_private_key_file: '{lab.key_path()}', ansible_ssh_common_args: '{NO_HOST_KEYS}'}}\n"
        f"    {pw_host.name}: {{ansible_port: {pw_host.port}, ansible_user: pwops, ansible_password: '{password}', "
        f"ansible_become_password: '{password}', ansible_ssh_common_args: '{by_password}'}}\n"
        f"    {both_host.name}: {{ansible_port: {both_host.port}, ansible_user: pwkey, "
        f"ansible_ssh_password: '{password}', ansible_become_password: '{password}', "
        f"ansible_ssh_common_args: '{by_password}'}}\n")
    inventory, fresh = scratch / "lockout.yml", scratch / "lockout-new-connections.yml"
    inventory.write_text(f"all:\n  vars: {{harden_environment: test, ansible_host: 127.0.0.1}}\n  hosts:\n{hosts}")
    # The same hosts, but no reuse of the connection the apply left open (ControlPersist in ansible.cfg):
    # only a new login shows what the hardened sshd and PAM let in.
    fresh.write_text(f"all:\n  vars: {{harden_environment: test, ansible_host: 127.0.0.1, "
                     f"ansible_ssh_args: '-o ControlMaster=no -o ControlPath=none'}}\n  hosts:\n{hosts}")
    apply = harden("apply", "-i", str(inventory), "--controls", CONTROLS, "--yes")
    again = harden("check", "-i", str(fresh), "--controls", "ssh-password-auth-off,auth-faillock")
    return {"key": key_host, "password": pw_host, "both": both_host, "secret": password,
            "apply": apply, "again": again}


def outcome(report, host, control):
    return report["hosts"][host.name]["controls"][control]


def test_apply_turns_password_login_off_and_faillock_on_for_the_key_operator(lockout):
    code, report = lockout["apply"]
    host = lockout["key"]
    failed = {c: o["details"] for c, o in report["hosts"][host.name]["controls"].items() if o["status"] == "failed"}
    assert code == 2 and not failed, failed
    assert outcome(report, host, "ssh-password-auth-off")["status"] == "changed"
    assert outcome(report, host, "auth-faillock")["status"] == "changed"
    assert sshd_setting(host.name, "passwordauthentication") == "no"
    assert "pam_faillock.so" in on_host(host.name, "cat /etc/pam.d/common-auth")
    assert "deny = 5" in on_host(host.name, "cat /etc/security/faillock.conf").splitlines()


def test_key_operator_logs_in_anew_and_sudo_works_after_faillock_locks_its_password(lockout):
    from harden import lab

    host, good = lockout["key"], secrets.token_urlsafe(18)
    set_password(host.name, "labops", good)  # labops's password is locked in the image: give it one to guess
    assert pam_login(host.name, "labops", good) == 0  # the password works before the guesses
    assert 0 not in [pam_login(host.name, "labops", "wrong-" + good) for _ in range(5)]  # five wrong guesses
    tally = on_host(host.name, "faillock --user labops")
    assert sum(line.rstrip().endswith(" V") for line in tally.splitlines()) >= 5, tally
    assert pam_login(host.name, "labops", good) != 0  # locked: even the right password is refused now
    proc = subprocess.run([*lab.ssh_args(host, lab.key_path()), "sudo", "-n", "id", "-un"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "root", proc.stderr


@pytest.mark.parametrize("which, user", [("password", "pwops"), ("both", "pwkey")])
def test_password_login_stays_on_for_an_operator_who_logged_in_by_password(lockout, which, user):
    code, report = lockout["apply"]
    host = lockout[which]
    failed = {c: o["details"] for c, o in report["hosts"][host.name]["controls"].items() if o["status"] == "failed"}
    assert not failed, failed
    held = outcome(report, host, "ssh-password-auth-off")
    assert held["status"] == "held back"
    assert held["details"] == [f"held back: this run logged in as {user} with a password, so key login is not proven"]
    assert sshd_setting(host.name, "passwordauthentication") == "yes"
    assert sshd_setting(host.name, "permitrootlogin") == "no"  # the rest of the access controls did apply
    assert "pam_faillock.so" in on_host(host.name, "cat /etc/pam.d/common-auth")


def test_every_operator_gets_in_again_and_becomes_root(lockout):
    code, report = lockout["again"]
    for which in ("key", "password", "both"):
        host = report["hosts"][lockout[which].name]
        assert not host.get("unreachable"), (which, host)
        assert host["controls"]["auth-faillock"]["status"] == "compliant", (which, host)
    assert outcome(report, lockout["key"], "ssh-password-auth-off")["status"] == "compliant"
    assert outcome(report, lockout["password"], "ssh-password-auth-off")["status"] == "held back"
    assert outcome(report, lockout["both"], "ssh-password-auth-off")["status"] == "held back"


def test_the_password_is_nowhere_in_what_harden_wrote(lockout, lab_state):
    secret = lockout["secret"].encode()
    assert secret not in repr(lockout["apply"]).encode() and secret not in repr(lockout["again"]).encode()
    files = [p for p in lab_state.rglob("*") if p.is_file()]
    assert lab_state / "ledger.sqlite3" in files and any("runs" in p.parts for p in files)
    leaks = [str(p) for p in files if secret in p.read_bytes()]
    assert not leaks, leaks
