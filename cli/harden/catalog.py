"""The control catalog (catalog/*.yml): one validated record per control."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from harden.errors import HardenError
from harden.paths import catalog_dir

ID_PATTERN = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")
LEVELS = ("low", "medium", "high")
REQUIRED = ("id", "title", "role", "severity", "lockout_risk", "hipaa", "nist", "changes")
OPTIONAL = ("cis", "stig", "parameters")


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    role: str
    severity: str
    lockout_risk: str
    hipaa: tuple[str, ...]
    nist: tuple[str, ...]
    changes: str
    cis: dict = field(default_factory=dict)
    stig: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()  # role variables that tailor this control


class CatalogError(HardenError):
    pass


def _control(record: object, where: str) -> Control:
    if not isinstance(record, dict):
        raise CatalogError(f"{where}: each entry must be a mapping of control fields")
    missing = [k for k in REQUIRED if k not in record]
    unknown = sorted(set(record) - set(REQUIRED) - set(OPTIONAL))
    cid = record.get("id", "?")
    if missing:
        raise CatalogError(f"{where}: control {cid} lacks {', '.join(missing)}")
    if unknown:
        raise CatalogError(f"{where}: control {cid} has unknown field(s) {', '.join(unknown)}")
    if not isinstance(cid, str) or not ID_PATTERN.match(cid):
        raise CatalogError(f"{where}: control id {cid!r} must look like 'svc-telnet-absent'")
    for key in ("severity", "lockout_risk"):
        if record[key] not in LEVELS:
            raise CatalogError(f"{where}: {cid}.{key} must be one of {', '.join(LEVELS)}")
    for key in ("hipaa", "nist"):
        if not record[key] or not all(isinstance(v, str) for v in record[key]):
            raise CatalogError(f"{where}: {cid}.{key} must be a non-empty list of strings")
    return Control(
        id=cid, title=record["title"], role=record["role"], severity=record["severity"],
        lockout_risk=record["lockout_risk"], hipaa=tuple(record["hipaa"]), nist=tuple(record["nist"]),
        changes=record["changes"], cis=dict(record.get("cis") or {}), stig=tuple(record.get("stig") or ()),
        parameters=tuple(record.get("parameters") or ()),
    )


def load_catalog(directory: Path | None = None) -> dict[str, Control]:
    """Every control by id; a malformed file or a duplicate id is an error naming the file."""
    directory = directory or catalog_dir()
    controls: dict[str, Control] = {}
    for path in sorted(directory.glob("*.yml")):
        try:
            records = yaml.safe_load(path.read_text()) or []
        except yaml.YAMLError as exc:
            raise CatalogError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(records, list):
            raise CatalogError(f"{path}: must be a list of controls")
        for record in records:
            control = _control(record, str(path))
            if control.id in controls:
                raise CatalogError(f"{path}: control {control.id} is defined twice")
            if control.role != path.stem:
                raise CatalogError(f"{path}: control {control.id} has role {control.role}, file is {path.stem}")
            controls[control.id] = control
    return controls
