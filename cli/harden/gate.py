"""The promotion gate: production is changed only after the same profile, with the same toolkit,
passed a check run on a test inventory recently, and only under a change id."""

from __future__ import annotations

import time
from dataclasses import dataclass

from harden.errors import HardenError
from harden.ledger import Ledger, RunRecord


@dataclass(frozen=True)
class GateDecision:
    test_run: RunRecord | None
    override_reason: str | None
    message: str


class GateRefused(HardenError):
    pass


def covers(test_selection: dict, apply_selection: dict) -> bool:
    """A test run covers an apply when it checked at least the controls the apply will run."""
    tested, applied = set(test_selection.get("controls") or []), set(apply_selection.get("controls") or [])
    if tested and (not applied or not applied <= tested):
        return False
    return set(test_selection.get("skip") or []) <= set(apply_selection.get("skip") or [])


def production_gate(ledger: Ledger, *, environment: str | None, profile_digest: str, profile_name: str,
                    toolkit_version: str, change_id: str | None, window_seconds: float, selection: dict,
                    break_glass: str | None, now: float | None = None) -> GateDecision:
    """Decide whether an apply may go ahead; raises GateRefused with the reason and the way forward."""
    now = time.time() if now is None else now
    if environment is None:
        raise GateRefused("the inventory does not say which environment it is: set harden_environment to test or "
                          "production in it")
    if environment != "production":
        return GateDecision(None, None, f"{environment} inventory: no promotion gate")
    if not change_id:
        raise GateRefused("applying to production needs a change id: --change-id CHG-...")
    if break_glass is not None:
        if not break_glass.strip():
            raise GateRefused("--break-glass needs a reason")
        return GateDecision(None, break_glass.strip(), f"gate overridden (break-glass): {break_glass.strip()}")

    test = ledger.latest_check(environment="test", profile_digest=profile_digest, toolkit_version=toolkit_version)
    if test is None:
        raise GateRefused(_no_test_run(ledger, profile_name, profile_digest, toolkit_version))
    age = now - test.started_at
    if test.failed or test.counts.get("unreachable"):
        raise GateRefused(f"the latest test run {test.id} of this profile did not pass ({test.failed} failed "
                          f"control(s), {test.counts.get('unreachable', 0)} unreachable host(s)): fix them and "
                          "check the test inventory again")
    if age > window_seconds:
        raise GateRefused(f"the latest passing test run {test.id} is stale: it ran {_span(age)} ago and the window "
                          f"is {_span(window_seconds)}; check the test inventory again")
    if not covers(test.selection, selection):
        raise GateRefused(f"the test run {test.id} did not check every control this apply runs "
                          f"(it checked {test.selection or 'all'}): check them on the test inventory")
    return GateDecision(test, None, f"test run {test.id} passed {_span(age)} ago with the same profile and toolkit")


def _no_test_run(ledger: Ledger, name: str, digest: str, version: str) -> str:
    tests = [r for r in ledger.runs(limit=200, kind="check") if r.environment == "test" and r.status == "completed"]
    hint = f"run `harden check -i <test inventory> --profile {name}` first"
    if not tests:
        return f"no check run on a test inventory is in the ledger: {hint}"
    if any(r.profile_digest == digest for r in tests):
        return (f"test runs of profile {name} were made with another harden toolkit (this is {version}): "
                f"the roles changed since; {hint}")
    latest = tests[0]
    return (f"no test run used this profile (digest {digest[:12]}); the latest test run {latest.id} used "
            f"{latest.profile_name} ({latest.profile_digest[:12]}): {hint}")


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{int(seconds)}s"


def parse_window(text: str) -> float:
    """'7d', '12h', '30m', '90s' -> seconds."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    try:
        return float(text[:-1]) * units[text[-1]] if text[-1] in units else float(text)
    except (ValueError, IndexError):
        raise HardenError(f"window {text!r}: use a number with d, h, m or s, like 7d") from None
