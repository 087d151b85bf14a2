"""From ansible-runner events to one outcome per host and control.

A task belongs to the control its name starts with ("<control-id> | ..."), except that a module acting
for many controls at once (harden_files) reports each in its result's harden_controls. A control's outcome on a
host is the worst of its tasks': failed > held back > would change/changed > compliant. A host that
cannot be reached has no outcomes, only its reason in Collector.unreachable.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from enum import StrEnum

from harden.errors import EXIT_COMPLIANT, EXIT_FINDINGS, EXIT_NOT_RUN

RUN_TASK = "(run)"  # outcome key for a failure in a task that names no control


class Status(StrEnum):
    COMPLIANT = "compliant"
    WOULD_CHANGE = "would change"
    CHANGED = "changed"
    HELD_BACK = "held back"
    EXCEPTED = "excepted"  # a documented exception in the profile: not applied on this host
    FAILED = "failed"

    @property
    def is_finding(self) -> bool:
        return self not in (Status.COMPLIANT, Status.EXCEPTED)


RANK = {Status.COMPLIANT: 0, Status.EXCEPTED: 0, Status.WOULD_CHANGE: 1, Status.CHANGED: 1, Status.HELD_BACK: 2,
        Status.FAILED: 3}


@dataclass
class Outcome:
    host: str
    control: str
    status: Status = Status.COMPLIANT
    details: list[str] = field(default_factory=list)  # what changes or would change, and why

    def raise_to(self, status: Status) -> None:
        if RANK[status] > RANK[self.status]:
            self.status = status


def control_of(task_name: str) -> str | None:
    head, sep, _ = (task_name or "").partition(" | ")
    return head.strip() if sep and "-" in head and " " not in head.strip() else None


def render_diff(diff) -> list[str]:
    """Readable lines from a module's diff (before/after, or the 'prepared' text apt gives)."""
    lines: list[str] = []
    for part in diff if isinstance(diff, list) else [diff]:
        if not isinstance(part, dict):
            continue
        if part.get("prepared"):
            lines += _apt_summary(str(part["prepared"]))
        before, after = part.get("before"), part.get("after")
        if isinstance(before, str) and isinstance(after, str) and before != after:
            lines += [ln.rstrip("\n") for ln in difflib.unified_diff(
                before.splitlines(True), after.splitlines(True),
                part.get("before_header", "before"), part.get("after_header", "after"))]
        elif isinstance(before, dict) and isinstance(after, dict):
            lines += [f"{k}: {before.get(k)} -> {after.get(k)}" for k in sorted(set(before) | set(after))
                      if before.get(k) != after.get(k)]
    return lines


APT_PLAN = re.compile(r"^The following (NEW |additional )?packages? will be")


def _apt_summary(text: str) -> list[str]:
    """apt's plan without its advice: the REMOVED/installed package lists."""
    keep, lines = False, []
    for line in text.splitlines():
        if APT_PLAN.match(line):
            keep = True
            lines.append(line.replace("The following ", "").rstrip(":") + ":")
        elif keep and line.startswith("  "):
            lines.append(line)
        else:
            keep = False
    return lines


