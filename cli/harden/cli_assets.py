"""`harden inventory` (the asset inventory) and `harden vulns` (alerts matched against it)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.table import Table

from harden.assets import collect, latest_assets, summary, to_csv, to_json
from harden.cli_ledger import _ledger
from harden.errors import HardenError
from harden.inventory import load_inventory
from harden.ledger import asset_history
from harden.view import make_console
from harden.vulns import affected, load_kev, load_tracker

console = make_console()


@click.command(name="inventory")
@click.option("-i", "--inventory", "inventory_path", type=click.Path(), help="Collect from these hosts.")
@click.option("--limit", help="Only these hosts or groups.")
@click.option("--forks", type=click.IntRange(1, 200))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write a CSV (one row per host).")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Also write every fact as JSON.")
@click.option("--history", "history", is_flag=True, help="List stored collections instead of collecting.")
@click.option("--host", help="With --history: one host's history.")
@click.pass_context
def inventory_command(ctx, inventory_path, limit, forks, csv_path, json_path, history, host) -> None:
    """The asset inventory: per host OS, kernel, architecture, packages, enabled services, listening
    ports, local accounts with last login, pending and security updates, reboot-required. Read-only;
    kept in the ledger with its history."""
    ledger = _ledger(ctx)
    if history:
        _history(ledger, host)
        return
    if not inventory_path:
        raise HardenError("name the hosts: harden inventory -i INVENTORY (or --history)")
    collection = collect(ledger, load_inventory(inventory_path), limit=limit, forks=forks)
    table = Table(title=f"asset inventory {collection.collection_id}", title_justify="left", header_style="bold")
    for column in ("host", "os", "kernel", "arch", "packages", "services", "listening", "pending", "security",
                   "reboot"):
        table.add_column(column)
    for name, facts in sorted(collection.assets.items()):
        s = summary(name, facts)
        table.add_row(name, s["os"], s["kernel"], s["architecture"], str(s["packages"]), str(s["enabled_services"]),
                      s["listening_ports"], str(s["pending_updates"] if s["pending_updates"] != "" else "unknown"),
                      str(s["security_updates"] if s["security_updates"] != "" else "unknown"),
                      "yes" if s["reboot_required"] else "no")
    console.print(table)
    for name, reason in sorted({**collection.unreachable, **collection.failed}.items()):
        console.print(f"{name}: not collected: {reason}", style="red")
    if csv_path:
        Path(csv_path).write_text(to_csv(collection.assets))
    if json_path:
        Path(json_path).write_text(to_json(collection.collection_id, collection.assets))
    if not collection.assets:
        raise HardenError("no host was inventoried")
    if collection.unreachable or collection.failed:
        raise SystemExit(2)


def _history(ledger, host: str | None) -> None:
    table = Table(header_style="bold")
    for column in ("collected", "collection", "host", "os", "packages", "pending", "security"):
        table.add_column(column)
    for row in asset_history(ledger, host):
        facts = json.loads(row["facts"])
        table.add_row(dt.datetime.fromtimestamp(row["collected_at"]).strftime("%Y-%m-%d %H:%M"),
                      row["collection_id"], row["host"], facts["os"], str(len(facts["packages"])),
                      str(len(facts["pending_updates"])), str(len(facts["security_updates"])))
    console.print(table if table.row_count else "no asset inventory is stored yet (harden inventory -i INV)")


@click.command(name="vulns")
@click.option("--kev", "kev_path", type=click.Path(dir_okay=False), required=True,
              help="CISA Known Exploited Vulnerabilities catalog (JSON feed), as a file.")
@click.option("--debian", "tracker_path", type=click.Path(dir_okay=False), required=True,
              help="Debian security tracker data (its JSON export), as a file.")
@click.option("--collection", help="Asset collection to match (default: the latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
@click.pass_context
def vulns_command(ctx, kev_path, tracker_path, collection, as_json) -> None:
    """Which hosts carry packages with open Debian security issues, known-exploited (KEV) ones first.
    Reads the files given; makes no network request. Exit 2 when anything is affected."""
    kev, tracker = load_kev(Path(kev_path)), load_tracker(Path(tracker_path))
    chosen, assets = latest_assets(_ledger(ctx), collection)
    if not assets:
        raise HardenError("no asset inventory to match: run harden inventory -i INVENTORY first")
    found = affected(assets, tracker, kev)
    if as_json:
        click.echo(json.dumps({"collection": chosen, "affected": [a.__dict__ for a in found]}, indent=2))
    else:
        table = Table(title=f"vulnerable packages (asset collection {chosen})", title_justify="left",
                      header_style="bold")
        for column in ("host", "CVE", "known exploited", "source package", "installed", "fixed in", "urgency"):
            table.add_column(column)
        for a in found:
            kev_note = f"yes, due {a.kev.get('dueDate', '?')}" if a.kev else ""
            table.add_row(a.host, a.cve, kev_note, a.source, a.installed, a.fixed or "no fix yet", a.urgency)
        console.print(table if found else f"no inventoried package is affected (collection {chosen})")
    raise SystemExit(2 if found else 0)
