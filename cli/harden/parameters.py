"""Role parameters as the roles declare them (roles/*/meta/argument_specs.yml): one source of truth
for what a profile may set, its type and its allowed values."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

import yaml

from harden.paths import project_root

PYTHON_TYPES = {"str": (str,), "int": (int,), "bool": (bool,), "list": (list,), "dict": (dict,),
                "float": (int, float), "path": (str,)}


@dataclass(frozen=True)
class Parameter:
    name: str
    role: str
    type: str
    elements: str | None
    choices: tuple | None
    default: object
    description: str
    secret: bool  # no_log in the spec: kept off command lines, artifacts and reports


@cache
def role_parameters() -> dict[str, Parameter]:
    params = {}
    for path in sorted((project_root() / "roles").glob("*/meta/argument_specs.yml")):
        role = path.parts[-3]
        spec = (yaml.safe_load(path.read_text()) or {}).get("argument_specs", {}).get("main", {})
        for name, option in (spec.get("options") or {}).items():
            description = option.get("description", "")
            params[name] = Parameter(
                name=name, role=role, type=option.get("type", "str"), elements=option.get("elements"),
                choices=tuple(option["choices"]) if option.get("choices") else None,
                default=option.get("default"), secret=bool(option.get("no_log")),
                description=" ".join(description) if isinstance(description, list) else description)
    return params


def check_value(name: str, value) -> str | None:
    """None when value fits the parameter, else what is wrong and how to fix it."""
    params = role_parameters()
    if name not in params:
        close = difflib.get_close_matches(name, params, n=1)
        hint = f"did you mean {close[0]}?" if close else "see `harden profile params` for the list"
        return f"unknown parameter {name}: {hint}"
    p = params[name]
    if not _is(value, p.type):
        return f"{name} must be a {p.type}, not {type(value).__name__} ({value!r})"
    if p.type == "list" and p.elements:
        bad = [v for v in value if not _is(v, p.elements)]
        if bad:
            return f"{name} must be a list of {p.elements}; {bad[0]!r} is not"
    if p.choices and value not in p.choices:
        return f"{name} must be one of {', '.join(map(str, p.choices))}, not {value!r}"
    return None


def _is(value, type_name: str) -> bool:
    if type_name in ("int", "float") and isinstance(value, bool):
        return False  # YAML's true is not a number
    return isinstance(value, PYTHON_TYPES.get(type_name, (object,)))