class Collector:
    """Folds runner events into outcomes; also counts what the live view shows."""

    def __init__(self, check: bool, excepted: dict | None = None, selected=(), skipped=()):
        self.check = check
        self.excepted = excepted or {}  # host -> {control: why}, from the profile
        # --controls / --skip-controls: a task shared by several controls reports only for the chosen ones
        self.selected, self.skipped = set(selected), set(skipped)
        self.outcomes: dict[tuple[str, str], Outcome] = {}
        self.unreachable: dict[str, str] = {}
        self.tasks_done: dict[str, int] = {}
        self.current_task = ""

    def outcome(self, host: str, control: str) -> Outcome:
        return self.outcomes.setdefault((host, control), Outcome(host, control))

    def feed(self, event: dict) -> None:
        kind = event.get("event", "")
        data = event.get("event_data", {})
        if kind == "playbook_on_task_start":
            self.current_task = data.get("task", "")
            return
        if kind not in ("runner_on_ok", "runner_on_failed", "runner_on_skipped", "runner_on_unreachable"):
            return
        host = data.get("host", "?")
        self.tasks_done[host] = self.tasks_done.get(host, 0) + 1
        res = data.get("res") or {}
        control = control_of(data.get("task", ""))
        if kind == "runner_on_unreachable":
            msg = " ".join(str(res.get("msg", "unreachable")).split())
            self.unreachable[host] = msg.removeprefix("Task failed: ")
            return
        if "harden_controls" in res:  # one call for many controls (harden_files): each reports its own
            self._feed_per_control(host, data.get("task", ""), res)
            return
        if kind == "runner_on_failed" and not data.get("ignore_errors"):
            out = self.outcome(host, control or RUN_TASK)
            out.raise_to(Status.FAILED)
            out.details.append(f"{data.get('task', '')}: {_failure_message(res)}")
            return
        if control is None or not self._chosen(control):
            return
        out = self.outcome(host, control)
        if kind == "runner_on_skipped":
            return
        if res.get("changed"):
            out.raise_to(Status.WOULD_CHANGE if self.check else Status.CHANGED)
            out.details += _change_details(res)
        if " | Held back" in data.get("task", "") and res.get("msg"):
            out.raise_to(Status.HELD_BACK)
            msg = res["msg"]
            out.details += [f"held back: {m}" for m in (msg if isinstance(msg, list) else [msg])]

    def _feed_per_control(self, host: str, task: str, res: dict) -> None:
        for control, message in (res.get("harden_failed") or {}).items():
            out = self.outcome(host, control)
            out.raise_to(Status.FAILED)
            out.details.append(f"{task}: {message}")
        for control, change in res["harden_controls"].items():
            if not self._chosen(control):
                continue
            out = self.outcome(host, control)  # examined: compliant unless it changed
            if change.get("changes"):
                out.raise_to(Status.WOULD_CHANGE if self.check else Status.CHANGED)
                out.details += change["changes"] + ["  " + ln for ln in render_diff(change.get("diff", []))]

    def _chosen(self, control: str) -> bool:
        return (not self.selected or control in self.selected or control == "inv-host-facts") \
            and control not in self.skipped

    def results(self) -> list[Outcome]:
        """Outcomes; a control excepted on a host, and left alone there, is reported as excepted."""
        for host, controls in self.excepted.items():
            if host in self.unreachable or not any(h == host for h, _ in self.outcomes):
                continue
            for control, why in controls.items():
                if not self._chosen(control):
                    continue
                out = self.outcome(host, control)
                if out.status is Status.COMPLIANT:
                    out.status = Status.EXCEPTED
                    out.details = [why]
        return sorted(self.outcomes.values(), key=lambda o: (o.host, o.control))

    def hosts(self) -> list[str]:
        return sorted({o.host for o in self.outcomes.values()} | set(self.unreachable))


def _failure_message(res: dict) -> str:
    msg = res.get("msg") or res.get("stderr") or res.get("module_stderr") or "failed"
    return " ".join(str(msg).split())[:500]


def _change_details(res: dict) -> list[str]:
    details = render_diff(res.get("diff")) if res.get("diff") else []
    for item in res.get("results") or []:
        if isinstance(item, dict) and item.get("changed"):
            label = item.get("_ansible_item_label", item.get("item"))
            details.append(str(label).strip())
            if item.get("diff"):
                details += ["  " + ln for ln in render_diff(item["diff"])]
    if not details and isinstance(res.get("msg"), list):
        details += [str(m) for m in res["msg"]]
    return details


def exit_code(collector: Collector) -> int:
    """0 all compliant, 2 findings (an unreachable host is one), 1 no host reached at all."""
    reached = [h for h in collector.hosts() if h not in collector.unreachable]
    if not reached:
        return EXIT_NOT_RUN
    findings = collector.unreachable or any(o.status.is_finding for o in collector.outcomes.values())
    return EXIT_FINDINGS if findings else EXIT_COMPLIANT


def as_dict(collector: Collector) -> dict:
    """Machine-readable results: per host, unreachable reason or per-control status and details."""
    hosts: dict[str, dict] = {h: {"unreachable": r, "controls": {}} for h, r in collector.unreachable.items()}
    for o in collector.results():
        entry = hosts.setdefault(o.host, {"unreachable": None, "controls": {}})
        entry["controls"][o.control] = {"status": o.status.value, "details": o.details}
    return {"mode": "check" if collector.check else "apply", "hosts": hosts}
