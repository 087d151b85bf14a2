"""The asset inventory: per host, what it runs, collected read-only and kept in the ledger with its
history. The Security Rule's risk analysis (164.308(a)(1)(ii)(A)) starts from it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from harden.inventory import Inventory
from harden.ledger import Ledger, asset_history, record_assets
from harden.paths import inventory_playbook, state_dir
from harden.runner import new_run_id, run_playbook

CSV_COLUMNS = ["host", "os", "os_version", "kernel", "architecture", "packages", "enabled_services",
               "listening_ports", "accounts", "interactive_accounts", "pending_updates", "security_updates",
               "reboot_required"]


@dataclass
class Collection:
    collection_id: str
    assets: dict = field(default_factory=dict)  # host -> facts
    unreachable: dict = field(default_factory=dict)
    failed: dict = field(default_factory=dict)


def collect(ledger: Ledger, inventory: Inventory, limit: str | None = None, forks: int | None = None) -> Collection:
    collection = Collection(collection_id=new_run_id())
    private = state_dir() / "runs" / collection.collection_id
    private.mkdir(parents=True)

    def handle(event: dict) -> bool:
        data = event.get("event_data", {})
        res = data.get("res") or {}
        if event.get("event") == "runner_on_ok" and "assets" in res:
            collection.assets[data["host"]] = res["assets"]
        elif event.get("event") == "runner_on_unreachable":
            collection.unreachable[data["host"]] = " ".join(str(res.get("msg", "")).split())
        elif event.get("event") == "runner_on_failed":
            collection.failed[data["host"]] = " ".join(str(res.get("msg", "")).split())[:300]
        return True

    run_playbook(inventory_playbook(), inventory, private, collection.collection_id, handle, limit=limit, forks=forks)
    if collection.assets:
        record_assets(ledger, collection.collection_id, str(inventory.path), collection.assets)
    return collection


def summary(host: str, facts: dict) -> dict:
    interactive = [a for a in facts["accounts"] if not a["shell"].endswith(("nologin", "false", "sync"))]
    lists_known = facts.get("package_lists_updated") is not None  # no lists: updates cannot be known
    return {"host": host, "os": facts["os"], "os_version": facts["os_version"], "kernel": facts["kernel"],
            "architecture": facts["architecture"], "packages": len(facts["packages"]),
            "enabled_services": len(facts["enabled_services"]),
            "listening_ports": " ".join(sorted({f"{p['proto']}/{p['port']}" for p in facts["listening"]})),
            "accounts": len(facts["accounts"]), "interactive_accounts": " ".join(a["name"] for a in interactive),
            "pending_updates": len(facts["pending_updates"]) if lists_known else "",
            "security_updates": len(facts["security_updates"]) if lists_known else "",
            "reboot_required": facts["reboot_required"]}


def to_csv(assets: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for host in sorted(assets):
        writer.writerow(summary(host, assets[host]))
    return out.getvalue()


def to_json(collection_id: str, assets: dict) -> str:
    return json.dumps({"collection_id": collection_id, "hosts": assets}, indent=2, default=str)


def latest_assets(ledger: Ledger, collection_id: str | None = None) -> tuple[str, dict]:
    """(collection id, host -> facts) of a collection, the latest by default."""
    rows = asset_history(ledger)
    if not rows:
        return "", {}
    chosen = collection_id or rows[0]["collection_id"]
    return chosen, {r["host"]: json.loads(r["facts"]) for r in rows if r["collection_id"] == chosen}
