#!/usr/bin/python
"""Pending updates, pending security updates, reboot-required and APT trust settings, read-only.

Safe in check mode: package lists are fetched into harden's own lists directory with the host's
sources (plus the release's security archive when the host lacks it, so check mode can predict what
apply installs once it adds that archive), and the upgrade is only simulated. The host's APT
configuration, its package lists and its packages are not touched.
"""

DOCUMENTATION = r"""
module: harden_apt_updates
short_description: Report pending and security updates, reboot-required and APT trust settings
options:
  security_source:
    description: deb822 stanza of the release's security archive, used when no configured source has it
      ({codename} is replaced by the release's code name).
    type: str
    required: true
  lists_dir:
    description: harden's own APT lists directory (a cache, not the host's).
    type: path
    default: /var/lib/harden/apt-lists
  cache_valid_time:
    description: Seconds the lists in lists_dir stay fresh before they are fetched again.
    type: int
    default: 3600
author: harden
"""

import glob
import os
import re
import shutil
import subprocess
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

INST = re.compile(r"^Inst (\S+) (?:\[(\S+)\] )?\((\S+) (.*)\)")
UNAUTH = re.compile(r'^\s*(APT::Get::AllowUnauthenticated|Acquire::AllowInsecureRepositories|'
                    r'Acquire::AllowDowngradeToInsecureRepositories)\s+"?(true|yes|1)"?\s*;', re.I | re.M)


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def source_files():
    return [p for p in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*"))
            if p.endswith((".list", ".sources")) and os.path.isfile(p)]


def has_security(files):
    for path in files:
        for line in read(path).splitlines():
            line = line.split("#", 1)[0]
            if re.search(r"(debian-security|[a-z]+-security\b|security\.debian\.org)", line):
                return True
    return False


def trusted_sources(files):
    found = []
    for path in files:
        for line in read(path).splitlines():
            body = line.split("#", 1)[0]
            if re.search(r"trusted=yes", body) or re.match(r"^\s*Trusted:\s*yes", body, re.I):
                found.append(f"{path}: {line.strip()}")
    return found


def unauthenticated_settings():
    found = []
    for path in ["/etc/apt/apt.conf"] + sorted(glob.glob("/etc/apt/apt.conf.d/*")):
        if os.path.isfile(path):
            for match in UNAUTH.finditer(read(path)):
                found.append({"path": path, "setting": match.group(1)})
    return found


def main():
    module = AnsibleModule(
        argument_spec={
            "security_source": {"type": "str", "required": True},
            "lists_dir": {"type": "path", "default": "/var/lib/harden/apt-lists"},
            "cache_valid_time": {"type": "int", "default": 3600},
        },
        supports_check_mode=True,
    )
    p = module.params
    codename = ""
    for line in read("/etc/os-release").splitlines():
        if line.startswith("VERSION_CODENAME="):
            codename = line.split("=", 1)[1].strip().strip('"')
    security_source = p["security_source"].replace("{codename}", codename)
    files = source_files()
    security_configured = has_security(files)
    lists = p["lists_dir"]
    os.makedirs(os.path.join(lists, "partial"), exist_ok=True)
    parts = tempfile.mkdtemp(prefix="harden-apt-")
    try:
        for path in files:
            if path != "/etc/apt/sources.list":
                shutil.copy(path, parts)
        if not security_configured:
            with open(os.path.join(parts, "harden-security.sources"), "w", encoding="utf-8") as fh:
                fh.write(security_source.strip() + "\n")
        opts = ["-o", f"Dir::Etc::SourceParts={parts}", "-o", f"Dir::State::Lists={lists}",
                "-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache=",
                "-o", "APT::Sandbox::User=root"]
        stamp = os.path.join(lists, ".harden-updated")
        fresh = os.path.exists(stamp) and time.time() - os.path.getmtime(stamp) < p["cache_valid_time"] \
            and read(stamp) == str(sorted(os.listdir(parts)))
        if not fresh:
            proc = subprocess.run(["apt-get", "-qq", *opts, "update"], capture_output=True, text=True)
            if proc.returncode != 0:
                module.fail_json(msg="apt-get update (harden's own lists) failed: " + proc.stderr[-1000:])
            with open(stamp, "w", encoding="utf-8") as fh:
                fh.write(str(sorted(os.listdir(parts))))
        proc = subprocess.run(["apt-get", "-s", "-o", "Debug::NoLocking=1", *opts, "dist-upgrade"],
                              capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
        if proc.returncode != 0:
            module.fail_json(msg="apt-get -s dist-upgrade failed: " + proc.stderr[-1000:])
    finally:
        shutil.rmtree(parts, ignore_errors=True)
    updates = []
    for line in proc.stdout.splitlines():
        match = INST.match(line)
        if match:
            name, current, candidate, origins = match.groups()
            updates.append({"name": name, "current": current or "", "candidate": candidate,
                            "security": "-Security:" in origins or "-security" in origins})
    # The host's own lists: their age lets the role skip a refresh apt would skip anyway (one round trip).
    stamp = next((s for s in ("/var/lib/apt/periodic/update-success-stamp", "/var/lib/apt/lists")
                  if os.path.exists(s)), None)
    lists_age = int(time.time() - os.path.getmtime(stamp)) if stamp else None
    reboot = os.path.exists("/run/reboot-required") or os.path.exists("/var/run/reboot-required")
    module.exit_json(changed=False, state={
        "codename": codename,
        "security_source": security_source.strip() + "\n",
        "security_source_configured": security_configured,
        "updates": updates,
        "reboot_required": reboot,
        "system_lists_age": lists_age,
        "reboot_packages": sorted(set(read("/run/reboot-required.pkgs").split())),
        "unauthenticated_settings": unauthenticated_settings(),
        "trusted_sources": trusted_sources(files),
    })


if __name__ == "__main__":
    main()
