"""`harden runs` and `harden show RUN`: what the ledger holds."""

from __future__ import annotations

import datetime as dt
import json

import click
from rich.table import Table
from rich.text import Text

from harden.catalog import load_catalog
from harden.ledger import Ledger
from harden.paths import state_dir
from harden.results import Status
from harden.view import STYLE, make_console

console = make_console()


def _ledger(ctx: click.Context) -> Ledger:
    return Ledger((ctx.obj or {}).get("ledger") or state_dir() / "ledger.sqlite3")


def _when(epoch: float | None) -> str:
    return dt.datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M:%S") if epoch else "-"


@click.command(name="runs")
@click.option("--kind", type=click.Choice(["check", "apply", "evaluate"]), help="Only runs of this kind.")
@click.option("-n", "--last", "count", type=click.IntRange(1), default=30, show_default=True, help="How many.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@click.pass_context
def runs_command(ctx, kind, count, as_json) -> None:
    """List recorded runs, newest first."""
    records = _ledger(ctx).runs(limit=count, kind=kind)
    if as_json:
        click.echo(json.dumps([r.__dict__ for r in records], indent=2, default=str))
        return
    table = Table(header_style="bold")
    for column in ("run", "kind", "status", "started", "secs", "environment", "profile", "change", "hosts",
                   "findings", "failed", "by"):
        table.add_column(column)
    for r in records:
        findings = sum(v for k, v in r.counts.items() if k in ("would change", "changed", "held back"))
        secs = f"{r.ended_at - r.started_at:.0f}" if r.ended_at else "-"
        table.add_row(r.id, r.kind, r.status, _when(r.started_at), secs, r.environment or "-", r.profile_name,
                      r.change_id or "-", str(len(r.hosts)), str(findings), str(r.failed), r.operator)
    console.print(table if table.row_count else "the ledger holds no run yet")


@click.command(name="show")
@click.argument("run_id")
@click.option("--full", is_flag=True, help="Every line of every outcome.")
@click.pass_context
def show_command(ctx, run_id, full) -> None:
    """One recorded run: who, when, what, and every host and control outcome."""
    ledger = _ledger(ctx)
    r = ledger.run(run_id)
    fields = [("run", r.id), ("kind", r.kind), ("status", r.status), ("started", _when(r.started_at)),
              ("ended", _when(r.ended_at)), ("operator", r.operator), ("toolkit", r.toolkit_version),
              ("profile", f"{r.profile_name} ({r.profile_digest})"), ("inventory", r.inventory),
              ("environment", r.environment or "-"), ("change id", r.change_id or "-"),
              ("gated on test run", r.gate_run_id or "-"), ("gate override", r.override_reason or "-"),
              ("evaluates", r.parent_id or "-"), ("selection", json.dumps(r.selection)),
              ("exit code", "-" if r.exit_code is None else str(r.exit_code)), ("note", r.note or "-"),
              ("artifacts", ", ".join(r.artifacts) or "-")]
    for child in ledger.children(r.id):
        fields.append(("evaluated by", f"{child.id} ({child.status})"))
    width = max(len(k) for k, _ in fields)
    for key, value in fields:
        click.echo(f"{key.ljust(width)}  {value}")
    catalog = load_catalog()
    for host, reason in ledger.unreachable(r.id).items():
        console.print(Text.assemble((host, "bold"), "  ", ("unreachable", "bold red"), f": {reason}"))
    for row in ledger.outcomes(r.id):
        status = Status(row["status"])
        control = catalog.get(row["control"])
        line = Text.assemble((row["host"], "bold"), "  ", row["control"], "  ", (status.value, STYLE[status]))
        if control:
            line.append(f"  HIPAA {', '.join(control.hipaa)}", style="dim")
        console.print(line)
        details = json.loads(row["details"])
        for detail in details if full else details[:12]:
            console.print(Text(f"    {detail}"))
