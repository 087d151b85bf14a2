"""Who and what ran: the operator, and the toolkit version the promotion gate compares."""

from __future__ import annotations

import getpass
import hashlib
import os
from functools import cache

from harden import __version__
from harden.paths import project_root

# What decides what a run does to a host. A change to any of it is a new toolkit version.
CONTENT = ("ansible.cfg", "playbooks", "roles", "library", "filter_plugins", "catalog")


@cache
def toolkit_version() -> str:
    """The package version plus a digest of the Ansible content, so a test run made with other
    roles than the production apply does not pass the gate."""
    root = project_root()
    digest = hashlib.sha256()
    for top in CONTENT:
        base = root / top
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts)
        for path in files:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{__version__}+{digest.hexdigest()[:12]}"


def operator() -> str:
    """The person running harden (through sudo, the one who called sudo)."""
    return os.environ.get("SUDO_USER") or getpass.getuser()
