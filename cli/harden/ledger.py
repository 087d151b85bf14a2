"""The run ledger: every check, apply and evaluation, recorded in SQLite.

Written so that nothing already recorded is lost: a run is inserted when it starts (status
running) and updated as it goes, in short transactions; WAL journaling and a busy timeout let
concurrent runs write safely. A run whose process died without finishing (killed, crashed, power
lost) is marked interrupted the next time the ledger is opened. The schema is versioned with
PRAGMA user_version and migrated forward in order.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from harden.errors import HardenError
from harden.redact import strip_secrets

# Each entry migrates the schema from version i to i + 1. Never edit a released entry: add one.
MIGRATIONS: list[str] = [
    # 1: runs and their per-host, per-control outcomes
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('check', 'apply', 'evaluate')),
        status TEXT NOT NULL,            -- running, completed, interrupted, failed, refused
        started_at REAL NOT NULL,
        ended_at REAL,
        operator TEXT NOT NULL,
        toolkit_version TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        profile_digest TEXT NOT NULL,
        inventory TEXT NOT NULL,
        environment TEXT,
        change_id TEXT,
        hosts TEXT NOT NULL DEFAULT '[]',          -- JSON list
        artifacts TEXT NOT NULL DEFAULT '[]',      -- JSON list of ansible-runner artifact dirs
        exit_code INTEGER,
        pid INTEGER,
        machine TEXT
    );
    CREATE TABLE outcomes (
        run_id TEXT NOT NULL REFERENCES runs(id),
        host TEXT NOT NULL,
        control TEXT NOT NULL,
        status TEXT NOT NULL,
        details TEXT NOT NULL DEFAULT '[]',        -- JSON list of lines: diffs and messages
        PRIMARY KEY (run_id, host, control)
    );
    CREATE TABLE unreachable (
        run_id TEXT NOT NULL REFERENCES runs(id),
        host TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (run_id, host)
    );
    """,
    # 2: the workflow: what a run was gated on, why a gate was overridden, its selection, its link
    # to the run it evaluates, and where a rollout stopped
    """
    ALTER TABLE runs ADD COLUMN parent_id TEXT REFERENCES runs(id);
    ALTER TABLE runs ADD COLUMN gate_run_id TEXT REFERENCES runs(id);
    ALTER TABLE runs ADD COLUMN override_reason TEXT;
    ALTER TABLE runs ADD COLUMN selection TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE runs ADD COLUMN note TEXT;
    CREATE INDEX runs_gate ON runs (kind, environment, profile_digest, toolkit_version, started_at);
    CREATE INDEX runs_parent ON runs (parent_id);
    """,
    # 3: evidence: the profile and inventory in force for each run (secrets stripped), and the asset
    # inventory's snapshots with their history
    """
    ALTER TABLE runs ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE runs ADD COLUMN inventory_snapshot TEXT NOT NULL DEFAULT '{}';
    CREATE TABLE assets (
        collection_id TEXT NOT NULL,
        collected_at REAL NOT NULL,
        inventory TEXT NOT NULL,
        host TEXT NOT NULL,
        facts TEXT NOT NULL,                      -- JSON, secrets stripped
        PRIMARY KEY (collection_id, host)
    );
    CREATE INDEX assets_host ON assets (host, collected_at);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)
FINDING_STATUSES = ("would change", "changed", "held back", "failed")


@dataclass(frozen=True)
class RunRecord:
    id: str
    kind: str
    status: str
    started_at: float
    ended_at: float | None
    operator: str
    toolkit_version: str
    profile_name: str
    profile_digest: str
    inventory: str
    environment: str | None
    change_id: str | None
    hosts: list
    artifacts: list
    exit_code: int | None
    parent_id: str | None
    gate_run_id: str | None
    override_reason: str | None
    selection: dict
    note: str | None
    counts: dict  # outcome status -> how many
    profile: dict  # as resolved for the run, secrets masked
    inventory_snapshot: dict  # hosts, groups and variables, secrets stripped

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)


class Ledger:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA busy_timeout=30000")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise HardenError(f"ledger {self.path} cannot be opened: {exc}") from None
        self.mark_dead_runs()

    def close(self) -> None:
        self.db.close()

    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.version()
        if current > SCHEMA_VERSION:
            raise HardenError(f"ledger {self.path} has schema {current}, newer than this harden ({SCHEMA_VERSION}): "
                              "upgrade harden")
        for number in range(current, SCHEMA_VERSION):
            with self._transaction():
                # Re-read inside the write lock: another process may have migrated meanwhile.
                if self.version() > number:
                    continue
                for statement in filter(str.strip, MIGRATIONS[number].split(";")):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={number + 1}")

    def _transaction(self):
        return _Transaction(self.db)

    # Writing ------------------------------------------------------------------------------------

    def start_run(self, *, run_id: str, kind: str, operator: str, toolkit_version: str, profile_name: str,
                  profile_digest: str, inventory: str, environment: str | None, hosts: Iterable[str],
                  change_id: str | None = None, parent_id: str | None = None, gate_run_id: str | None = None,
                  override_reason: str | None = None, selection: dict | None = None,
                  profile: dict | None = None, inventory_snapshot: dict | None = None) -> None:
        with self._transaction():
            self.db.execute(
                "INSERT INTO runs (id, kind, status, started_at, operator, toolkit_version, profile_name,"
                " profile_digest, inventory, environment, change_id, hosts, pid, machine, parent_id,"
                " gate_run_id, override_reason, selection, profile, inventory_snapshot) VALUES (?, ?, 'running', ?,"
                " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, kind, time.time(), operator, toolkit_version, profile_name, profile_digest, inventory,
                 environment, change_id, json.dumps(sorted(hosts)), os.getpid(), socket.gethostname(), parent_id,
                 gate_run_id, override_reason, json.dumps(selection or {}, sort_keys=True),
                 json.dumps(strip_secrets(profile or {}), default=str),
                 json.dumps(strip_secrets(inventory_snapshot or {}), default=str)))

    def record_results(self, run_id: str, outcomes: Iterable, unreachable: dict, artifact_dirs=None) -> None:
        """Add one batch's outcomes (a run may have several batches)."""
        with self._transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO outcomes (run_id, host, control, status, details) VALUES (?, ?, ?, ?, ?)",
                [(run_id, o.host, o.control, str(o.status), json.dumps(o.details)) for o in outcomes])
            self.db.executemany("INSERT OR REPLACE INTO unreachable (run_id, host, reason) VALUES (?, ?, ?)",
                                [(run_id, h, r) for h, r in unreachable.items()])
            if artifact_dirs:
                row = self.db.execute("SELECT artifacts FROM runs WHERE id = ?", (run_id,)).fetchone()
                added = [artifact_dirs] if isinstance(artifact_dirs, str) else list(artifact_dirs)
                artifacts = [*json.loads(row["artifacts"]), *added]
                self.db.execute("UPDATE runs SET artifacts = ? WHERE id = ?", (json.dumps(artifacts), run_id))

    def finish_run(self, run_id: str, status: str, exit_code: int | None, note: str | None = None) -> None:
        with self._transaction():
            self.db.execute("UPDATE runs SET status = ?, exit_code = ?, ended_at = ?, note = COALESCE(?, note)"
                            " WHERE id = ?", (status, exit_code, time.time(), note, run_id))

    def mark_dead_runs(self) -> list[str]:
        """Runs still 'running' whose process on this machine is gone: they were interrupted."""
        here = socket.gethostname()
        rows = self.db.execute("SELECT id, pid FROM runs WHERE status = 'running' AND machine = ?", (here,)).fetchall()
        dead = [r["id"] for r in rows if not _alive(r["pid"])]
        for run_id in dead:
            self.finish_run(run_id, "interrupted", None, "the harden process ended before the run finished")
        return dead

    # Reading ------------------------------------------------------------------------------------

    def runs(self, limit: int = 50, kind: str | None = None) -> list[RunRecord]:
        where, args = ("WHERE kind = ?", [kind]) if kind else ("", [])
        rows = self.db.execute(f"SELECT * FROM runs {where} ORDER BY started_at DESC LIMIT ?", [*args, limit])
        return [self._record(r) for r in rows.fetchall()]

    def run(self, run_id: str) -> RunRecord:
        rows = self.db.execute("SELECT * FROM runs WHERE id = ? OR id LIKE ? ORDER BY started_at DESC",
                               (run_id, run_id + "%")).fetchall()
        if not rows:
            raise HardenError(f"no run {run_id} in the ledger {self.path}: `harden runs` lists them")
        if len(rows) > 1 and rows[0]["id"] != run_id:
            raise HardenError(f"{run_id} matches {len(rows)} runs: give more of the id")
        return self._record(rows[0])

    def outcomes(self, run_id: str) -> list[sqlite3.Row]:
        return self.db.execute("SELECT host, control, status, details FROM outcomes WHERE run_id = ?"
                               " ORDER BY host, control", (run_id,)).fetchall()

    def unreachable(self, run_id: str) -> dict:
        rows = self.db.execute("SELECT host, reason FROM unreachable WHERE run_id = ?", (run_id,)).fetchall()
        return {r["host"]: r["reason"] for r in rows}

    def children(self, run_id: str) -> list[RunRecord]:
        rows = self.db.execute("SELECT * FROM runs WHERE parent_id = ? ORDER BY started_at", (run_id,)).fetchall()
        return [self._record(r) for r in rows]

    def latest_check(self, *, environment: str, profile_digest: str, toolkit_version: str) -> RunRecord | None:
        row = self.db.execute(
            "SELECT * FROM runs WHERE kind = 'check' AND environment = ? AND profile_digest = ?"
            " AND toolkit_version = ? AND status = 'completed' ORDER BY started_at DESC LIMIT 1",
            (environment, profile_digest, toolkit_version)).fetchone()
        return self._record(row) if row else None

    def _record(self, row: sqlite3.Row) -> RunRecord:
        counts = {r[0]: r[1] for r in self.db.execute(
            "SELECT status, COUNT(*) FROM outcomes WHERE run_id = ? GROUP BY status", (row["id"],))}
        unreachable = self.db.execute("SELECT COUNT(*) FROM unreachable WHERE run_id = ?", (row["id"],)).fetchone()[0]
        if unreachable:
            counts["unreachable"] = unreachable
        return RunRecord(
            id=row["id"], kind=row["kind"], status=row["status"], started_at=row["started_at"],
            ended_at=row["ended_at"], operator=row["operator"], toolkit_version=row["toolkit_version"],
            profile_name=row["profile_name"], profile_digest=row["profile_digest"], inventory=row["inventory"],
            environment=row["environment"], change_id=row["change_id"], hosts=json.loads(row["hosts"]),
            artifacts=json.loads(row["artifacts"]), exit_code=row["exit_code"], parent_id=row["parent_id"],
            gate_run_id=row["gate_run_id"], override_reason=row["override_reason"],
            selection=json.loads(row["selection"]), note=row["note"], counts=counts,
            profile=json.loads(row["profile"]), inventory_snapshot=json.loads(row["inventory_snapshot"]))


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front, so concurrent writers queue."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def record_assets(ledger: Ledger, collection_id: str, inventory: str, facts_by_host: dict) -> None:
    with ledger._transaction():
        ledger.db.executemany(
            "INSERT INTO assets (collection_id, collected_at, inventory, host, facts) VALUES (?, ?, ?, ?, ?)",
            [(collection_id, time.time(), inventory, host, json.dumps(strip_secrets(facts)))
             for host, facts in facts_by_host.items()])


def asset_history(ledger: Ledger, host: str | None = None) -> list[sqlite3.Row]:
    where, args = ("WHERE host = ?", [host]) if host else ("", [])
    return ledger.db.execute(f"SELECT * FROM assets {where} ORDER BY collected_at DESC, host", args).fetchall()
