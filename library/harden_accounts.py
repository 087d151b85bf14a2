#!/usr/bin/python
"""Carry out a run's account plan in one remote call: every account of every control at once.

The plan (filter_plugins/harden_plan.py accounts_plan, and the auth role's aging plan) is computed on
the controller from the state gathered at the start, so every entry is a change the host needs; this
module makes them with the shadow tools and reports each under its control. Check mode changes nothing.
"""

DOCUMENTATION = r"""
module: harden_accounts
short_description: Remove, lock or age many accounts of many controls in one call
options:
  entries:
    description:
      - "Each: control (id), name (the account), action: remove (userdel), lock (password locked, shell
        nologin, account expired so keys stop working too), lock_password (password locked), nologin
        (password locked, shell nologin), or aging (chage with max, min and warn days)."
      - "An entry without a name only marks its control as examined."
    type: list
    elements: dict
    required: true
author: harden
"""

import pwd
import subprocess

from ansible.module_utils.basic import AnsibleModule

NOLOGIN = "/usr/sbin/nologin"
EXPIRED = "1970-01-02"  # one day after the epoch: the account is expired, whatever the password or key


def commands(entry):
    """The shadow-tool commands an entry needs."""
    name, action = entry["name"], entry["action"]
    if action == "remove":
        return [["userdel", name]]
    if action == "lock":
        return [["usermod", "--lock", "--shell", NOLOGIN, "--expiredate", EXPIRED, name]]
    if action == "lock_password":
        return [["usermod", "--lock", name]]
    if action == "nologin":
        return [["usermod", "--lock", "--shell", NOLOGIN, name]]
    if action == "aging":
        return [["chage", "--maxdays", str(entry["max"]), "--mindays", str(entry["min"]),
                 "--warndays", str(entry["warn"]), name]]
    raise ValueError(f"unknown action {action!r}")


def exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def main():
    module = AnsibleModule(argument_spec={"entries": {"type": "list", "elements": "dict", "required": True}},
                           supports_check_mode=True)
    controls, failed, removed = {}, {}, set()
    for entry in module.params["entries"]:
        control = entry.get("control", "?")
        changes = controls.setdefault(control, {"changes": [], "diff": []})["changes"]
        if "name" not in entry:
            continue  # examined, nothing to change
        if entry["name"] in removed:  # two controls name one account: the first removed it, in both modes
            changes.append(f"{entry['name']}: removed by this run")
            continue
        if not exists(entry["name"]):
            continue  # already gone (removed with its software): nothing to do
        try:
            for cmd in commands(entry):
                if not module.check_mode:
                    proc = subprocess.run(cmd, capture_output=True, text=True)
                    if proc.returncode != 0:
                        raise ValueError(f"{' '.join(cmd)}: {(proc.stderr or proc.stdout).strip()}")
            changes.append(f"{entry['name']}: {entry['action']} {entry.get('note', '')}".strip())
            if entry["action"] == "remove":
                removed.add(entry["name"])
        except (ValueError, KeyError) as exc:
            failed[control] = f"{entry.get('name')}: {exc}"
    result = {"changed": any(c["changes"] for c in controls.values()), "harden_controls": controls}
    if failed:
        module.fail_json(msg="; ".join(f"{c}: {m}" for c, m in failed.items()), harden_failed=failed, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
