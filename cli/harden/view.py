"""What a person sees: live progress while a run goes, then the findings and a per-host summary."""

from __future__ import annotations

import time

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from harden.catalog import Control
from harden.results import Collector, Status

STYLE = {
    Status.COMPLIANT: "green", Status.WOULD_CHANGE: "yellow", Status.CHANGED: "cyan",
    Status.HELD_BACK: "magenta", Status.EXCEPTED: "blue", Status.FAILED: "bold red",
}
DETAIL_LINES = 12  # per finding, unless --full


def make_console() -> Console:
    """A console for people; in logs and pipes, wide lines rather than wrapped ones."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=160)


class LiveProgress:
    """Hosts and tasks done, redrawn at most 8 times a second on a terminal; silent elsewhere."""

    def __init__(self, console: Console, hosts: tuple[str, ...], check: bool, silent: bool = False):
        self.console, self.hosts, self.check = console, hosts, check
        self.enabled = console.is_terminal and not silent
        self.live = Live(console=console, transient=True, auto_refresh=False)
        self.started = time.monotonic()
        self.last_draw = 0.0

    def __enter__(self):
        if self.enabled:
            self.live.start()
        return self

    def __exit__(self, *exc):
        if self.enabled:
            self.live.stop()

    def on_event(self, event: dict, collector: Collector) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last_draw < 0.125:
            return
        self.last_draw = now
        self.live.update(self._render(collector), refresh=True)

    def _render(self, collector: Collector):
        table = Table(box=None, pad_edge=False, show_header=True, header_style="bold")
        table.add_column("host")
        table.add_column("tasks", justify="right")
        table.add_column("findings", justify="right")
        for host in self.hosts:
            findings = sum(1 for (h, _), o in collector.outcomes.items() if h == host and o.status.is_finding)
            state = "unreachable" if host in collector.unreachable else str(collector.tasks_done.get(host, 0))
            table.add_row(host, state, str(findings))
        done = sum(1 for h in self.hosts if h in collector.tasks_done or h in collector.unreachable)
        mode = "check mode" if self.check else "apply"
        head = Text(f"{mode}: {done}/{len(self.hosts)} hosts started, {time.monotonic() - self.started:.0f}s"
                    f" - {collector.current_task}", style="dim")
        return Group(head, table)


def print_findings(console: Console, collector: Collector, catalog: dict[str, Control], full: bool) -> None:
    """Every finding, grouped by host, with the control's mappings and what changes."""
    findings = [o for o in collector.results() if o.status.is_finding or o.status is Status.EXCEPTED]
    for host, reason in sorted(collector.unreachable.items()):
        console.print(Text.assemble((host, "bold underline"), "  ", ("unreachable", "bold red"), f": {reason}"))
    for host in sorted({o.host for o in findings}):
        console.print(Text(host, style="bold underline"))
        for o in (f for f in findings if f.host == host):
            control = catalog.get(o.control)
            line = Text.assemble("  ", (o.control, "bold"), "  ", (o.status.value, STYLE[o.status]))
            if control:
                line.append(f"  [{control.severity}]  HIPAA {', '.join(control.hipaa)}"
                            f"  NIST {', '.join(control.nist)}", style="dim")
                console.print(line)
                console.print(Text(f"    {control.title}", style="italic"))
            else:
                console.print(line)
            details = o.details if full else o.details[:DETAIL_LINES]
            for detail in details:
                console.print(Text(f"      {detail}"))
            if len(o.details) > len(details):
                console.print(Text(f"      ... {len(o.details) - len(details)} more lines (--full shows all)",
                                   style="dim"))


def print_summary(console: Console, hosts: tuple[str, ...], collector: Collector) -> None:
    table = Table(title="Summary per host", title_justify="left", header_style="bold")
    table.add_column("host")
    columns = [Status.COMPLIANT, Status.WOULD_CHANGE if collector.check else Status.CHANGED,
               Status.HELD_BACK, Status.EXCEPTED, Status.FAILED]
    for status in columns:
        table.add_column(status.value, justify="right", style=STYLE[status])
    for host in hosts:
        if host in collector.unreachable:
            table.add_row(Text(f"{host} (unreachable)", style="bold red"), *["-"] * len(columns))
            continue
        mine = [o for (h, _), o in collector.outcomes.items() if h == host]
        if not mine:
            continue  # outside --limit
        counts = [sum(1 for o in mine if o.status is s) for s in columns]
        table.add_row(host, *map(str, counts))
    console.print(table)
