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
def fresh_host(lab_state):
    """Start one fresh neglected host of a release; returns (host, inventory path). Removed at the end."""
    from harden import lab

    started = []

    def lab_of(release: str) -> str:
        return f"{LAB}{lab.RELEASES[release][-2:]}"  # harden-test12, harden-test13: one lab per release

    def start(release: str):
        inventory = lab_state / f"{release}.yml"
        lab.down(lab=lab_of(release), inventory=inventory)  # always a freshly neglected host
        host = lab.up(1, release, progress=lambda _: None, lab=lab_of(release), inventory=inventory)[0]
        started.append(release)
        return host, inventory

    yield start
    for release in started:
        lab.down(lab=lab_of(release), inventory=lab_state / f"{release}.yml")
