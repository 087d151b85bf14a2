"""Read-only host facts shared by harden's modules (asset inventory, host state)."""

import os
import pwd
import re
import sqlite3
import struct
import subprocess

LASTLOG_RECORD = struct.Struct("=i32s256s")  # glibc struct lastlog: ll_time, ll_line, ll_host


def run(args):
    return subprocess.run(args, check=False, capture_output=True, text=True).stdout


def os_release(path="/etc/os-release"):
    values = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                key, sep, value = line.strip().partition("=")
                if sep:
                    values[key] = value.strip('"')
    except FileNotFoundError:
        pass
    return values


def packages_with_versions():
    """[{name, version, source, source_version, arch}] of installed packages."""
    out = run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t"
               "${source:Version}\t${Architecture}\n"])
    result = []
    for line in out.splitlines():
        fields = line.split("\t")
        if len(fields) == 6 and fields[0][:1] in ("i", "h"):
            result.append({"name": fields[1], "version": fields[2], "source": fields[3] or fields[1],
                           "source_version": fields[4] or fields[2], "arch": fields[5]})
    return result


def enabled_services():
    out = run(["systemctl", "list-unit-files", "--state=enabled", "--type=service", "--no-legend", "--no-pager"])
    return sorted(line.split()[0] for line in out.splitlines() if line.strip())


def listening_ports():
    """[{proto, address, port}] from ss (TCP listening and UDP bound sockets)."""
    result = []
    for line in run(["ss", "-H", "-tuln"]).splitlines():
        parts = line.split()
        if len(parts) >= 5:
            address, _, port = parts[4].rpartition(":")
            number = int(port) if port.isdigit() else port
            result.append({"proto": parts[0], "address": address.strip("[]"), "port": number})
    return sorted(result, key=lambda p: (str(p["port"]), p["proto"], p["address"]))


INST = re.compile(r"^Inst (\S+) (?:\[(\S+)\] )?\((\S+) (.*?)\)")


def pending_updates():
    """Upgrades apt would make now, from the package lists on the host (not refreshed here)."""
    out = run(["apt-get", "-s", "-o", "Debug::NoLocking=1", "dist-upgrade"])
    updates = []
    for line in out.splitlines():
        m = INST.match(line)
        if m:
            updates.append({"name": m.group(1), "installed": m.group(2), "candidate": m.group(3),
                            "security": "security" in m.group(4).lower()})
    return updates


def last_logins():
    """uid -> and name -> last login (epoch), from lastlog (Debian 12) or lastlog2 (Debian 13)."""
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


def local_accounts():
    by_uid, by_name = last_logins()
    return [{"name": e.pw_name, "uid": e.pw_uid, "shell": e.pw_shell, "home": e.pw_dir,
             "last_login": by_name.get(e.pw_name, by_uid.get(e.pw_uid))} for e in pwd.getpwall()]
