"""Where harden's own files are: the project tree (playbooks, roles, catalog) and its state."""

import os
import sys
from functools import cache
from pathlib import Path

from harden.errors import HardenError


@cache
def project_root() -> Path:
    """The checkout holding playbooks/site.yml: HARDEN_HOME, or the tree this package sits in."""
    env = os.environ.get("HARDEN_HOME")
    candidates = [Path(env)] if env else list(Path(__file__).resolve().parents)
    for candidate in candidates:
        if (candidate / "playbooks" / "site.yml").is_file():
            return candidate
    raise HardenError("cannot find harden's playbooks: set HARDEN_HOME to the harden checkout")


def site_playbook() -> Path:
    return project_root() / "playbooks" / "site.yml"


def inventory_playbook() -> Path:
    return project_root() / "playbooks" / "inventory.yml"


def ansible_cfg() -> Path:
    return project_root() / "ansible.cfg"


def catalog_dir() -> Path:
    return project_root() / "catalog"


def state_dir() -> Path:
    """Run artifacts and the lab's key: HARDEN_STATE_DIR, or .harden in the checkout."""
    path = Path(os.environ.get("HARDEN_STATE_DIR") or project_root() / ".harden")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _put_ansible_on_path() -> None:
    """ansible-runner finds ansible-playbook on PATH: use the one installed beside this Python."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")


def ansible_env() -> dict:
    """Environment for every Ansible process harden starts."""
    _put_ansible_on_path()
    root = project_root()
    return {
        "ANSIBLE_CONFIG": str(ansible_cfg()),
        "ANSIBLE_ROLES_PATH": str(root / "roles"),
        "ANSIBLE_LIBRARY": str(root / "library"),
        "ANSIBLE_FILTER_PLUGINS": str(root / "filter_plugins"),
        "ANSIBLE_MODULE_UTILS": str(root / "module_utils"),
        # A broken inventory is an error, not an empty run.
        "ANSIBLE_INVENTORY_UNPARSED_FAILED": "True",
        "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "True",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
    }
