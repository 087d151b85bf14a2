"""A lab of its own for the integration tests: fresh neglected hosts, reached over SSH on 127.0.0.1."""

import os
import shutil

import pytest
from labtools import LAB


def pytest_collection_modifyitems(items):
    if shutil.which("podman") is None:
        skip = pytest.mark.skip(reason="podman is not installed (scripts/setup.sh installs it)")
        for item in items:
            if "lab" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def lab_state(tmp_path_factory):
    """harden's state (runs, the lab key) for this session only."""
    path = tmp_path_factory.mktemp("harden-state")
    previous = os.environ.get("HARDEN_STATE_DIR")
    os.environ["HARDEN_STATE_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("HARDEN_STATE_DIR", None)
    else:
        os.environ["HARDEN_STATE_DIR"] = previous


@pytest.fixture(scope="session")
def fresh_lab(lab_state):
    """Start `count` fresh neglected hosts of a release in a lab of their own; returns (hosts, inventory).
    Every lab started here is removed at the end of the session."""
    from harden import lab

    started = []

    def start(release: str, count: int = 1, purpose: str = ""):
        name = f"{LAB}{purpose}{lab.RELEASES[release][-2:]}"  # e.g. harden-test12, harden-testex12
        inventory = lab_state / f"{name}.yml"
        lab.down(lab=name, inventory=inventory)  # always freshly neglected hosts
        hosts = lab.up(count, release, progress=lambda _: None, lab=name, inventory=inventory)
        started.append((name, inventory))
        return hosts, inventory

    yield start
    for name, inventory in started:
        lab.down(lab=name, inventory=inventory)
