"""Load and check an Ansible inventory before any host is contacted."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import ansible_runner

from harden.errors import HardenError
from harden.paths import ansible_env

ENVIRONMENTS = ("test", "production")


@dataclass(frozen=True)
class Inventory:
    path: Path
    hosts: tuple[str, ...]
    environment: str | None  # from the harden_environment variable; None when unset
    hostvars: dict


def _first_error(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for line in lines:
        if "ERROR" in line or "Error" in line or "error" in line:
            return line.replace("[ERROR]: ", "").replace("ERROR! ", "")
    return lines[0] if lines else "ansible-inventory failed"


def load_inventory(path: str | Path) -> Inventory:
    path = Path(path)
    if not path.exists():
        raise HardenError(f"inventory {path} does not exist")
    with tempfile.TemporaryDirectory(prefix="harden-inv-") as scratch:
        response, error = ansible_runner.get_inventory(
            action="list", inventories=[str(path.resolve())], response_format="json",
            envvars=ansible_env(), quiet=True, private_data_dir=scratch,
        )
    if not isinstance(response, dict):
        raise HardenError(f"inventory {path} could not be parsed: {_first_error(error or str(response))}")
    hostvars = response.get("_meta", {}).get("hostvars", {})
    hosts = sorted({h for name, group in response.items() if name != "_meta"
                    for h in (group.get("hosts") or [])} | set(hostvars))
    if not hosts:
        raise HardenError(f"inventory {path} has no hosts")
    envs = {hostvars.get(h, {}).get("harden_environment") for h in hosts}
    if len(envs) > 1:
        raise HardenError(f"inventory {path} mixes environments {sorted(map(str, envs))}: "
                          "one inventory is either test or production")
    environment = envs.pop()
    if environment is not None and environment not in ENVIRONMENTS:
        raise HardenError(f"inventory {path}: harden_environment is {environment!r}; use test or production")
    return Inventory(path=path, hosts=tuple(hosts), environment=environment, hostvars=hostvars)
