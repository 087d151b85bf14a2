"""The `harden` command line: thin click commands over the core modules."""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import click

from harden import __version__
from harden.catalog import load_catalog
from harden.cli_assets import inventory_command, vulns_command
from harden.cli_evidence import diff_command, evidence_command, report_command
from harden.cli_lab import lab_group
from harden.cli_ledger import runs_command, show_command
from harden.cli_profile import controls_group, profile_group
from harden.errors import EXIT_NOT_RUN, HardenError
from harden.gate import GateRefused, parse_window, production_gate
from harden.inventory import load_inventory, refuse_inventory_parameters, snapshot
from harden.ledger import Ledger
from harden.paths import state_dir
from harden.profile import DEFAULT_PROFILE, load_profile
from harden.results import as_dict
from harden.rollout import batches as split_batches
from harden.runner import RunRequest, new_run_id
from harden.toolkit import operator, toolkit_version
from harden.view import LiveProgress, make_console, print_findings, print_summary
from harden.workflow import Recorded, recorded_run

EXIT_CODES = """\b
Exit codes (check and apply):
  0  every control is compliant on every host
  1  the run could not be made (bad input, no host reached, refused by the promotion gate)
  2  findings: something would change, changed, was held back or failed on a host,
     a host was unreachable, or a rollout stopped at its failure threshold"""

console = make_console()


@click.group(epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="harden")
@click.option("--ledger", "ledger_path", envvar="HARDEN_LEDGER", type=click.Path(dir_okay=False),
              help="Run ledger (SQLite). Default: .harden/ledger.sqlite3 in the checkout; env HARDEN_LEDGER.")
@click.pass_context
def main(ctx: click.Context, ledger_path: str | None) -> None:
    """Harden Debian hosts that hold ePHI: dry-run on a test inventory, then apply to production.

    Controls live in catalog/ with their HIPAA and NIST SP 800-53 mappings; roles/ implement them;
    profiles/ tailor them. Every run is recorded in the ledger (harden runs, harden show RUN).
    """
    ctx.obj = {"ledger": Path(ledger_path) if ledger_path else None}


def open_ledger(ctx: click.Context) -> Ledger:
    return Ledger(ctx.obj.get("ledger") or state_dir() / "ledger.sqlite3")


def run_options(func):
    for option in reversed([
        click.option("-i", "--inventory", "inventory_path", required=True, type=click.Path(),
                     help="Ansible inventory file or directory."),
        click.option("--profile", "profile_name", default=DEFAULT_PROFILE, show_default=True,
                     help="Profile name (profiles/NAME.yml) or path."),
        click.option("--limit", help="Only these hosts or groups (Ansible pattern)."),
        click.option("--controls", help="Only these control ids, comma separated."),
        click.option("--skip-controls", help="Leave out these control ids, comma separated."),
        click.option("--forks", type=click.IntRange(1, 200), help="Hosts worked on at once."),
        click.option("--full", is_flag=True, help="Show every line of every finding."),
        click.option("--json", "as_json", is_flag=True, help="Print results as JSON instead of tables."),
        click.option("--quiet", is_flag=True, help="Print nothing but errors; the exit code tells (for cron)."),
    ]):
        func = option(func)
    return func


def _request(inventory_path, profile_name, check, limit, controls, skip_controls, forks, quiet):
    catalog = load_catalog()
    profile = load_profile(profile_name)
    inventory = load_inventory(inventory_path)
    refuse_inventory_parameters(inventory, profile)
    chosen, skipped = _ids(controls, catalog), _ids(skip_controls, catalog)
    for warning in profile.warnings:
        click.echo(f"warning: {warning}", err=True)
    request = RunRequest(inventory, profile, check=check, limit=limit, forks=forks, controls=chosen, skip=skipped)
    return catalog, request


def _ids(text: str | None, catalog: dict) -> tuple[str, ...]:
    ids = tuple(i.strip() for i in (text or "").split(",") if i.strip())
    unknown = [i for i in ids if i not in catalog]
    if unknown:
        raise HardenError(f"unknown control(s) {', '.join(unknown)}: `harden controls` lists them")
    return ids


def _live(quiet: bool, as_json: bool):
    def live(hosts, check):
        return nullcontext(_Silent()) if quiet or as_json else LiveProgress(console, tuple(hosts), check)
    return live


class _Silent:
    def on_event(self, event, collector):
        pass


@main.command(epilog=EXIT_CODES)
@run_options
@click.pass_context
def check(ctx, inventory_path, profile_name, limit, controls, skip_controls, forks, full, as_json, quiet) -> None:
    """Dry-run every control in check mode: nothing changes, every finding is shown."""
    catalog, request = _request(inventory_path, profile_name, True, limit, controls, skip_controls, forks, quiet)
    _header(request, "check mode: nothing will be changed", quiet or as_json)
    ledger = open_ledger(ctx)
    run = recorded_run(ledger, request, "check", _live(quiet, as_json))
    _report(run, request, catalog, full, as_json, quiet)
    raise SystemExit(run.exit_code)


@main.command(epilog=EXIT_CODES)
@run_options
@click.option("--change-id", help="The change this apply carries out (required for production).")
@click.option("--batch", default="20%", show_default=True,
              help="Production rollout batch: hosts per batch (2) or a percentage (20%).")
@click.option("--max-failed", type=click.IntRange(0), default=0, show_default=True,
              help="Failed or unreachable hosts tolerated before the rollout stops.")
@click.option("--test-window", default="7d", show_default=True,
              help="How recent the passing test run must be (7d, 12h, 30m).")
