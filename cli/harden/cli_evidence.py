"""`harden report`, `harden evidence`, `harden diff`: what a run leaves for auditors."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from harden.cli_ledger import _ledger
from harden.errors import HardenError
from harden.evidence import build_bundle, drift, verify_bundle
from harden.reports import FORMATS, load_report_data, render
from harden.view import make_console

console = make_console()


@click.command(name="report")
@click.argument("run_id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@click.pass_context
def report_command(ctx, run_id, fmt, out) -> None:
    """A report of a recorded run: html, md, json, csv, junit or oscal."""
    text = render(load_report_data(_ledger(ctx), run_id), fmt)
    if out:
        Path(out).write_text(text)
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


@click.command(name="evidence")
@click.argument("target")
@click.argument("bundle", required=False)
@click.option("--out", type=click.Path(dir_okay=False), help="The bundle to write (default evidence-RUN.zip).")
@click.pass_context
def evidence_command(ctx, target, bundle, out) -> None:
    """Bundle a run's evidence: `harden evidence RUN --out FILE.zip` writes a zip with a SHA-256
    manifest; `harden evidence verify FILE.zip` checks one (exit 1 on any difference)."""
    if target == "verify":
        if not bundle:
            raise HardenError("name the bundle: harden evidence verify FILE.zip")
        _verify(Path(bundle))
        return
    ledger = _ledger(ctx)
    run = ledger.run(target)
    path = Path(out or f"evidence-{run.id}.zip")
    names = build_bundle(ledger, run.id, path)
    click.echo(f"wrote {path}: {len(names)} files with their SHA-256 in {names[-1]}")


def _verify(bundle: Path) -> None:
    if not bundle.is_file():
        raise HardenError(f"{bundle} does not exist")
    problems = verify_bundle(bundle)
    if problems:
        for problem in problems:
            click.echo(f"{bundle}: {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"{bundle}: every file matches its manifest")


@click.command(name="diff")
@click.argument("first")
@click.argument("second")
@click.pass_context
def diff_command(ctx, first, second) -> None:
    """Drift: per host and control, what changed between two runs."""
    rows = drift(_ledger(ctx), first, second)
    if not rows:
        click.echo("no difference")
        return
    table = Table(header_style="bold")
    for column in ("host", "control", first, second):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)
