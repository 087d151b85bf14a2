#!/usr/bin/python
"""The asset inventory of one host: what the HIPAA risk analysis starts from. Read-only."""

DOCUMENTATION = r"""
module: harden_assets
short_description: Collect a host's asset facts (OS, kernel, packages, services, ports, accounts, updates)
description:
  - Reads the host and changes nothing; safe in check mode. Pending updates come from the package
    lists already on the host (run apt-get update beforehand for fresh ones).
author: harden
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.harden_facts import (
    enabled_services,
    listening_ports,
    local_accounts,
    os_release,
    packages_with_versions,
    pending_updates,
)


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    release = os_release()
    updates = pending_updates()
    lists = "/var/lib/apt/lists"
    stamps = [os.path.getmtime(os.path.join(lists, f)) for f in os.listdir(lists)] if os.path.isdir(lists) else []
    module.exit_json(changed=False, assets={
        "os": release.get("PRETTY_NAME", ""), "os_id": release.get("ID", ""),
        "os_version": release.get("VERSION_ID", ""), "codename": release.get("VERSION_CODENAME", ""),
        "kernel": platform.release(), "architecture": platform.machine(),
        "packages": packages_with_versions(), "enabled_services": enabled_services(),
        "listening": listening_ports(), "accounts": local_accounts(),
        "pending_updates": updates, "security_updates": [u for u in updates if u["security"]],
        "package_lists_updated": max(stamps) if stamps else None,
        "reboot_required": os.path.exists("/var/run/reboot-required"),
    })


if __name__ == "__main__":
    main()
