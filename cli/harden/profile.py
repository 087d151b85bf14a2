"""Profiles: a tailored baseline built from the catalog, its parameters and documented exceptions.

A profile file (profiles/<name>.yml):

    name: hipaa-baseline
    description: ...
    extends: another-profile         # optional; parameters and exceptions are merged over it
    controls: all                    # or a list of control ids; an unselected control needs an exception
    parameters: {accounts_dormant_days: 90, ...}   # role variables, checked against argument specs
    exceptions:
      - control: svc-workstation-daemons-absent
        scope: [pacs]                # host names, group names, or all
        justification: ...
        compensating_controls: [...]
        owner: ...
        approver: ...
        ticket: ...
        expires: 2027-06-30

Everything wrong is reported at once, each problem with its file, line and the fix, before any host
is contacted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from harden import sourcefile
from harden.catalog import load_catalog
from harden.errors import HardenError
from harden.parameters import check_value, role_parameters
from harden.paths import project_root

DEFAULT_PROFILE = "hipaa-baseline"
TOP_KEYS = {"name", "description", "extends", "controls", "parameters", "exceptions"}
EXCEPTION_FIELDS = ("control", "scope", "justification", "compensating_controls", "owner", "approver",
                    "ticket", "expires")
WARN_DAYS = 30  # exceptions expiring this soon are warned about
SECRET = "(secret)"


class ProfileError(HardenError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("profile is not valid:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class ControlException:
    control: str
    scope: tuple[str, ...]
    justification: str
    compensating_controls: tuple[str, ...]
    owner: str
    approver: str
    ticket: str
    expires: dt.date
    source: str  # file:line, for people

    def applies_to(self, host: str, groups: set[str]) -> bool:
        return "all" in self.scope or host in self.scope or bool(groups & set(self.scope))

    def summary(self) -> str:
        return (f"excepted: {self.justification} (compensating: {'; '.join(self.compensating_controls)}; "
                f"owner {self.owner}, approved by {self.approver}, {self.ticket}, expires {self.expires})")


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path
    description: str
    chain: tuple[str, ...]  # this profile first, then what it extends
    controls: tuple[str, ...]
    parameters: dict
    exceptions: tuple[ControlException, ...]
    warnings: tuple[str, ...]

    @property
    def digest(self) -> str:
        """sha256 of what the profile means (not its formatting): the promotion gate compares it."""
        data = {"controls": sorted(self.controls), "parameters": self.parameters,
                "exceptions": [{k: v for k, v in asdict(e).items() if k != "source"} for e in self.exceptions]}
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()

    def document(self) -> dict:
        """The profile as resolved, for people and evidence: secret parameters masked."""
        params = role_parameters()
        return {
            "name": self.name, "extends": list(self.chain[1:]), "digest": self.digest,
            "description": self.description, "controls": list(self.controls),
            "parameters": {k: (SECRET if params[k].secret else v) for k, v in sorted(self.parameters.items())},
            "exceptions": [{"control": e.control, "scope": list(e.scope), "justification": e.justification,
                            "compensating_controls": list(e.compensating_controls), "owner": e.owner,
                            "approver": e.approver, "ticket": e.ticket, "expires": e.expires.isoformat()}
                           for e in self.exceptions],
        }

    def excepted(self, host: str, groups: set[str]) -> dict[str, ControlException]:
        return {e.control: e for e in self.exceptions if e.applies_to(host, groups)}


def profile_path(name_or_path: str, base: Path | None = None) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yml", ".yaml") or candidate.exists():
        return candidate
    for directory in filter(None, (base, project_root() / "profiles")):
        path = directory / f"{name_or_path}.yml"
        if path.exists():
            return path
    return project_root() / "profiles" / f"{name_or_path}.yml"


def load_profile(name_or_path: str = DEFAULT_PROFILE, today: dt.date | None = None) -> Profile:
    today = today or dt.date.today()
    catalog = load_catalog()
    problems: list[str] = []
    layers = _load_chain(profile_path(name_or_path), problems, [])
    if problems:
        raise ProfileError(problems)
    top_path, top = layers[0]

    controls_spec = next((data["controls"] for _, data in layers if "controls" in data), "all")
    origin = next((p for p, data in layers if "controls" in data), top_path)
    controls = _controls(controls_spec, catalog, origin, problems)

    parameters: dict = {}
    for path, data in reversed(layers):  # the base first, the profile itself last
        params = data.get("parameters") or {}
        if not isinstance(params, dict):
            problems.append(f"{_at(path, data, 'parameters')}: parameters must be a mapping of role variables")
            continue
        for key, value in params.items():
            problem = check_value(str(key), value)
            if problem:
                problems.append(f"{_at(path, params, key)}: {problem}")
            else:
                parameters[key] = value

    exceptions: list[ControlException] = []
    warnings: list[str] = []
    for path, data in reversed(layers):
        items = data.get("exceptions") or []
        if not isinstance(items, list):
            problems.append(f"{_at(path, data, 'exceptions')}: exceptions must be a list")
            continue
        for index, item in enumerate(items):
            exception = _exception(item, path, items, index, catalog, today, problems)
            if exception:
                exceptions.append(exception)
                left = (exception.expires - today).days
                if left <= WARN_DAYS:
                    warnings.append(f"{exception.source}: exception for {exception.control} expires in {left} day(s)")

    everywhere = {e.control for e in exceptions if "all" in e.scope}
    # The inventory role only reads the host; every run needs it.
    switchable = {cid for cid, c in catalog.items() if c.role != "inventory"}
    off = sorted(switchable - set(controls) - everywhere)
    if off:
        problems.append(f"{origin}: {', '.join(off)} switched off (not selected) without an exception: "
                        "select them, or add for each an exception with scope [all] that documents why")
    if problems:
        raise ProfileError(problems)
    return Profile(name=str(top.get("name") or top_path.stem), path=top_path,
                   description=str(top.get("description", "")),
                   chain=tuple(str(d.get("name") or p.stem) for p, d in layers), controls=tuple(controls),
                   parameters=parameters, exceptions=tuple(exceptions), warnings=tuple(warnings))


def _load_chain(path: Path, problems: list[str], seen: list[Path]) -> list[tuple[Path, dict]]:
    resolved = path.resolve()
    if resolved in seen:
        cycle = " -> ".join(p.stem for p in [*seen, resolved])
        problems.append(f"{path}: extends makes a cycle ({cycle}): remove one of the extends")
        return []
    if not path.exists():
        problems.append(f"{path}: no such profile (profiles are in {project_root() / 'profiles'})")
        return []
    try:
        data = sourcefile.load(path)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problems.append(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})")
        return []
    if not isinstance(data, dict):
        problems.append(f"{path}: a profile is a mapping with name, controls, parameters and exceptions")
        return []
    unknown = sorted(map(str, set(data) - TOP_KEYS))
    for key in unknown:
        problems.append(f"{_at(path, data, key)}: unknown key {key}: a profile has {', '.join(sorted(TOP_KEYS))}")
    layers = [(path, data)]
    parent = data.get("extends")
    if parent is not None:
        if not isinstance(parent, str) or not parent:
            problems.append(f"{_at(path, data, 'extends')}: extends names one profile")
        else:
            layers += _load_chain(profile_path(parent, base=path.parent), problems, [*seen, resolved])
    return layers


def _controls(spec, catalog: dict, path: Path, problems: list[str]) -> list[str]:
    if spec == "all":
        return sorted(catalog)
    if not isinstance(spec, list):
        problems.append(f"{path}: controls is 'all' or a list of control ids")
        return []
    chosen = []
    for index, cid in enumerate(spec):
        if not isinstance(cid, str) or cid not in catalog:
            problems.append(f"{_at(path, spec, index)}: unknown control {cid!r}: `harden controls` lists them")
        else:
            chosen.append(cid)
    return sorted(set(chosen))


def _exception(item, path: Path, items, index: int, catalog: dict, today: dt.date,
               problems: list[str]) -> ControlException | None:
    where = _at(path, items, index)
    if not isinstance(item, dict):
        problems.append(f"{where}: an exception is a mapping with {', '.join(EXCEPTION_FIELDS)}")
        return None
    found = len(problems)
    missing = [f for f in EXCEPTION_FIELDS if item.get(f) is None or item.get(f) == "" or item.get(f) == []]
    if missing:
        problems.append(f"{where}: exception for {item.get('control', '?')} lacks {', '.join(missing)}: "
                        "every exception needs " + ", ".join(EXCEPTION_FIELDS))
    for field in sorted(map(str, set(item) - set(EXCEPTION_FIELDS))):
        problems.append(f"{_at(path, item, field)}: unknown exception field {field}")
    control = item.get("control")
    if control is not None and (not isinstance(control, str) or control not in catalog):
        problems.append(f"{_at(path, item, 'control')}: unknown control {control!r}: `harden controls` lists them")
    scope, compensating = item.get("scope"), item.get("compensating_controls")
    if scope is not None and not (isinstance(scope, list) and all(isinstance(s, str) for s in scope)):
        problems.append(f"{_at(path, item, 'scope')}: scope is a list of host names, group names, or [all]")
    if compensating is not None and not (
            isinstance(compensating, list) and all(isinstance(s, str) for s in compensating)):
        problems.append(f"{_at(path, item, 'compensating_controls')}: compensating_controls lists what "
                        "reduces the risk instead")
    for field in ("justification", "owner", "approver", "ticket"):
        if item.get(field) is not None and not isinstance(item.get(field), str | int):
            problems.append(f"{_at(path, item, field)}: {field} is text")
    expires = _date(item.get("expires"))
    if item.get("expires") is not None and expires is None:
        problems.append(f"{_at(path, item, 'expires')}: expires is a date like 2027-06-30")
    elif expires is not None and expires < today:
        problems.append(f"{_at(path, item, 'expires')}: exception for {control} expired on {expires}: "
                        "renew it (new date, new approval) or remove it")
    if len(problems) > found:
        return None
    return ControlException(
        control=control, scope=tuple(scope), justification=str(item["justification"]),
        compensating_controls=tuple(compensating), owner=str(item["owner"]), approver=str(item["approver"]),
        ticket=str(item["ticket"]), expires=expires, source=where)


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _at(path: Path, container, key) -> str:
    line = sourcefile.line_of(container, key)
    return f"{path}:{line}" if line else str(path)
