"""The `harden` command line: thin click commands over the core modules."""

from __future__ import annotations

import json

import click

from harden import __version__
from harden.catalog import load_catalog
from harden.cli_lab import lab_group
from harden.cli_profile import controls_group, profile_group
from harden.errors import EXIT_NOT_RUN, HardenError
from harden.inventory import load_inventory, refuse_inventory_parameters
from harden.profile import DEFAULT_PROFILE, load_profile
from harden.results import as_dict, exit_code
from harden.runner import RunRequest, run_site
from harden.view import LiveProgress, make_console, print_findings, print_summary

EXIT_CODES = """\b
Exit codes (check and apply):
  0  every control is compliant on every host
  1  the run could not be made (bad input, no host reached)
  2  findings: something would change, changed, was held back or failed on a host"""

console = make_console()


@click.group(epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="harden")
def main() -> None:
    """Harden Debian hosts that hold ePHI: dry-run on a test inventory, then apply to production.

    Controls live in catalog/ with their HIPAA and NIST SP 800-53 mappings; roles/ implement them.
    """


inventory_option = click.option("-i", "--inventory", "inventory_path", required=True,
                                 type=click.Path(dir_okay=True), help="Ansible inventory file or directory.")
limit_option = click.option("--limit", help="Only these hosts or groups (Ansible pattern).")
forks_option = click.option("--forks", type=click.IntRange(1, 200), help="Hosts worked on at once.")
full_option = click.option("--full", is_flag=True, help="Show every line of every finding.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print results as JSON instead of tables.")
profile_option = click.option("--profile", "profile_name", default=DEFAULT_PROFILE, show_default=True,
                              help="Profile name (profiles/NAME.yml) or path.")


@main.command(epilog=EXIT_CODES)
@inventory_option
@limit_option
@forks_option
@full_option
@json_option
@profile_option
def check(inventory_path: str, limit: str | None, forks: int | None, full: bool, as_json: bool,
          profile_name: str) -> None:
    """Dry-run every control in check mode: nothing changes, every finding is shown."""
    _run(inventory_path, profile_name, check=True, limit=limit, forks=forks, full=full, as_json=as_json)


@main.command(epilog=EXIT_CODES)
@inventory_option
@limit_option
@forks_option
@full_option
@json_option
@profile_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def apply(inventory_path: str, limit: str | None, forks: int | None, full: bool, as_json: bool,
          profile_name: str, yes: bool) -> None:
    """Apply every control for real, then show what changed."""
    inventory = load_inventory(inventory_path)
    if not yes:
        click.confirm(f"Apply hardening to {len(inventory.hosts)} host(s) in {inventory_path} "
                      f"({inventory.environment or 'environment not set'})?", abort=True)
    _run(inventory_path, profile_name, check=False, limit=limit, forks=forks, full=full, as_json=as_json,
         inventory=inventory)


def _run(inventory_path, profile_name, *, check, limit, forks, full, as_json, inventory=None) -> None:
    catalog = load_catalog()
    profile = load_profile(profile_name)
    inventory = inventory or load_inventory(inventory_path)
    refuse_inventory_parameters(inventory, profile)
    for warning in profile.warnings:
        click.echo(f"warning: {warning}", err=True)
    mode = "check mode: nothing will be changed" if check else "apply: hosts will be changed"
    if not as_json:
        console.print(f"harden {__version__}: {inventory_path} ({inventory.environment or 'environment not set'}), "
                      f"{len(inventory.hosts)} host(s), profile {profile.name} ({profile.digest[:12]}), {mode}")
    with LiveProgress(console, inventory.hosts, check, silent=as_json) as live:
        result = run_site(RunRequest(inventory, profile, check=check, limit=limit, forks=forks), live.on_event)
    if not result.collector.hosts():
        raise HardenError(f"the run produced no result (ansible-runner status {result.status}, rc {result.rc}); "
                          f"see {result.artifact_dir}/stdout")
    code = exit_code(result.collector)
    if as_json:
        report = {"run_id": result.run_id, "inventory": str(inventory_path), "environment": inventory.environment,
                  "profile": {"name": profile.name, "digest": profile.digest},
                  "seconds": round(result.seconds, 1), "exit_code": code, **as_dict(result.collector)}
        click.echo(json.dumps(report, indent=2))
    else:
        print_findings(console, result.collector, catalog, full)
        print_summary(console, inventory.hosts, result.collector)
        console.print(f"run {result.run_id} took {result.seconds:.0f}s; artifacts in {result.artifact_dir}",
                      style="dim")
    if code == EXIT_NOT_RUN:
        raise HardenError("no host was reached")
    raise SystemExit(code)


main.add_command(lab_group)
main.add_command(profile_group)
main.add_command(controls_group)
