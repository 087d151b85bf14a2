#!/usr/bin/python
"""Gather, in one remote call per role, the configuration state a harden role decides from.

Read-only: safe in check mode. Each option asks for one kind of state; a role asks only for what it
needs. Nothing secret is returned (no password hashes: only password-aging fields).
"""

DOCUMENTATION = r"""
module: harden_config_state
short_description: Gather sshd, sysctl, file, PAM, authorized-key, setuid and disk state once
description:
  - Reads the effective sshd configuration (sshd -T), kernel parameters under /proc/sys, file modes,
    small configuration files, authorized_keys counts, password aging fields, setuid/setgid files on
    local file systems and the block-device tree. Changes nothing.
options:
  sshd:
    description: Return the effective sshd configuration (sshd -T) as a dict of lower-case keywords.
    type: bool
    default: false
  sysctl:
    description: Kernel parameters whose current values are returned (null when the key does not exist).
    type: list
    elements: str
    default: []
  paths:
    description: Paths whose existence, type, mode, owner and group are returned.
    type: list
    elements: str
    default: []
  read_files:
    description: Small configuration files whose text is returned ('' when missing). Never secrets.
    type: list
    elements: str
    default: []
  authorized_keys:
    description: Return, for every account with a home, the number of keys in its authorized_keys files.
    type: bool
    default: false
  aging:
    description: Return password-aging fields (never the hash) for every account in /etc/shadow.
    type: bool
    default: false
  setuid:
    description: Return the setuid/setgid regular files on local file systems (find -xdev per mount).
    type: bool
    default: false
  disks:
    description: Return, for the given mount points, whether each sits on a dm-crypt (LUKS) device.
    type: list
    elements: str
    default: []
author: harden
"""

import grp
import json
import os
import pwd
import stat
import subprocess

from ansible.module_utils.basic import AnsibleModule

# File systems that live on this host's own disks (or memory): never walk a network mount.
LOCAL_FS = {"ext2", "ext3", "ext4", "xfs", "btrfs", "f2fs", "jfs", "reiserfs", "zfs", "vfat", "exfat",
            "overlay", "tmpfs"}


def run(cmd):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError:
        return 127, ""
    return proc.returncode, proc.stdout


def container():
    """The container technology the host runs in, or '' on a VM or bare metal."""
    rc, out = run(["systemd-detect-virt", "--container"])
    if rc == 0 and out.strip() not in ("", "none"):
        return out.strip()
    if os.path.exists("/run/.containerenv"):
        return "podman"
    if os.path.exists("/.dockerenv"):
        return "docker"
    return ""


def os_release():
    values = {}
    for line in read_text("/etc/os-release").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.lower()] = value.strip().strip('"')
    return {"id": values.get("id", ""), "version_id": values.get("version_id", ""),
            "codename": values.get("version_codename", "")}


def sshd_effective():
    """sshd -T as {keyword: value}; keywords that repeat (port, hostkey, ...) become lists."""
    rc, out = run(["/usr/sbin/sshd", "-T"])
    if rc != 0:
        return {}
    config = {}
    for line in out.splitlines():
        key, _, value = line.strip().partition(" ")
        if not key:
            continue
        if key in config:
            config[key] = (config[key] if isinstance(config[key], list) else [config[key]]) + [value]
        else:
            config[key] = value
    return config


def sysctl_values(keys):
    values = {}
    for key in keys:
        path = "/proc/sys/" + key.replace(".", "/")
        try:
            with open(path, encoding="utf-8") as fh:
                values[key] = " ".join(fh.read().split())
        except OSError:
            values[key] = None
    return values


def path_state(path):
    try:
        st = os.lstat(path)
    except OSError:
        return {"exists": False}
    try:
        owner = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        owner = str(st.st_uid)
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = str(st.st_gid)
    kind = "directory" if stat.S_ISDIR(st.st_mode) else "link" if stat.S_ISLNK(st.st_mode) else "file"
    return {"exists": True, "type": kind, "mode": f"{stat.S_IMODE(st.st_mode):04o}", "owner": owner, "group": group}


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def key_count(path):
    count = 0
    for line in read_text(path).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            count += 1
    return count


