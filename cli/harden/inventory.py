"""Load and check an Ansible inventory before any host is contacted."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import ansible_runner

from harden.errors import HardenError
from harden.parameters import role_parameters
from harden.paths import ansible_env

ENVIRONMENTS = ("test", "production")


@dataclass(frozen=True)
class Inventory:
    path: Path
    hosts: tuple[str, ...]
    environment: str | None  # from the harden_environment variable; None when unset
    hostvars: dict
    groups: dict  # host -> set of every group it is in, directly or through child groups

    def select(self, limit: str | None) -> list[str]:
        """Hosts named by a --limit of host and group names (comma separated), in inventory order.
        Batches and per-host exceptions split a run by host, so they need names, not patterns."""
        if not limit:
            return list(self.hosts)
        names = [n.strip() for n in limit.split(",") if n.strip()]
        if any(set(n) & set("*?![]:&~") for n in names):
            raise HardenError("with batches or per-host exceptions, --limit takes host and group names only")
        chosen = [h for h in self.hosts if h in names or self.groups.get(h, set()) & set(names)]
        if not chosen:
            raise HardenError(f"--limit {limit} matches no host of {self.path}")
        return chosen


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
    return Inventory(path=path, hosts=tuple(hosts), environment=environment, hostvars=hostvars,
                     groups=_memberships(response, hosts))


def snapshot(inventory: Inventory) -> dict:
    """What the inventory said when a run was made (the ledger strips secrets before storing it)."""
    return {"path": str(inventory.path), "environment": inventory.environment, "hosts": list(inventory.hosts),
            "groups": {h: sorted(g) for h, g in inventory.groups.items()}, "hostvars": inventory.hostvars}


def _memberships(response: dict, hosts: list[str]) -> dict:
    groups = {name: g for name, g in response.items() if name != "_meta" and isinstance(g, dict)}

    def members(name: str, seen: frozenset = frozenset()) -> set:
        group = groups.get(name, {})
        found = set(group.get("hosts") or [])
        for child in group.get("children") or []:
            if child not in seen:
                found |= members(child, seen | {name})
        return found

    by_group = {name: members(name) for name in groups}
    return {h: {g for g, m in by_group.items() if h in m} | {"all"} for h in hosts}


def refuse_inventory_parameters(inventory: Inventory, profile) -> None:
    """Profile parameters reach Ansible as extra vars, which beat inventory vars: a role parameter set
    in the inventory would be silently ignored. Tailoring belongs in the profile, documented."""
    params = role_parameters()
    for host in inventory.hosts:
        clash = sorted(set(inventory.hostvars.get(host, {})) & set(params))
        if clash:
            raise HardenError(
                f"inventory {inventory.path} sets {', '.join(clash)} for {host}: role parameters are set in the "
                f"profile ({profile.path}), and a host-specific deviation is an exception there")
