#!/usr/bin/python
"""Gather, in one remote call, the host state every harden role decides from.

Read-only: safe in check mode. Returns no password hashes, only what kind of password an account
has (hash, locked, empty, disabled), so the result may be logged and kept as evidence.
"""

DOCUMENTATION = r"""
module: harden_host_state
short_description: Gather packages, accounts, password status, logins, units and trust files once
description:
  - Reads dpkg's status, /etc/passwd, /etc/shadow, /etc/group, /etc/login.defs, the lastlog database,
    systemd unit files and home-directory trust files. Changes nothing.
options:
  trust_file_names:
    description: File names in home directories that grant password-less trust.
    type: list
    elements: str
    default: [.rhosts, .shosts, .netrc]
author: harden
"""

import grp
import os
import pwd
import sqlite3
import struct
import subprocess

from ansible.module_utils.basic import AnsibleModule

LASTLOG_RECORD = struct.Struct("=i32s256s")  # glibc struct lastlog: ll_time, ll_line, ll_host


def installed_packages():
    """Map of installed package name -> Debian section ('' when unknown)."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f=${db:Status-Abbrev}\t${Package}\t${Section}\n"],
        check=True, capture_output=True, text=True,
    ).stdout
    packages = {}
    for line in out.splitlines():
        status, _, rest = line.partition("\t")
        name, _, section = rest.partition("\t")
        # 'ii' installed, 'hi' held, 'iU'/'iF' half-installed: all still on disk.
        if status[:1] in ("i", "h") and status[1:2] in ("i", "U", "F", "H", "W", "t"):
            packages[name] = section
    return packages


def shadow_entries(path="/etc/shadow"):
    entries = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                fields = line.rstrip("\n").split(":")
                if len(fields) >= 2:
                    expires = fields[7] if len(fields) > 7 else ""
                    entries[fields[0]] = (fields[1], int(expires) if expires.isdigit() else None)
    except FileNotFoundError:
        pass
    return entries


def password_kind(field):
    """Classify a shadow password field without returning it."""
    if field is None:
        return "none"
    if field == "":
        return "empty"
    if field.startswith("!"):
        return "locked"
    if field.startswith("*"):
        return "disabled"
    return "hash"


def last_logins():
    """uid or name -> last login (epoch seconds), from lastlog (Debian 12) or lastlog2 (Debian 13)."""
    by_uid, by_name = {}, {}
    try:
        with open("/var/log/lastlog", "rb") as fh:
            uid = 0
            while True:
                record = fh.read(LASTLOG_RECORD.size)
                if len(record) < LASTLOG_RECORD.size:
                    break
                when = LASTLOG_RECORD.unpack(record)[0]
                if when > 0:
                    by_uid[uid] = when
                uid += 1
    except (FileNotFoundError, PermissionError):
        pass
    db = "/var/lib/lastlog/lastlog2.db"
    if os.path.exists(db):
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                for name, when in conn.execute("SELECT Name, Time FROM Lastlog2"):
                    if when:
                        by_name[name] = int(when)
        except sqlite3.Error:
            pass
    return by_uid, by_name


def login_defs(path="/etc/login.defs"):
    values = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 2 and not parts[0].startswith("#"):
                    values[parts[0]] = parts[1]
    except FileNotFoundError:
        pass
    return values


def accounts():
    shadow = shadow_entries()
    by_uid, by_name = last_logins()
    groups = {}
    for group in grp.getgrall():
        for member in group.gr_mem:
            groups.setdefault(member, []).append(group.gr_name)
    result = []
    for entry in pwd.getpwall():
        field, expires = shadow.get(entry.pw_name, (None, None))
        result.append({
            "name": entry.pw_name,
            "uid": entry.pw_uid,
            "gid": entry.pw_gid,
            "home": entry.pw_dir,
            "shell": entry.pw_shell,
            "password": password_kind(field),
            "expires": expires,  # days since the epoch, as in /etc/shadow
            "last_login": by_name.get(entry.pw_name, by_uid.get(entry.pw_uid)),
            "groups": sorted(groups.get(entry.pw_name, [])),
        })
    return result


def unit_files():
    try:
        out = subprocess.run(
            ["systemctl", "list-unit-files", "--no-legend", "--no-pager"],
            check=True, capture_output=True, text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    units = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            units[parts[0]] = parts[1]
    return units


def active_units():
    """Units running now: with unit files, lets roles skip a start or an enable that is already true."""
    try:
        out = subprocess.run(
            ["systemctl", "list-units", "--state=active", "--no-legend", "--no-pager", "--plain"],
            check=True, capture_output=True, text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    return sorted(line.split()[0] for line in out.splitlines() if line.split())


def trust_files(account_list, names):
    """Trust files in the home directories of real accounts (no walk: one stat per name)."""
    found = []
    homes = sorted({a["home"] for a in account_list if a["home"] not in ("", "/", "/nonexistent")})
    for home in homes:
        for name in names:
            path = os.path.join(home, name)
            if os.path.lexists(path):
                found.append(path)
    return found


def operator_account():
    """The account Ansible connects as: sudo records it; without become it is who we run as."""
    return os.environ.get("SUDO_USER") or pwd.getpwuid(os.getuid()).pw_name


def main():
    module = AnsibleModule(
        argument_spec={"trust_file_names": {"type": "list", "elements": "str",
                                            "default": [".rhosts", ".shosts", ".netrc"]}},
        supports_check_mode=True,
    )
    defs = login_defs()
    account_list = accounts()
    state = {
        "operator": operator_account(),
        "packages": installed_packages(),
        "accounts": account_list,
        "uid_min": int(defs.get("UID_MIN", 1000)),
        "uid_max": int(defs.get("UID_MAX", 60000)),
        "units": unit_files(),
        "active_units": active_units(),
        "groups": sorted(g.gr_name for g in grp.getgrall()),
        "trust_files": trust_files(account_list, module.params["trust_file_names"]),
    }
    module.exit_json(changed=False, state=state)


if __name__ == "__main__":
    main()
