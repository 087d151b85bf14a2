"""The catalog and the roles stay in step: every control implemented, every task names a control."""

from pathlib import Path

import pytest
import yaml

from harden.catalog import CatalogError, load_catalog
from harden.results import control_of

ROOT = Path(__file__).resolve().parents[1]


def role_tasks():
    """(role, file, task) for every task in every role's task files."""
    for path in sorted((ROOT / "roles").glob("*/tasks/*.yml")):
        for task in yaml.safe_load(path.read_text()) or []:
            yield path.parts[-3], path, task


def role_file_entries():
    """(role, path, control) for the keys of every `*_files` mapping in a role's vars and defaults (what
    harden_files puts in place, per control, in one call) and of other mappings keyed by control ids."""
    ids = set(load_catalog())
    for path in sorted((ROOT / "roles").glob("*/[vd][ae]*/main.yml")):
        for name, value in (yaml.safe_load(path.read_text()) or {}).items():
            if isinstance(value, dict) and (name.endswith("_files") or set(value) <= ids):
                for control in value:
                    yield path.parts[-3], path, control


def test_catalog_loads_with_hipaa_and_nist_for_every_control():
    catalog = load_catalog()
    assert len(catalog) >= 19
    for control in catalog.values():
        assert control.hipaa and all(c.startswith("164.") for c in control.hipaa), control.id
        assert control.nist and all(n[:2].isalpha() and "-" in n for n in control.nist), control.id


def test_every_task_names_a_catalog_control_of_its_own_role_and_is_tagged_with_it():
    catalog = load_catalog()
    for role, path, task in role_tasks():
        if task.get("name", "").startswith(f"{role} | "):  # one call for many controls (files, one purge)
            assert task.get("tags") == ["always"], f"{path}: {task['name']!r} acts for many controls: tag it always"
            continue
        control = control_of(task.get("name", ""))
        assert control in catalog, f"{path}: task {task.get('name')!r} names no catalog control"
        assert catalog[control].role == role, f"{path}: {control} belongs to role {catalog[control].role}"
        # Exceptions and --skip-controls skip a control by its tag; a task every control of its role reads
        # from is tagged always instead, so skipping one control never starves the others.
        tags = task.get("tags", [])
        assert control in tags or tags == ["always"], f"{path}: task {task['name']!r} is not tagged {control}"
        bound = (task.get("vars") or {}).get("harden_control")
        assert bound in (None, control), f"{path}: task {task['name']!r} acts for {bound}"


def test_every_file_entry_names_a_catalog_control_of_its_own_role():
    catalog = load_catalog()
    entries = list(role_file_entries())
    assert entries
    for role, path, control in entries:
        assert control in catalog and catalog[control].role == role, f"{path}: {control} is not a control of {role}"


def test_every_catalog_control_is_implemented_by_a_task():
    implemented = {control_of(task.get("name", "")) for _, _, task in role_tasks()}
    implemented |= {control for _, _, control in role_file_entries()}
    missing = sorted(set(load_catalog()) - implemented)
    assert not missing, f"catalog controls without a task: {missing}"


def test_site_playbook_runs_every_role_that_implements_a_control():
    site = yaml.safe_load((ROOT / "playbooks" / "site.yml").read_text())
    roles = {r["role"] for play in site for r in play["roles"]}
    assert {c.role for c in load_catalog().values()} <= roles


@pytest.mark.parametrize("text, message", [
    ("- id: x\n", "lacks"),
    ("- {id: Bad_Id, title: t, role: bad, severity: low, lockout_risk: low, hipaa: ['164.1'], nist: [CM-7],"
     " changes: c}\n", "must look like"),
    ("- {id: svc-x, title: t, role: bad, severity: huge, lockout_risk: low, hipaa: ['164.1'], nist: [CM-7],"
     " changes: c}\n", "severity"),
    ("- {id: svc-x, title: t, role: bad, severity: low, lockout_risk: low, hipaa: [], nist: [CM-7],"
     " changes: c}\n", "hipaa"),
    ("- {id: svc-x, title: t, role: other, severity: low, lockout_risk: low, hipaa: ['164.1'], nist: [CM-7],"
     " changes: c}\n", "file is bad"),
    ("- [unclosed\n", "not valid YAML"),
])
def test_malformed_catalog_is_rejected_naming_the_file(tmp_path, text, message):
    (tmp_path / "bad.yml").write_text(text)
    with pytest.raises(CatalogError, match=message) as err:
        load_catalog(tmp_path)
    assert "bad.yml" in str(err.value)


def test_every_parameter_a_control_names_is_declared_by_a_role():
    from harden.parameters import role_parameters

    declared = role_parameters()
    for control in load_catalog().values():
        missing = [p for p in control.parameters if p not in declared]
        assert not missing, f"{control.id} names undeclared parameters {missing}"
