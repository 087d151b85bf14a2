#!/usr/bin/python
"""Find accounts whose password is a known default or weak one, on the host itself.

Each hash in /etc/shadow is tested with the system's libcrypt (yescrypt on Debian 12 and 13;
Python's crypt module is gone in 3.13), so no hash or password leaves the host. Returns account
names only. Read-only: safe in check mode. Run it with no_log: the candidate list may hold a site's
own retired defaults.
"""

DOCUMENTATION = r"""
module: harden_weak_passwords
short_description: Test password hashes on the host against known default and weak passwords
options:
  candidates:
    description: Passwords to try. The account's own name (and name + "123") is always tried too.
    type: list
    elements: str
    required: true
  accounts:
    description: Only test these accounts (default all with a usable hash).
    type: list
    elements: str
author: harden
"""

import ctypes
import ctypes.util
import hmac

from ansible.module_utils.basic import AnsibleModule


def load_crypt():
    path = ctypes.util.find_library("crypt") or "libcrypt.so.1"
    lib = ctypes.CDLL(path)
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.crypt.restype = ctypes.c_char_p
    return lib.crypt


def usable_hashes(path="/etc/shadow"):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            fields = line.rstrip("\n").split(":")
            if len(fields) >= 2 and fields[1].startswith("$"):
                yield fields[0], fields[1]


def matches(crypt, stored, password):
    result = crypt(password.encode(), stored.encode())
    # libcrypt returns a failure token starting with '*' for an unknown method or a bad setting.
    return bool(result) and not result.startswith(b"*") and hmac.compare_digest(result, stored.encode())


def main():
    module = AnsibleModule(
        argument_spec={
            # Not no_log here: Ansible would then mask every returned name that is also a candidate
            # ('admin', 'test'). The task sets no_log, which keeps the arguments out of every log.
            "candidates": {"type": "list", "elements": "str", "required": True},
            "accounts": {"type": "list", "elements": "str"},
        },
        supports_check_mode=True,
    )
    try:
        crypt = load_crypt()
    except OSError as exc:
        module.fail_json(msg=f"libcrypt could not be loaded: {exc}")
    only = set(module.params["accounts"] or [])
    weak = []
    for name, stored in usable_hashes():
        if only and name not in only:
            continue
        tries = [name, name + "123", *module.params["candidates"]]
        if any(matches(crypt, stored, pw) for pw in dict.fromkeys(tries)):
            weak.append(name)
    module.exit_json(changed=False, weak=sorted(weak))


if __name__ == "__main__":
    main()
