"""The run ledger on real SQLite files: migrations, concurrent writers, runs that died."""

import multiprocessing
import sqlite3
import subprocess
import sys

import pytest

from harden.errors import HardenError
from harden.ledger import MIGRATIONS, SCHEMA_VERSION, Ledger
from harden.results import Outcome, Status


def start(ledger, run_id, kind="check", environment="test", digest="d1", version="v1", **extra):
    ledger.start_run(run_id=run_id, kind=kind, operator="alice", toolkit_version=version, profile_name="p",
                     profile_digest=digest, inventory="inv.yml", environment=environment, hosts=["h1", "h2"], **extra)


def test_a_new_ledger_has_the_current_schema_and_records_a_whole_run(tmp_path):
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    assert ledger.version() == SCHEMA_VERSION
    start(ledger, "r1", change_id="CHG-1", selection={"controls": ["svc-ftp-absent"]})
    ledger.record_results("r1", [Outcome("h1", "svc-ftp-absent", Status.WOULD_CHANGE, ["vsftpd*"]),
                                 Outcome("h1", "acct-uid0-only-root", Status.FAILED, ["boom"])],
                          {"h2": "ssh: refused"}, "/tmp/a1")
    ledger.finish_run("r1", "completed", 2)
    run = ledger.run("r1")
    assert (run.status, run.exit_code, run.change_id, run.artifacts) == ("completed", 2, "CHG-1", ["/tmp/a1"])
    assert run.counts == {"would change": 1, "failed": 1, "unreachable": 1}
    assert run.selection == {"controls": ["svc-ftp-absent"]}
    assert [tuple(r)[:3] for r in ledger.outcomes("r1")] == [("h1", "acct-uid0-only-root", "failed"),
                                                              ("h1", "svc-ftp-absent", "would change")]
    assert ledger.unreachable("r1") == {"h2": "ssh: refused"}


def test_a_version_1_ledger_is_migrated_and_keeps_its_runs(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "; PRAGMA user_version=1;")
    db.execute("INSERT INTO runs (id, kind, status, started_at, operator, toolkit_version, profile_name,"
               " profile_digest, inventory, machine) VALUES ('old', 'check', 'completed', 1.0, 'bob', 'v0', 'p',"
               " 'd0', 'inv', 'elsewhere')")
    db.execute("INSERT INTO outcomes VALUES ('old', 'h1', 'svc-ftp-absent', 'compliant', '[]')")
    db.commit()
    db.close()
    ledger = Ledger(path)
    assert ledger.version() == SCHEMA_VERSION
    old = ledger.run("old")
    assert (old.operator, old.parent_id, old.selection, old.counts) == ("bob", None, {}, {"compliant": 1})
    start(ledger, "new", parent_id="old")  # the new columns work
    assert ledger.run("new").parent_id == "old"


def test_a_ledger_from_a_newer_harden_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    sqlite3.connect(path).execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(HardenError, match="newer than this harden"):
        Ledger(path)


def test_a_file_that_is_not_a_ledger_is_a_clear_error(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HardenError, match="cannot be opened"):
        Ledger(path)


def _writer(path, worker, count):
    ledger = Ledger(path)
    for n in range(count):
        run_id = f"w{worker}-{n}"
        start(ledger, run_id)
        ledger.record_results(run_id, [Outcome(f"h{k}", "svc-ftp-absent", Status.COMPLIANT) for k in range(5)],
                              {}, None)
        ledger.finish_run(run_id, "completed", 0)


def test_concurrent_writers_lose_nothing_and_leave_the_file_sound(tmp_path):
    path = tmp_path / "busy.sqlite3"
    Ledger(path).close()
    workers = [multiprocessing.Process(target=_writer, args=(path, w, 25)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    ledger = Ledger(path)
    assert len(ledger.runs(limit=1000)) == 100
    assert all(r.status == "completed" and r.counts == {"compliant": 5} for r in ledger.runs(limit=1000))
    assert ledger.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_run_whose_process_died_is_marked_interrupted(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    code = (f"import os; from harden.ledger import Ledger; ledger = Ledger({str(path)!r});"
            "ledger.start_run(run_id='dies', kind='apply', operator='x', toolkit_version='v', profile_name='p',"
            "profile_digest='d', inventory='i', environment='production', hosts=['h']); os._exit(9)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 9
    run = Ledger(path).run("dies")
    assert run.status == "interrupted" and "ended before the run finished" in run.note


def test_latest_check_matches_environment_profile_and_toolkit(tmp_path):
    ledger = Ledger(tmp_path / "l.sqlite3")
    start(ledger, "a", digest="d1")
    ledger.finish_run("a", "completed", 0)
    start(ledger, "b", digest="d2")
    ledger.finish_run("b", "completed", 0)
    start(ledger, "c", digest="d1", environment="production")
    ledger.finish_run("c", "completed", 0)
    assert ledger.latest_check(environment="test", profile_digest="d1", toolkit_version="v1").id == "a"
    assert ledger.latest_check(environment="test", profile_digest="d1", toolkit_version="v2") is None
