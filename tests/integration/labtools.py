"""Helpers for the lab integration tests: run harden as a user does, look at a host directly."""

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
LAB = os.environ.get("HARDEN_TEST_LAB", "harden-test")  # a lab of its own, apart from `harden lab`


def harden(*args: str) -> tuple[int, dict]:
    """Run the real harden command; returns its exit code and its --json report."""
    proc = subprocess.run([str(BIN / "harden"), *args, "--json"], capture_output=True, text=True,
                          env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
    out = proc.stdout
    assert out.strip().startswith("{"), f"harden {args} printed no report: {out[-2000:]} {proc.stderr[-2000:]}"
    return proc.returncode, json.loads(out[: out.rindex("}") + 1])


def on_host(name: str, command: str) -> str:
    """A command run inside the lab container (for evidence that does not go through harden)."""
    from harden import lab

    return lab.podman("exec", name, "sh", "-c", command)
