"""Run playbooks/site.yml through ansible-runner (never a shell-out) and collect the outcomes."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ansible_runner

from harden.inventory import Inventory
from harden.paths import ansible_env, site_playbook, state_dir
from harden.results import Collector


@dataclass(frozen=True)
class RunRequest:
    inventory: Inventory
    check: bool
    limit: str | None = None
    forks: int | None = None


@dataclass
class RunResult:
    run_id: str
    status: str  # ansible-runner's: successful, failed, timeout, canceled
    rc: int
    artifact_dir: Path
    collector: Collector
    seconds: float


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def run_site(request: RunRequest, on_event: Callable[[dict, Collector], None] | None = None) -> RunResult:
    run_id = new_run_id()
    private = state_dir() / "runner"  # artifacts land in runner/artifacts/<run id>
    private.mkdir(parents=True, exist_ok=True)
    collector = Collector(check=request.check)

    def handle(event: dict) -> bool:
        collector.feed(event)
        if on_event:
            on_event(event, collector)
        return True  # keep the event in the artifacts

    started = time.monotonic()
    runner = ansible_runner.run(
        private_data_dir=str(private),
        ident=run_id,
        playbook=str(site_playbook()),
        inventory=str(request.inventory.path.resolve()),
        cmdline="--check --diff" if request.check else "--diff",
        envvars=ansible_env(),
        limit=request.limit,
        forks=request.forks,
        event_handler=handle,
        quiet=True,
    )
    return RunResult(
        run_id=run_id, status=runner.status, rc=runner.rc, artifact_dir=Path(runner.config.artifact_dir),
        collector=collector, seconds=time.monotonic() - started,
    )
