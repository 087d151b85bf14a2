"""The promotion gate and rollout batches, decided from a real ledger file."""

import pytest

from harden.errors import HardenError
from harden.gate import GateRefused, covers, parse_window, production_gate
from harden.ledger import Ledger
from harden.results import Outcome, Status
from harden.rollout import batches

NOW = 1_800_000_000.0
DAY = 86400.0


@pytest.fixture
def ledger(tmp_path):
    return Ledger(tmp_path / "ledger.sqlite3")


def record_check(ledger, run_id, *, digest="d1", version="v1", age=DAY, failed=False, environment="test",
             selection=None, status="completed"):
    ledger.start_run(run_id=run_id, kind="check", operator="a", toolkit_version=version, profile_name="base",
                     profile_digest=digest, inventory="test.yml", environment=environment, hosts=["t1"],
                     selection=selection)
    ledger.db.execute("UPDATE runs SET started_at = ? WHERE id = ?", (NOW - age, run_id))
    status_of = Status.FAILED if failed else Status.WOULD_CHANGE
    ledger.record_results(run_id, [Outcome("t1", "svc-ftp-absent", status_of)], {}, None)
    ledger.finish_run(run_id, status, 2)


def gate(ledger, **overrides):
    args = dict(environment="production", profile_digest="d1", profile_name="base", toolkit_version="v1",
                change_id="CHG-7", window_seconds=7 * DAY, selection={}, break_glass=None, now=NOW)
    return production_gate(ledger, **{**args, **overrides})


def refusal(ledger, **overrides):
    with pytest.raises(GateRefused) as err:
        gate(ledger, **overrides)
    return err.value.message


def test_a_passing_recent_test_run_of_the_same_profile_and_toolkit_opens_the_gate(ledger):
    record_check(ledger, "t-ok")
    decision = gate(ledger)
    assert decision.test_run.id == "t-ok" and decision.override_reason is None


def test_refusals_say_why(ledger):
    assert "needs a change id" in refusal(ledger, change_id=None)
    assert "no check run on a test inventory" in refusal(ledger)
    record_check(ledger, "t-other", digest="d2")
    assert "no test run used this profile" in refusal(ledger)
    record_check(ledger, "t-oldkit", version="v0")
    assert "another harden toolkit" in refusal(ledger)
    record_check(ledger, "t-stale", age=8 * DAY)
    assert "t-stale is stale" in refusal(ledger)
    record_check(ledger, "t-failed", age=DAY / 2, failed=True)
    assert "t-failed of this profile did not pass (1 failed control(s)" in refusal(ledger)


def test_an_interrupted_or_production_check_does_not_count(ledger):
    record_check(ledger, "t-cut", status="interrupted")
    record_check(ledger, "p-check", environment="production")
    assert "no check run on a test inventory" in refusal(ledger)


def test_a_test_run_of_fewer_controls_does_not_cover_the_apply(ledger):
    record_check(ledger, "t-some", selection={"controls": ["svc-ftp-absent"], "skip": []})
    assert "did not check every control" in refusal(ledger)
    assert gate(ledger, selection={"controls": ["svc-ftp-absent"]}).test_run.id == "t-some"
    assert covers({"controls": [], "skip": []}, {"controls": ["x"], "skip": ["y"]})
    assert not covers({"skip": ["y"]}, {"skip": []})


def test_break_glass_needs_a_reason_and_a_change_id_and_is_reported(ledger):
    assert "needs a reason" in refusal(ledger, break_glass="  ")
    assert "needs a change id" in refusal(ledger, break_glass="outage", change_id=None)
    decision = gate(ledger, break_glass="ransomware containment, INC-9")
    assert decision.override_reason == "ransomware containment, INC-9" and decision.test_run is None


def test_test_inventories_are_not_gated_but_an_unknown_environment_is_refused(ledger):
    assert gate(ledger, environment="test", change_id=None).test_run is None
    assert "does not say which environment" in refusal(ledger, environment=None)


def test_windows_and_batches():
    assert parse_window("7d") == 7 * DAY and parse_window("90s") == 90 and parse_window("1.5h") == 5400
    with pytest.raises(HardenError):
        parse_window("soon")
    hosts = [f"h{i}" for i in range(7)]
    assert batches(hosts, "20%") == [["h0", "h1"], ["h2", "h3"], ["h4", "h5"], ["h6"]]
    assert batches(hosts, "3") == [["h0", "h1", "h2"], ["h3", "h4", "h5"], ["h6"]]
    assert batches(hosts[:2], "1%") == [["h0"], ["h1"]]
    with pytest.raises(HardenError):
        batches(hosts, "0")
