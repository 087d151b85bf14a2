"""Plans: from the host state gathered once (harden_host_state) to what each control changes.

Pure functions, so check mode and apply compute the same plan from the same state, and unit tests
can cover them without a host. Every plan is keyed by control id.
"""

from __future__ import annotations

import time

NOLOGIN_SHELLS = {"/usr/sbin/nologin", "/sbin/nologin", "/bin/false", "/usr/bin/false", ""}
# base-passwd accounts whose shell is their job.
SHELL_IS_THE_JOB = {"sync", "shutdown", "halt"}


def purge_plan(denied: dict, installed, excluded=()) -> dict:
    """control -> installed packages it purges (sorted), leaving out packages the site excludes."""
    installed, excluded = set(installed), set(excluded)
    return {control: sorted((set(pkgs) & installed) - excluded) for control, pkgs in denied.items()}


def purge_now(plan: dict, run_tags, skip_tags) -> list:
    """Every package the controls this run executes purge: one apt call for all of them."""
    return sorted({p for pkgs in selected(plan, run_tags, skip_tags).values() for p in pkgs})


def purged_notes(packages: list, result: dict, planned: list) -> list:
    """A control's part of the one purge, and what apt took with it that no control named (reverse
    dependencies, from apt's plan: the diff in check mode, its output when applied)."""
    text = ((result or {}).get("diff") or {}).get("prepared") or (result or {}).get("stdout") or ""
    removed, listing = [], False
    for line in text.splitlines():
        if line.startswith("The following packages will be REMOVED"):
            listing = True
        elif listing and line.startswith("  "):
            removed += [name.rstrip("*") for name in line.split()]
        else:
            listing = False
    others = sorted(set(removed) - set(planned))
    notes = [f"purge: {' '.join(packages)}"]
    return notes + [f"the same apt call also removes: {' '.join(others)}"] if others else notes


def packages_in_sections(packages: dict, sections) -> list:
    """Installed packages whose Debian section (ignoring the archive area prefix) is in sections."""
    wanted = set(sections)
    return sorted(name for name, section in packages.items() if section.rsplit("/", 1)[-1] in wanted)


def mask_plan(denied: dict, installed, keep, package_units: dict, unit_files: dict) -> dict:
    """control -> units to mask: those of kept packages, for units that exist and are not masked."""
    kept = set(installed) & set(keep)
    plan = {}
    for control, pkgs in denied.items():
        units = {u for p in set(pkgs) & kept for u in package_units.get(p, [])}
        plan[control] = sorted(u for u in units if u in unit_files and unit_files[u] != "masked")
    return plan


def _item(name, action, note=""):
    return {"name": name, "action": action, "note": note}


