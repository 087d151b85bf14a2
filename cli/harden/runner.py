"""Run playbooks/site.yml through ansible-runner (never a shell-out) and collect the outcomes."""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ansible_runner

from harden.inventory import Inventory
from harden.parameters import role_parameters
from harden.paths import ansible_env, site_playbook, state_dir
from harden.profile import Profile
from harden.results import Collector


@dataclass(frozen=True)
class RunRequest:
    inventory: Inventory
    profile: Profile
    check: bool
    limit: str | None = None
    forks: int | None = None
    controls: tuple[str, ...] = ()  # only these (Ansible tags); empty: all the profile selects
    skip: tuple[str, ...] = ()

    @property
    def selection(self) -> dict:
        return {"controls": sorted(self.controls), "skip": sorted(self.skip), "limit": self.limit}

    def excepted(self) -> dict[str, dict[str, str]]:
        """host -> {control: why} for every host a profile exception applies to."""
        result = {}
        for host in self.inventory.hosts:
            found = self.profile.excepted(host, self.inventory.groups.get(host, {"all"}))
            if found:
                result[host] = {control: e.summary() for control, e in found.items()}
        return result

    def exception_groups(self) -> list[tuple[str | None, tuple[str, ...]]]:
        """(limit, controls to skip) per group of hosts that share their exceptions. Every task carries its
        control's tag, so an excepted control is left out with --skip-tags on exactly those hosts."""
        excepted = self.excepted()
        if not excepted:
            return [(self.limit, self.skip)]
        chosen = self.inventory.select(self.limit)
        by_set: dict[tuple[str, ...], list[str]] = {}
        for host in chosen:
            by_set.setdefault(tuple(sorted(excepted.get(host, {}))), []).append(host)
        return [(",".join(hosts), tuple(sorted(set(self.skip) | set(controls))))
                for controls, hosts in sorted(by_set.items())]

    def new_collector(self) -> Collector:
        return Collector(check=self.check, excepted=self.excepted(), selected=self.controls, skipped=self.skip)

    def extravars(self) -> tuple[dict, dict]:
        """The one translation from profile to Ansible variables (the roles check them again):
        (plain variables, secret variables that must stay off command lines and artifacts)."""
        secret = {k: v for k, v in self.profile.parameters.items() if role_parameters()[k].secret}
        plain = {k: v for k, v in self.profile.parameters.items() if k not in secret}
        plain["harden_profile"] = {"name": self.profile.name, "digest": self.profile.digest}
        return plain, secret


@dataclass
class RunResult:
    run_id: str
    status: str  # ansible-runner's (successful, failed, timeout, canceled); canceled if any part was
    artifact_dirs: list[Path]
    collector: Collector
    seconds: float


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def run_site(request: RunRequest, on_event: Callable[[dict, Collector], None] | None = None,
             collector: Collector | None = None, run_id: str | None = None) -> RunResult:
    """One ansible-runner run of site.yml. A rollout passes the same collector to every batch."""
    run_id = run_id or new_run_id()
    # A private data dir per run: ansible-runner writes env/extravars there and reads it back on every
    # later run in the same dir, so a shared one would leak one run's variables into the next.
    private = state_dir() / "runs" / run_id
    private.mkdir(parents=True)
    collector = collector or request.new_collector()

    def handle(event: dict) -> bool:
        collector.feed(event)
        if on_event:
            on_event(event, collector)
        return True  # keep the event in the artifacts

    plain, secret = request.extravars()
    cmdline = "--check --diff" if request.check else "--diff"
    groups = request.exception_groups()
    statuses, artifact_dirs = [], []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="harden-secret-") as scratch:
        if secret:  # a 0600 file outside the artifacts, gone when the run ends
            secret_file = Path(scratch) / "vars.json"
            secret_file.touch(mode=0o600)
            secret_file.write_text(json.dumps(secret))
            cmdline += f" -e @{secret_file}"
        for index, (limit, skip) in enumerate(groups):
            part = run_id if len(groups) == 1 else f"{run_id}-g{index + 1}"
            runner = run_playbook(
                site_playbook(), request.inventory, private, part, handle, cmdline=cmdline, extravars=plain,
                limit=limit, forks=request.forks, tags=",".join(request.controls) or None,
                skip_tags=",".join(skip) or None)
            statuses.append(runner.status)
            artifact_dirs.append(Path(runner.config.artifact_dir))
            if runner.status == "canceled":
                break
    status = "canceled" if "canceled" in statuses else next((s for s in statuses if s != "successful"), "successful")
    return RunResult(run_id=run_id, status=status, artifact_dirs=artifact_dirs, collector=collector,
                     seconds=time.monotonic() - started)


def run_playbook(playbook: Path, inventory: Inventory, private: Path, run_id: str, handle, **options):
    """The one call into ansible-runner: its events go to handle; returns the runner."""
    return ansible_runner.run(private_data_dir=str(private), ident=run_id, playbook=str(playbook),
                              inventory=str(inventory.path.resolve()), envvars=ansible_env(), event_handler=handle,
                              quiet=True, **options)
