"""The `harden` command line: thin click commands over the core modules."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from harden import __version__, lab
from harden.catalog import load_catalog
from harden.errors import EXIT_NOT_RUN, HardenError
from harden.inventory import load_inventory
from harden.results import as_dict, exit_code
from harden.runner import RunRequest, run_site
from harden.view import LiveProgress, print_findings, print_summary

EXIT_CODES = """\b
Exit codes (check and apply):
  0  every control is compliant on every host
  1  the run could not be made (bad input, no host reached)
  2  findings: something would change, changed, was held back or failed on a host"""

console = Console(highlight=False)
if not console.is_terminal:  # logs and pipes: wide lines rather than wrapped ones
    console = Console(highlight=False, width=160)


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


@main.command(epilog=EXIT_CODES)
@inventory_option
@limit_option
@forks_option
@full_option
@json_option
def check(inventory_path: str, limit: str | None, forks: int | None, full: bool, as_json: bool) -> None:
    """Dry-run every control in check mode: nothing changes, every finding is shown."""
    _run(inventory_path, check=True, limit=limit, forks=forks, full=full, as_json=as_json)


@main.command(epilog=EXIT_CODES)
@inventory_option
@limit_option
@forks_option
@full_option
@json_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def apply(inventory_path: str, limit: str | None, forks: int | None, full: bool, as_json: bool, yes: bool) -> None:
    """Apply every control for real, then show what changed."""
    inventory = load_inventory(inventory_path)
    if not yes:
        click.confirm(f"Apply hardening to {len(inventory.hosts)} host(s) in {inventory_path} "
                      f"({inventory.environment or 'environment not set'})?", abort=True)
    _run(inventory_path, check=False, limit=limit, forks=forks, full=full, as_json=as_json, inventory=inventory)


def _run(inventory_path, *, check, limit, forks, full, as_json, inventory=None) -> None:
    catalog = load_catalog()
    inventory = inventory or load_inventory(inventory_path)
    mode = "check mode: nothing will be changed" if check else "apply: hosts will be changed"
    if not as_json:
        console.print(f"harden {__version__}: {inventory_path} ({inventory.environment or 'environment not set'}), "
                      f"{len(inventory.hosts)} host(s), {mode}")
    with LiveProgress(console, inventory.hosts, check, silent=as_json) as live:
        result = run_site(RunRequest(inventory, check=check, limit=limit, forks=forks), live.on_event)
    if not result.collector.hosts():
        raise HardenError(f"the run produced no result (ansible-runner status {result.status}, rc {result.rc}); "
                          f"see {result.artifact_dir}/stdout")
    code = exit_code(result.collector)
    if as_json:
        report = {"run_id": result.run_id, "inventory": str(inventory_path), "environment": inventory.environment,
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


@main.group(name="lab")
def lab_group() -> None:
    """A local lab of neglected Debian hosts (podman), reached over SSH on 127.0.0.1."""


@lab_group.command(name="up")
@click.option("--hosts", "count", type=click.IntRange(1, 50), default=1, show_default=True,
              help="How many hosts of each release.")
@click.option("--release", type=click.Choice(sorted(lab.RELEASES)), multiple=True,
              help="Debian 12 (bookworm) and/or 13 (trixie); default both.")
def lab_up(count: int, release: tuple[str, ...]) -> None:
    """Start lab hosts and write inventories/lab/hosts.yml (a test environment)."""
    running = []
    for name in release or sorted(lab.RELEASES):
        running = lab.up(count, name, progress=lambda msg: console.print(msg, style="dim"))
    console.print(f"{len(running)} lab host(s) running; inventory: {lab.inventory_path()}")
    console.print(f"next: harden check -i {lab.inventory_path().relative_to(lab.project_root())}")


@lab_group.command(name="status")
def lab_status() -> None:
    """List lab hosts, their SSH ports and state."""
    table = Table(header_style="bold")
    for column in ("host", "release", "ssh", "state"):
        table.add_column(column)
    for host in lab.hosts():
        table.add_row(host.name, host.release, f"127.0.0.1:{host.port}", host.state)
    console.print(table if table.row_count else "no lab hosts (harden lab up starts some)")


@lab_group.command(name="down")
@click.option("--release", type=click.Choice(sorted(lab.RELEASES)), help="Only this release's hosts.")
def lab_down(release: str | None) -> None:
    """Remove lab hosts (and the lab inventory when none is left)."""
    removed = lab.down(release)
    console.print(f"removed {len(removed)} lab host(s)")


@lab_group.command(name="build")
@click.option("--release", type=click.Choice(sorted(lab.RELEASES)), multiple=True,
              help="Release(s) to build (default: all).")
@click.option("--force", is_flag=True, help="Rebuild even when the images exist.")
def lab_build(release: tuple[str, ...], force: bool) -> None:
    """Build the lab's base and neglected images (once; later calls reuse them)."""
    for name in release or sorted(lab.RELEASES):
        lab.build_images(name, force=force)
