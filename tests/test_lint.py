"""Lint is part of the tests: ruff (Python), yamllint (all YAML), ansible-lint (roles, playbooks, Molecule)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("command", [
    ["ruff", "check", "cli", "tests", "library", "filter_plugins", "module_utils"],
    ["yamllint", "--strict", "."],
    ["ansible-lint", "--offline"],
], ids=lambda c: c[0])
def test_lint_is_clean(command):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "ANSIBLE_LIBRARY": str(ROOT / "library"), "ANSIBLE_FILTER_PLUGINS": str(ROOT / "filter_plugins"),
           "NO_COLOR": "1"}
    proc = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
