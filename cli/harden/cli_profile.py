"""`harden profile` and `harden controls`: the tailored baseline and the catalog it is built from."""

from __future__ import annotations

import click
import yaml
from rich.table import Table

from harden.catalog import load_catalog
from harden.errors import HardenError
from harden.parameters import role_parameters
from harden.profile import DEFAULT_PROFILE, SECRET, Profile, load_profile
from harden.view import make_console

console = make_console()


@click.group(name="profile")
def profile_group() -> None:
    """Profiles: which controls, their parameters, and documented exceptions."""


@profile_group.command(name="show")
@click.argument("name", default=DEFAULT_PROFILE)
def profile_show(name: str) -> None:
    """Print a profile as harden resolves it (extends merged, secrets masked)."""
    profile = load_profile(name)
    _warn(profile)
    click.echo(yaml.safe_dump(profile.document(), sort_keys=False, width=110), nl=False)


@profile_group.command(name="validate")
@click.argument("names", nargs=-1)
def profile_validate(names: tuple[str, ...]) -> None:
    """Check profiles; every problem is listed with its file, line and fix. Exit 1 if any is invalid."""
    failed = False
    for name in names or (DEFAULT_PROFILE,):
        try:
            profile = load_profile(name)
        except HardenError as err:
            failed = True
            click.echo(f"{name}: {err.message}", err=True)
            continue
        _warn(profile)
        click.echo(f"{name}: valid ({len(profile.controls)} controls, {len(profile.exceptions)} exception(s), "
                   f"digest {profile.digest[:12]})")
    if failed:
        raise SystemExit(1)


@profile_group.command(name="diff")
@click.argument("first")
@click.argument("second")
def profile_diff(first: str, second: str) -> None:
    """What differs between two profiles: controls, parameters, exceptions."""
    a, b = load_profile(first).document(), load_profile(second).document()
    lines = [f"- control {c}" for c in sorted(set(a["controls"]) - set(b["controls"]))]
    lines += [f"+ control {c}" for c in sorted(set(b["controls"]) - set(a["controls"]))]
    for key in sorted(set(a["parameters"]) | set(b["parameters"])):
        old, new = a["parameters"].get(key, "(role default)"), b["parameters"].get(key, "(role default)")
        if old != new:
            lines.append(f"~ {key}: {old!r} -> {new!r}")
    ea = {(e["control"], tuple(e["scope"])): e for e in a["exceptions"]}
    eb = {(e["control"], tuple(e["scope"])): e for e in b["exceptions"]}
    lines += [f"- exception {c} on {', '.join(s)}" for c, s in sorted(set(ea) - set(eb))]
    lines += [f"+ exception {c} on {', '.join(s)}: {eb[(c, s)]['justification']}" for c, s in sorted(set(eb) - set(ea))]
    lines += [f"~ exception {c} on {', '.join(s)}" for c, s in sorted(set(ea) & set(eb)) if ea[(c, s)] != eb[(c, s)]]
    click.echo("\n".join(lines) if lines else f"{first} and {second} mean the same")


@profile_group.command(name="params")
def profile_params() -> None:
    """Every parameter a profile may set, from the roles' argument specs."""
    table = Table(header_style="bold")
    for column in ("parameter", "role", "type", "default", "description"):
        table.add_column(column)
    for p in sorted(role_parameters().values(), key=lambda p: (p.role, p.name)):
        kind = f"{p.type} of {p.elements}" if p.elements else p.type
        default = SECRET if p.secret else ("" if p.default is None else repr(p.default))
        table.add_row(p.name, p.role, kind, default[:40], p.description)
    console.print(table)


def _warn(profile: Profile) -> None:
    for warning in profile.warnings:
        click.echo(f"warning: {warning}", err=True)


@click.group(name="controls", invoke_without_command=True)
@click.option("--role", help="Only this role's controls.")
@click.option("--severity", type=click.Choice(["low", "medium", "high"]), help="Only this severity.")
@click.option("--hipaa", help="Only controls citing this HIPAA section (prefix match, e.g. 164.312).")
@click.option("--nist", help="Only controls mapped to this NIST SP 800-53 control (e.g. CM-7).")
@click.pass_context
def controls_group(ctx, role, severity, hipaa, nist) -> None:
    """List the control catalog, filtered; `harden controls show ID` prints one."""
    if ctx.invoked_subcommand:
        return
    table = Table(header_style="bold")
    for column in ("id", "role", "severity", "HIPAA", "NIST 800-53", "title"):
        table.add_column(column)
    for c in load_catalog().values():
        if ((role and c.role != role) or (severity and c.severity != severity)
                or (hipaa and not any(h.startswith(hipaa) for h in c.hipaa))
                or (nist and not any(n == nist or n.startswith(nist + "(") for n in c.nist))):
            continue
        table.add_row(c.id, c.role, c.severity, ", ".join(c.hipaa), ", ".join(c.nist), c.title)
    console.print(table if table.row_count else "no control matches")


@controls_group.command(name="show")
@click.argument("control_id")
def controls_show(control_id: str) -> None:
    """One control: mappings, what it changes, and its parameters with the default profile's values."""
    catalog = load_catalog()
    if control_id not in catalog:
        raise HardenError(f"unknown control {control_id}: `harden controls` lists them")
    c = catalog[control_id]
    profile = load_profile(DEFAULT_PROFILE)
    params = role_parameters()
    rows = [("id", c.id), ("title", c.title), ("role", c.role), ("severity", c.severity),
            ("lockout risk", c.lockout_risk), ("HIPAA", ", ".join(c.hipaa)), ("NIST 800-53", ", ".join(c.nist)),
            ("CIS", "; ".join(f"{k} {', '.join(v)}" for k, v in c.cis.items()) or "-"),
            ("STIG", ", ".join(c.stig) or "-"), ("changes", c.changes)]
    for name in c.parameters:
        p = params.get(name)
        value = profile.parameters.get(name, p.default if p else None)
        shown = SECRET if p and p.secret else repr(value)
        rows.append((f"parameter {name}", f"{shown}  ({p.description if p else 'not declared by its role'})"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"{key.ljust(width)}  {value}")
