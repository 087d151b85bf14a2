"""`harden lab`: the local lab of neglected Debian hosts."""

import click
from rich.table import Table

from harden import lab
from harden.view import make_console

console = make_console()


@click.group(name="lab")
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
