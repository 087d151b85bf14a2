"""Profiles: tailoring is validated before any host is contacted, and every problem names its file,
line and fix. The loader never crashes on malformed input (property-based)."""

import datetime as dt
import textwrap

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harden.errors import HardenError
from harden.profile import ProfileError, load_profile

TODAY = dt.date(2026, 12, 4)
EXCEPTION = dict(control="svc-ftp-absent", scope=["web"], justification="scanner uploads by FTP until 2027",
                 compensating_controls=["FTP reachable from the scanner VLAN only"], owner="it-infra",
                 approver="ciso", ticket="CHG-1042", expires="2027-03-31")


def write(tmp_path, text, name="site.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def problems_of(path, today=TODAY):
    with pytest.raises(ProfileError) as err:
        load_profile(path, today=today)
    return err.value.problems


def test_the_shipped_profiles_are_valid_and_strict_differs_from_baseline():
    base, strict = load_profile("hipaa-baseline"), load_profile("hipaa-strict")
    assert base.chain == ("hipaa-baseline",) and strict.chain == ("hipaa-strict", "hipaa-baseline")
    assert set(base.controls) == set(strict.controls)
    assert strict.parameters["accounts_dormant_lock"] is True and base.parameters["accounts_dormant_lock"] is False
    assert base.digest != strict.digest


def test_a_child_profile_merges_parameters_and_exceptions_over_its_base(tmp_path):
    path = write(tmp_path, f"""
        name: site
        extends: hipaa-baseline
        parameters: {{accounts_dormant_days: 30}}
        exceptions: [{yaml.safe_dump(EXCEPTION, default_flow_style=True, width=1000).strip()}]
    """)
    profile = load_profile(path, today=TODAY)
    assert profile.parameters["accounts_dormant_days"] == 30
    assert profile.parameters["accounts_generic_action"] == "lock"  # inherited
    assert [e.control for e in profile.exceptions] == ["svc-ftp-absent"]
    assert profile.excepted("web-01", {"all", "web"}).keys() == {"svc-ftp-absent"}
    assert profile.excepted("db-01", {"all", "db"}) == {}


@pytest.mark.parametrize("body, expected", [
    ("controls: [svc-nope]", ["site.yml:3: unknown control 'svc-nope'"]),
    ("parameters:\n  accounts_dormant_dayz: 3", ["site.yml:4: unknown parameter accounts_dormant_dayz: did you mean "
                                                 "accounts_dormant_days?"]),
    ("parameters:\n  accounts_dormant_days: many", ["site.yml:4: accounts_dormant_days must be a int"]),
    ("parameters:\n  accounts_dormant_lock: 1", ["site.yml:4: accounts_dormant_lock must be a bool"]),
    ("parameters:\n  accounts_generic_action: delete", ["must be one of lock, remove"]),
    ("parameters:\n  software_denylist_extra: [1]", ["must be a list of str; 1 is not"]),
    ("colour: blue", ["site.yml:3: unknown key colour"]),
])
def test_bad_profiles_name_file_line_and_fix(tmp_path, body, expected):
    path = write(tmp_path, "name: site\nextends: hipaa-baseline\n" + body + "\n")
    found = "\n".join(problems_of(path))
    for text in expected:
        assert text in found


@pytest.mark.parametrize("field", ["justification", "compensating_controls", "owner", "approver", "ticket",
                                   "expires", "scope"])
def test_an_exception_missing_any_field_is_rejected(tmp_path, field):
    broken = {k: v for k, v in EXCEPTION.items() if k != field}
    path = write(tmp_path, yaml.safe_dump({"name": "site", "extends": "hipaa-baseline", "exceptions": [broken]}))
    assert any(f"lacks {field}" in p and "site.yml:" in p for p in problems_of(path))


def test_an_expired_exception_is_an_error_and_one_near_expiry_a_warning(tmp_path):
    path = write(tmp_path, yaml.safe_dump({"name": "site", "extends": "hipaa-baseline", "exceptions": [EXCEPTION]}))
    assert any("expired on 2027-03-31" in p for p in problems_of(path, today=dt.date(2027, 4, 1)))
    profile = load_profile(path, today=dt.date(2027, 3, 20))
    assert profile.warnings and "expires in 11 day(s)" in profile.warnings[0]


def test_a_control_switched_off_needs_an_exception_for_all_hosts(tmp_path):
    path = write(tmp_path, "name: site\ncontrols: [svc-telnet-absent]\n")
    found = problems_of(path)
    assert any("svc-ftp-absent" in p and "switched off (not selected) without an exception" in p for p in found)
    off_everywhere = dict(EXCEPTION, scope=["all"])
    others = [c for c in load_profile().controls if c not in ("svc-telnet-absent", "inv-host-facts")]
    documented = [dict(off_everywhere, control=c) for c in others]
    path = write(tmp_path, yaml.safe_dump({"name": "site", "controls": ["svc-telnet-absent"],
                                           "exceptions": documented}), name="ok.yml")
    assert load_profile(path, today=TODAY).controls == ("svc-telnet-absent",)


def test_a_cycle_in_extends_is_named(tmp_path):
    write(tmp_path, "name: a\nextends: b\n", "a.yml")
    write(tmp_path, "name: b\nextends: a\n", "b.yml")
    found = problems_of(str(tmp_path / "a.yml"))
    assert any("extends makes a cycle (a -> b -> a)" in p for p in found)


def test_invalid_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "name: site\nparameters: {a: [1, 2}\n")
    assert any("site.yml:2: not valid YAML" in p for p in problems_of(path))


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.dates(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)
profile_like = st.fixed_dictionaries({}, optional={
    "name": yaml_values, "extends": st.sampled_from(["hipaa-baseline", "nope", "site"]) | yaml_values,
    "controls": st.just("all") | yaml_values | st.lists(st.sampled_from(["svc-ftp-absent", "x"]), max_size=3),
    "parameters": yaml_values | st.dictionaries(st.sampled_from(["accounts_dormant_days", "software_allowed", "zz"]),
                                                yaml_values, max_size=3),
    "exceptions": yaml_values | st.lists(st.fixed_dictionaries({}, optional={k: yaml_values for k in EXCEPTION}),
                                         max_size=2),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=profile_like)
def test_malformed_structures_never_crash_the_loader(tmp_path, data):
    path = tmp_path / "site.yml"
    path.write_text(yaml.safe_dump(data))
    try:
        load_profile(str(path), today=TODAY)
    except HardenError as err:
        assert str(err.message)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(list("abc:-[]{}\n '\"!&*#|>%@`\t0123")), max_size=80))
def test_malformed_yaml_text_never_crashes_the_loader(tmp_path, text):
    path = tmp_path / "site.yml"
    path.write_text(text)
    try:
        load_profile(str(path), today=TODAY)
    except HardenError as err:
        assert str(err.message)
