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


def sysctl_off(wanted: dict, current: dict) -> dict:
    """Kernel parameters whose current value differs from the wanted one (missing keys are left out)."""
    off = {}
    for key, value in wanted.items():
        now = current.get(key)
        if now is not None and " ".join(str(now).split()) != " ".join(str(value).split()):
            off[key] = {"now": now, "wanted": str(value)}
    return off


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
            "harden_security_updates": security_updates,
            "harden_other_updates": other_updates,
            "harden_perms_plan": perms_plan,
        }
