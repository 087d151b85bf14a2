"""Plans for the settings roles (auth, system, patching, protection): pure functions of gathered state.

Kept apart from harden_plan.py (packages and accounts) so each file stays about one kind of plan.
"""

from __future__ import annotations


def aging_plan(accounts: list, aging: dict, uid_min: int, uid_max: int, limits: dict) -> list:
    """Interactive accounts with a password (usable, locked or empty) whose aging is looser than limits.

    limits: {max, min, warn} in days. A locked password still counts: it can be unlocked later, and
    check mode must plan the same accounts that apply does after the accounts role locked some.
    """
    names = []
    for account in accounts:
        entry = aging.get(account["name"])
        if entry is None or not uid_min <= account["uid"] <= uid_max:
            continue
        if entry.get("password") not in ("hash", "locked", "empty"):
            continue
        loose = (entry.get("max") is None or entry["max"] > limits["max"]
                 or entry.get("min") is None or entry["min"] < limits["min"]
                 or entry.get("warn") is None or entry["warn"] < limits["warn"])
        if loose:
            names.append(account["name"])
    return sorted(names)


def aging_entries(names: list, max_days, min_days, warn_days) -> list:
    """harden_accounts entries: the profile's password aging for each account (auth-pw-aging)."""
    return [{"control": "auth-pw-aging", "name": n, "action": "aging", "max": max_days, "min": min_days,
             "warn": warn_days} for n in names] or [{"control": "auth-pw-aging"}]


def sysctl_off(wanted: dict, current: dict) -> dict:
    """Kernel parameters whose current value differs from the wanted one (missing keys are left out)."""
    off = {}
    for key, value in wanted.items():
        now = current.get(key)
        if now is not None and " ".join(str(now).split()) != " ".join(str(value).split()):
            off[key] = {"now": now, "wanted": str(value)}
    return off


def sysctl_files(wanted: dict, existing: list, live: bool, path: str) -> dict:
    """harden_files entries per control: its kernel parameters (those this kernel has) persisted in its own
    file, and set in the running kernel too when live (not in a container, whose kernel is the host's)."""
    files = {}
    for control, values in wanted.items():
        values = {k: str(v) for k, v in values.items() if k in existing}
        content = f"# harden: {control}\n" + "".join(f"{k}={v}\n" for k, v in values.items())
        files[control] = [{"path": path.replace("CONTROL", control), "content": content, "owner": "root",
                           "group": "root", "mode": "0644", "sysctl": values if live else {}}]
    return files


def rules_files(rules: dict, path: str) -> dict:
    """harden_files entries per control: its audit rules in its own root-only file (CONTROL in path is the
    control id without its audit-rules- prefix)."""
    return {control: [{"path": path.replace("CONTROL", control.removeprefix("audit-rules-")), "owner": "root",
                       "group": "root", "mode": "0640",
                       "content": f"## harden: {control}\n" + "".join(f"{rule}\n" for rule in lines)}]
            for control, lines in rules.items()}


def block_files(blocks: dict, path: str, marker: str, validate: str) -> dict:
    """harden_files entries per control: its lines as one marked block of a shared root-only file
    (CONTROL in marker is the control id). A control without lines has no entry: its block stays."""
    return {control: [{"path": path, "marker": marker.replace("CONTROL", control), "block": "\n".join(lines),
                       "owner": "root", "group": "root", "mode": "0600", "validate": validate}] if lines else []
            for control, lines in blocks.items()}


def sshd_lines(effective: dict) -> list:
    """`sshd -T` lines ("keyword value", lower case) from the keyword -> value(s) dict the state module reads."""
    return [f"{key} {value}".lower() for key, values in effective.items()
            for value in (values if isinstance(values, list) else [values])]


def allow_files(files: dict, users: list) -> list:
    """harden_files entries for cron.allow/at.allow: {path: group that reads it} and the allowed users."""
    return [{"path": path, "owner": "root", "group": group, "mode": "0640", "content": "".join(f"{u}\n" for u in users)}
            for path, group in files.items()]


def setting_lines(settings: dict, regexp: str, line: str) -> list:
    """harden_files `lines` for key/value settings: regexp and line are formats with {key} and {value}."""
    return [{"regexp": regexp.format(key=k), "line": line.format(key=k, value=v)} for k, v in settings.items()]


def security_updates(updates: list, excluded=()) -> list:
    """Names of packages with a pending security update, leaving out packages this run purges."""
    excluded = set(excluded)
    return sorted({u["name"] for u in updates if u.get("security") and u["name"] not in excluded})


def other_updates(updates: list, excluded=()) -> list:
    """'name: current -> candidate' for pending updates that are not security updates."""
    excluded = set(excluded)
    return sorted(f"{u['name']}: {u['current']} -> {u['candidate']}" for u in updates
                  if not u.get("security") and u["name"] not in excluded)


def perms_plan(wanted: list, paths: dict) -> list:
    """Existing paths whose mode is looser than allowed or whose owner or group is wrong.

    wanted: [{path, mode (the loosest allowed, octal string), owner, group}]. The planned mode keeps
    the current bits that are allowed, so a stricter mode is never loosened.
    """
    plan = []
    for item in wanted:
        now = paths.get(item["path"], {})
        if not now.get("exists") or now.get("type") == "link":
            continue
        current, allowed = int(now["mode"], 8), int(str(item["mode"]), 8)
        mode = current & allowed
        if mode != current or now["owner"] != item["owner"] or now["group"] != item["group"]:
            plan.append({"path": item["path"], "mode": f"{mode:04o}", "owner": item["owner"], "group": item["group"],
                         "was": f"{now['mode']} {now['owner']}:{now['group']}"})
    return plan


class FilterModule:
    def filters(self):
        return {
            "harden_aging_plan": aging_plan,
            "harden_sysctl_off": sysctl_off,
            "harden_aging_entries": aging_entries,
            "harden_sysctl_files": sysctl_files,
            "harden_allow_files": allow_files,
            "harden_block_files": block_files,
            "harden_sshd_lines": sshd_lines,
            "harden_rules_files": rules_files,
            "harden_setting_lines": setting_lines,
            "harden_security_updates": security_updates,
            "harden_other_updates": other_updates,
            "harden_perms_plan": perms_plan,
        }