def authorized_keys():
    counts = {}
    for entry in pwd.getpwall():
        if entry.pw_dir in ("", "/", "/nonexistent"):
            continue
        counts[entry.pw_name] = sum(key_count(os.path.join(entry.pw_dir, ".ssh", name))
                                    for name in ("authorized_keys", "authorized_keys2"))
    return counts


def aging():
    result = {}
    for line in read_text("/etc/shadow").splitlines():
        fields = line.split(":")
        if len(fields) < 8:
            continue

        def number(value):
            return int(value) if value.strip().lstrip("-").isdigit() else None

        password = fields[1]
        kind = "empty" if password == "" else "locked" if password.startswith("!") else \
            "disabled" if password.startswith("*") else "hash"
        result[fields[0]] = {"password": kind, "lastchg": number(fields[2]), "min": number(fields[3]),
                             "max": number(fields[4]), "warn": number(fields[5]), "inactive": number(fields[6])}
    return result


def local_mounts():
    rc, out = run(["findmnt", "-rn", "-o", "TARGET,FSTYPE"])
    mounts = []
    for line in out.splitlines():
        parts = line.split(" ")
        if len(parts) == 2 and parts[1] in LOCAL_FS and parts[1] != "tmpfs":
            mounts.append(parts[0].replace("\\x20", " "))
    return mounts or ["/"]


def setuid_files():
    files = set()
    for mount in local_mounts():
        if mount.startswith(("/proc", "/sys", "/dev", "/run")):
            continue
        rc, out = run(["find", mount, "-xdev", "-type", "f", "-perm", "/6000"])
        files.update(line for line in out.splitlines() if line.startswith("/"))
    return sorted(files)


def disks(mount_points):
    """mount point -> {source, encrypted}: encrypted when a crypt device is among its ancestors."""
    rc, out = run(["lsblk", "-J", "-s", "-o", "NAME,TYPE,MOUNTPOINTS"])
    result = {m: {"source": "", "encrypted": False} for m in mount_points}
    try:
        tree = json.loads(out)["blockdevices"] if rc == 0 else []
    except (ValueError, KeyError):
        tree = []

    def has_crypt(node):
        return node.get("type") == "crypt" or any(has_crypt(c) for c in node.get("children") or [])

    for node in tree:  # -s: the mounted device first, its parents as children
        for mount in node.get("mountpoints") or []:
            if mount in result:
                result[mount] = {"source": node.get("name", ""), "encrypted": has_crypt(node)}
    for mount, info in result.items():
        if not info["source"]:
            rc, out = run(["findmnt", "-n", "-o", "SOURCE", mount])
            info["source"] = out.strip()
    return result


def main():
    module = AnsibleModule(
        argument_spec={
            "sshd": {"type": "bool", "default": False},
            "sysctl": {"type": "list", "elements": "str", "default": []},
            "paths": {"type": "list", "elements": "str", "default": []},
            "read_files": {"type": "list", "elements": "str", "default": []},
            "authorized_keys": {"type": "bool", "default": False},
            "aging": {"type": "bool", "default": False},
            "setuid": {"type": "bool", "default": False},
            "disks": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    p = module.params
    state = {"container": container(), "os": os_release()}
    if p["sshd"]:
        state["sshd"] = sshd_effective()
    if p["sysctl"]:
        state["sysctl"] = sysctl_values(p["sysctl"])
    if p["paths"]:
        state["paths"] = {path: path_state(path) for path in p["paths"]}
    if p["read_files"]:
        state["files"] = {path: read_text(path) for path in p["read_files"]}
    if p["authorized_keys"]:
        state["authorized_keys"] = authorized_keys()
    if p["aging"]:
        state["aging"] = aging()
    if p["setuid"]:
        state["setuid"] = setuid_files()
    if p["disks"]:
        state["disks"] = disks(p["disks"])
    module.exit_json(changed=False, state=state)


if __name__ == "__main__":
    main()