@click.option("--break-glass", metavar="REASON", help="Override the promotion gate (recorded with the reason).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def apply(ctx, inventory_path, profile_name, limit, controls, skip_controls, forks, full, as_json, quiet,
          change_id, batch, max_failed, test_window, break_glass, yes) -> None:
    """Apply every control for real, then evaluate the hosts again in check mode.

    Production inventories (harden_environment: production) are gated: the same profile and
    toolkit must have passed a check on a test inventory within --test-window, and a --change-id
    is required. Production applies go in batches and stop at --max-failed.
    """
    catalog, request = _request(inventory_path, profile_name, False, limit, controls, skip_controls, forks, quiet)
    inventory = request.inventory
    ledger = open_ledger(ctx)
    try:
        gate = production_gate(
            ledger, environment=inventory.environment, profile_digest=request.profile.digest,
            profile_name=request.profile.name, toolkit_version=toolkit_version(), change_id=change_id,
            window_seconds=parse_window(test_window), selection=request.selection, break_glass=break_glass)
    except GateRefused as refused:
        _record_refusal(ledger, request, change_id, refused.message)
        raise
    rollout = None
    if inventory.environment == "production":
        rollout = split_batches(inventory.select(limit), batch)
    if not quiet and not as_json:
        console.print(f"gate: {gate.message}", style="dim")
        if rollout:
            console.print(f"rollout: {len(rollout)} batch(es) of up to {len(rollout[0])} host(s); "
                          f"stops when more than {max_failed} host(s) fail", style="dim")
    if not yes:
        click.confirm(f"Apply profile {request.profile.name} to {len(inventory.hosts)} host(s) in {inventory_path} "
                      f"({inventory.environment})?", abort=True)
    _header(request, "apply: hosts will be changed", quiet or as_json)

    def on_batch(number, total, hosts, failed):
        if not quiet and not as_json:
            state = f"{len(failed)} failed: {', '.join(failed)}" if failed else "no failure"
            console.print(f"batch {number}/{total} ({', '.join(hosts)}): {state}")

    applied = recorded_run(ledger, request, "apply", _live(quiet, as_json), change_id=change_id,
                           gate_run_id=gate.test_run.id if gate.test_run else None,
                           override_reason=gate.override_reason, batches=rollout, max_failed=max_failed,
                           on_batch=on_batch)
    evaluation = None
    if applied.reached():
        evaluation = recorded_run(ledger, replace(request, check=True, limit=",".join(applied.reached())),
                                  "evaluate", _live(quiet, as_json), change_id=change_id, parent_id=applied.run_id)
    _report(applied, request, catalog, full, as_json, quiet, evaluation)
    raise SystemExit(applied.exit_code)


def _record_refusal(ledger: Ledger, request: RunRequest, change_id: str | None, reason: str) -> None:
    """A refused apply is evidence too: who tried what, and why the gate said no."""
    run_id = new_run_id()
    ledger.start_run(run_id=run_id, kind="apply", operator=operator(), toolkit_version=toolkit_version(),
                     profile_name=request.profile.name, profile_digest=request.profile.digest,
                     inventory=str(request.inventory.path), environment=request.inventory.environment,
                     hosts=request.inventory.hosts, change_id=change_id, selection=request.selection,
                     profile=request.profile.document(), inventory_snapshot=snapshot(request.inventory))
    ledger.finish_run(run_id, "refused", EXIT_NOT_RUN, f"promotion gate: {reason}")


def _header(request: RunRequest, mode: str, silent: bool) -> None:
    if silent:
        return
    inv = request.inventory
    console.print(f"harden {__version__}: {inv.path} ({inv.environment or 'environment not set'}), "
                  f"{len(inv.hosts)} host(s), profile {request.profile.name} ({request.profile.digest[:12]}), {mode}")


def _report(run: Recorded, request: RunRequest, catalog, full, as_json, quiet, evaluation: Recorded | None = None):
    if as_json:
        report = _json(run, request)
        if evaluation:
            report["evaluation"] = _json(evaluation, request)
        click.echo(json.dumps(report, indent=2))
    elif not quiet:
        print_findings(console, run.collector, catalog, full)
        print_summary(console, request.inventory.hosts, run.collector)
        if run.stopped:
            console.print(f"{run.stopped}; not run on: {', '.join(run.not_run)}", style="bold red")
        console.print(f"run {run.run_id} ({run.kind}) took {run.seconds:.0f}s; recorded in the ledger "
                      f"(harden show {run.run_id})", style="dim")
        if evaluation:
            left = [o for o in evaluation.collector.results() if o.status.is_finding]
            if left:
                console.print(f"evaluation {evaluation.run_id}: {len(left)} control(s) not compliant after the apply:",
                              style="bold yellow")
                for o in left:
                    console.print(f"  {o.host}  {o.control}  {o.status}")
            else:
                console.print(f"evaluation {evaluation.run_id}: every applied host is compliant", style="green")
    if run.exit_code == EXIT_NOT_RUN:
        raise HardenError(f"no host was reached (run {run.run_id})")


def _json(run: Recorded, request: RunRequest) -> dict:
    return {"run_id": run.run_id, "kind": run.kind, "inventory": str(request.inventory.path),
            "environment": request.inventory.environment,
            "profile": {"name": request.profile.name, "digest": request.profile.digest},
            "seconds": round(run.seconds, 1), "exit_code": run.exit_code, "stopped": run.stopped,
            "not_run": run.not_run, **as_dict(run.collector)}


main.add_command(lab_group)
main.add_command(profile_group)
main.add_command(controls_group)
main.add_command(runs_command)
main.add_command(show_command)
main.add_command(report_command)
main.add_command(evidence_command)
main.add_command(diff_command)
main.add_command(inventory_command)
main.add_command(vulns_command)
