"""Runs as the workflow records them in the ledger: a check; an apply (gated, in batches when it is
production, stopped at the failure threshold) and the evaluation check that follows it."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from harden.errors import EXIT_FINDINGS, EXIT_NOT_RUN, HardenError
from harden.inventory import snapshot
from harden.ledger import Ledger
from harden.results import Collector, Status, exit_code
from harden.runner import RunRequest, new_run_id, run_site
from harden.toolkit import operator, toolkit_version


class RunInterrupted(HardenError):
    exit_code = 130


@dataclass
class Recorded:
    run_id: str
    kind: str
    collector: Collector
    exit_code: int
    seconds: float
    artifact_dirs: list[str] = field(default_factory=list)
    stopped: str | None = None  # why a rollout stopped early
    not_run: list[str] = field(default_factory=list)  # hosts a stopped rollout never reached

    def reached(self) -> list[str]:
        return [h for h in self.collector.hosts() if h not in self.collector.unreachable]


def failed_hosts(collector: Collector) -> list[str]:
    failed = {o.host for o in collector.outcomes.values() if o.status is Status.FAILED}
    return sorted(failed | set(collector.unreachable))


@contextmanager
def interrupt_on_sigterm():
    """SIGTERM (a stopped CI job, systemd) ends a run like Ctrl-C does: recorded as interrupted."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def recorded_run(ledger: Ledger, request: RunRequest, kind: str, live: Callable, *,
                 change_id: str | None = None, parent_id: str | None = None, gate_run_id: str | None = None,
                 override_reason: str | None = None, batches: list[list[str]] | None = None,
                 max_failed: int = 0, on_batch: Callable | None = None) -> Recorded:
    """Run site.yml (per batch when given), recording the run before, during and after."""
    run_id = new_run_id()
    hosts = [h for batch in batches for h in batch] if batches else list(request.inventory.hosts)
    ledger.start_run(
        run_id=run_id, kind=kind, operator=operator(), toolkit_version=toolkit_version(),
        profile_name=request.profile.name, profile_digest=request.profile.digest,
        inventory=str(request.inventory.path), environment=request.inventory.environment, hosts=hosts,
        change_id=change_id, parent_id=parent_id, gate_run_id=gate_run_id, override_reason=override_reason,
        selection=request.selection, profile=request.profile.document(), inventory_snapshot=snapshot(request.inventory))
    collector = request.new_collector()
    recorded = Recorded(run_id=run_id, kind=kind, collector=collector, exit_code=EXIT_NOT_RUN, seconds=0.0)
    started = time.monotonic()
    try:
        with interrupt_on_sigterm():
            for index, batch in enumerate(batches or [None]):
                batch_request = request if batch is None else replace(request, limit=",".join(batch))
                suffix = f"-b{index + 1}" if batches else ""
                with live(batch or hosts, request.check) as progress:
                    result = run_site(batch_request, progress.on_event, collector=collector, run_id=run_id + suffix)
                recorded.artifact_dirs += [str(d) for d in result.artifact_dirs]
                _record(ledger, run_id, collector, batch, [str(d) for d in result.artifact_dirs])
                if result.status == "canceled":  # ansible-runner caught SIGINT or SIGTERM and stopped Ansible
                    raise KeyboardInterrupt
                if not batches:
                    continue
                failed = failed_hosts(collector)
                if on_batch:
                    on_batch(index + 1, len(batches), batch, [h for h in failed if h in batch])
                if len(failed) > max_failed and index + 1 < len(batches):
                    recorded.stopped = (f"rollout stopped after batch {index + 1} of {len(batches)}: "
                                        f"{len(failed)} host(s) failed ({', '.join(failed)}), more than the "
                                        f"{max_failed} --max-failed allows")
                    recorded.not_run = [h for later in batches[index + 1:] for h in later]
                    break
    except KeyboardInterrupt:
        _record(ledger, run_id, collector, None, None)
        ledger.finish_run(run_id, "interrupted", 130, "interrupted (Ctrl-C or SIGTERM) before the run finished")
        raise RunInterrupted(f"run {run_id} was interrupted; what it did so far is in the ledger "
                             f"(harden show {run_id})") from None
    except BaseException as exc:
        _record(ledger, run_id, collector, None, None)
        ledger.finish_run(run_id, "failed", EXIT_NOT_RUN, f"harden failed: {exc}")
        raise
    recorded.seconds = time.monotonic() - started
    if not collector.hosts():
        ledger.finish_run(run_id, "failed", EXIT_NOT_RUN, "the run produced no result")
        raise HardenError(f"run {run_id} produced no result; see {recorded.artifact_dirs[-1]}/stdout")
    recorded.exit_code = exit_code(collector)
    if recorded.stopped and recorded.exit_code != EXIT_NOT_RUN:
        recorded.exit_code = EXIT_FINDINGS
    ledger.finish_run(run_id, "stopped" if recorded.stopped else "completed", recorded.exit_code, recorded.stopped)
    return recorded


def _record(ledger: Ledger, run_id: str, collector: Collector, batch: list[str] | None,
            artifact_dirs: list[str] | None):
    chosen = set(batch) if batch else None
    outcomes = [o for o in collector.results() if chosen is None or o.host in chosen]
    unreachable = {h: r for h, r in collector.unreachable.items() if chosen is None or h in chosen}
    ledger.record_results(run_id, outcomes, unreachable, artifact_dirs)