def accounts_plan(state: dict, weak: list, settings: dict, now: float | None = None) -> dict:
    """control -> [{name, action, note}] for the accounts role.

    Actions: remove (delete the account), lock (password locked, account expired, nologin shell),
    lock_password, nologin (nologin shell and password locked), held_back (protected: reported,
    never touched), report (a finding a person must act on).
    """
    now = time.time() if now is None else now
    today = int(now // 86400)
    accounts = {a["name"]: a for a in state["accounts"]}
    protected = set(settings.get("protected", [])) | {"root", state.get("operator", "root")}
    uid_min, uid_max = state.get("uid_min", 1000), state.get("uid_max", 60000)

    def human(a):
        return uid_min <= a["uid"] <= uid_max

    def can_log_in(a):
        return a["password"] in ("hash", "empty") or a["shell"] not in NOLOGIN_SHELLS

    plan = {c: [] for c in (
        "acct-software-accounts-removed", "acct-generic-accounts-removed", "acct-uid0-only-root",
        "acct-weak-passwords-locked", "acct-no-empty-passwords", "acct-legacy-defaults-locked",
        "acct-system-nologin-locked", "acct-dormant-accounts")}
    removed = set()

    def add(control, name, action, note=""):
        if name in protected:
            plan[control].append(_item(name, "held_back", note or "protected account: not changed"))
        else:
            plan[control].append(_item(name, action, note))
            if action == "remove":
                removed.add(name)

    # Accounts of software that is gone, or is being purged in this run, and is not kept.
    remaining = set(state["packages"]) - set(settings.get("purged_packages", []))
    owners = {}
    for package, names in settings.get("package_accounts", {}).items():
        for name in names:
            owners.setdefault(name, set()).add(package)
    for name in sorted(owners):
        if name in accounts and not owners[name] & remaining:
            going = sorted(owners[name] & set(state["packages"]))
            add("acct-software-accounts-removed", name, "remove",
                "goes with " + ", ".join(going) if going else "left behind by removed software")

    generic = set(settings.get("generic", []))
    generic_action = "remove" if settings.get("generic_action") == "remove" else "lock"
    for name in sorted(generic & set(accounts)):
        if generic_action == "remove" or not _fully_locked(accounts[name], today):
            add("acct-generic-accounts-removed", name, generic_action)

    for name, a in sorted(accounts.items()):
        if a["uid"] == 0 and name != "root" and name not in removed and not _fully_locked(a, today):
            add("acct-uid0-only-root", name, "lock", "UID 0: renumbering is left to a person")

    for name in sorted(set(weak) & set(accounts)):
        if name not in removed:
            add("acct-weak-passwords-locked", name, "lock_password")

    for name, a in sorted(accounts.items()):
        if a["password"] == "empty" and name not in removed:
            add("acct-no-empty-passwords", name, "lock_password")

    for name in sorted(set(settings.get("legacy", [])) & set(accounts)):
        a = accounts[name]
        if name not in removed and (a["shell"] not in NOLOGIN_SHELLS or a["password"] in ("hash", "empty")):
            add("acct-legacy-defaults-locked", name, "nologin")

    shell_allowed = set(settings.get("system_shell_allowed", [])) | SHELL_IS_THE_JOB | {"root"}
    legacy = set(settings.get("legacy", []))
    for name, a in sorted(accounts.items()):
        if human(a) or name in shell_allowed or name in removed or name in legacy or a["uid"] == 0:
            continue
        if a["shell"] not in NOLOGIN_SHELLS or a["password"] in ("hash", "empty"):
            add("acct-system-nologin-locked", name, "nologin")

    days = int(settings.get("dormant_days", 90))
    dormant_action = "lock" if settings.get("dormant_lock") else "report"
    in_use = {"root", state.get("operator", "root")}  # the run itself is their login
    locked_now = {i["name"] for c in ("acct-generic-accounts-removed", "acct-uid0-only-root")
                  for i in plan[c] if i["action"] in ("lock", "remove")}
    for name, a in sorted(accounts.items()):
        if not human(a) or name in in_use | removed | locked_now or _fully_locked(a, today) or not can_log_in(a):
            continue
        last = a.get("last_login")
        if last is None or now - last > days * 86400:
            seen = "never logged in" if last is None else f"last login {int((now - last) // 86400)} days ago"
            add("acct-dormant-accounts", name, dormant_action, seen)
    return plan


def _fully_locked(a, today: int) -> bool:
    """No way in: password locked, no login shell, account expired (which also stops SSH keys)."""
    expired = a.get("expires") is not None and a["expires"] <= today
    return a["password"] in ("locked", "disabled") and a["shell"] in NOLOGIN_SHELLS and expired


def with_actions(items: list, actions) -> list:
    """Plan items whose action is one of actions."""
    wanted = {actions} if isinstance(actions, str) else set(actions)
    return [i for i in items if i["action"] in wanted]


def changed_path(result: dict, prefix: str) -> bool:
    """Whether a harden_files result changed a path starting with prefix (under any control): the
    follow-up a role owes that file (a reload, a re-read) hangs on this."""
    controls = (result or {}).get("harden_controls") or {}
    return any(change.startswith(prefix) for c in controls.values() for change in c.get("changes", []))


def account_entries(plan: dict, actions, existing: list) -> dict:
    """control -> the accounts its plan changes (harden_accounts entries), leaving out accounts that no
    longer exist (removed with their software by this run's purge)."""
    existing = set(existing)
    return {control: [{"name": i["name"], "action": i["action"], "note": i["note"]}
                      for i in with_actions(items, actions) if i["name"] in existing]
            for control, items in plan.items()}


def plan_notes(items: list) -> list:
    """Human lines for the items a run does not change (held back or for review)."""
    return [f"{i['name']}: {i['note'] or i['action']}" for i in items if i["action"] in ("held_back", "report")]


def selected(plan: dict, run_tags, skip_tags) -> dict:
    """The part of a plan whose controls this run executes (--controls / --skip-controls are tags)."""
    run_all = not run_tags or "all" in run_tags
    return {c: v for c, v in plan.items() if (run_all or c in run_tags) and c not in (skip_tags or [])}


def runs(control: str, run_tags, skip_tags) -> bool:
    """Whether this run executes a control (not left out by --controls, --skip-controls or an exception)."""
    return bool(selected({control: True}, run_tags, skip_tags))


def for_run(files: dict, run_tags, skip_tags) -> list:
    """Entries for a module acting for many controls (harden_files, harden_accounts) from {control: [entry,
    ...]}, each marked with its control, for the controls this run executes (the one task is tagged
    always; exceptions and --skip-controls act here).
    A control with nothing to put in place still gets a bare {control} entry, so it is reported as examined."""
    return [{**entry, "control": control} for control, entries in selected(files, run_tags, skip_tags).items()
            for entry in entries or [{}]]


def units_off(names: list, state: dict, running: bool) -> list:
    """Units not yet enabled (or, when running is true, not yet running) by the host state gathered at
    the start: only these need a systemd call."""
    active = set(state.get("active_units", []))
    return [n for n in names if state.get("units", {}).get(n) != "enabled" or (running and n not in active)]


def missing(packages: list, state: dict) -> list:
    """Packages the host state says are not installed: only these need an apt call."""
    return [p for p in packages if p not in state.get("packages", {})]


def paths_outside(paths: list, dirs: list) -> list:
    """Paths not inside any of dirs."""
    prefixes = [d.rstrip("/") + "/" for d in dirs if d not in ("", "/")]
    return [p for p in paths if not any(p.startswith(prefix) for prefix in prefixes)]


class FilterModule:
    def filters(self):
        return {
            "harden_purge_plan": purge_plan,
            "harden_packages_in_sections": packages_in_sections,
            "harden_mask_plan": mask_plan,
            "harden_accounts_plan": accounts_plan,
            "harden_with_actions": with_actions,
            "harden_plan_notes": plan_notes,
            "harden_paths_outside": paths_outside,
            "harden_selected": selected,
            "harden_runs": runs,
            "harden_for_run": for_run,
            "harden_account_entries": account_entries,
            "harden_changed_path": changed_path,
            "harden_purge_now": purge_now,
            "harden_purged_notes": purged_notes,
            "harden_units_off": units_off,
            "harden_missing": missing,
        }
