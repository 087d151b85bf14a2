"""The click commands: help, bad input, confirmation, missing tools. No lab needed."""

import json

import pytest
from click.testing import CliRunner

from harden import __version__
from harden.cli import main


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("HARDEN_STATE_DIR", str(tmp_path / "state"))

    def invoke(*args, input=None):
        return CliRunner().invoke(main, list(args), input=input)
    return invoke


def inventory(tmp_path, text, name="hosts.yml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_help_documents_commands_and_exit_codes(run):
    result = run("--help")
    assert result.exit_code == 0
    for word in ("check", "apply", "lab", "Exit codes", "0  every control is compliant", "2  findings"):
        assert word in result.output
    assert run("--version").output.strip().endswith(__version__)


def test_missing_inventory_is_a_one_line_error(run):
    result = run("check", "-i", "/nonexistent/hosts.yml")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: inventory /nonexistent/hosts.yml does not exist"


@pytest.mark.parametrize("text, message", [
    ("all:\n  hosts: [\n", "could not be parsed"),
    ("all: {}\n", "has no hosts"),
    ("all:\n  hosts:\n    a: {harden_environment: test}\n    b: {harden_environment: production}\n",
     "mixes environments"),
    ("all:\n  vars: {harden_environment: prod}\n  hosts: {a: }\n", "use test or production"),
])
def test_bad_inventory_is_rejected_before_any_host_is_contacted(run, tmp_path, text, message):
    result = run("check", "-i", inventory(tmp_path, text))
    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "state" / "runs").exists()


def test_apply_asks_first_and_a_no_changes_nothing(run, tmp_path):
    path = inventory(tmp_path, "all:\n  vars: {harden_environment: test}\n"
                               "  hosts:\n    web-01: {ansible_host: 127.0.0.1, ansible_port: 9}\n")
    result = run("apply", "-i", path, input="n\n")
    assert result.exit_code == 1
    assert "Apply profile hipaa-baseline to 1 host(s)" in result.output and "Aborted" in result.output
    assert not (tmp_path / "state" / "runs").exists()


def test_apply_refuses_an_inventory_that_does_not_say_its_environment(run, tmp_path):
    path = inventory(tmp_path, "all:\n  hosts:\n    web-01: {ansible_host: 127.0.0.1, ansible_port: 9}\n")
    result = run("apply", "-i", path, "--yes")
    assert result.exit_code == 1
    assert "set harden_environment to test or production" in result.output
    runs = run("runs").output
    assert "refused" in runs  # the refusal itself is evidence


def test_unknown_control_in_selection_is_refused(run, tmp_path):
    path = inventory(tmp_path, "all:\n  hosts:\n    web-01: {ansible_host: 127.0.0.1, ansible_port: 9}\n")
    result = run("check", "-i", path, "--controls", "svc-telnet-absent,svc-nope")
    assert result.exit_code == 1 and "unknown control(s) svc-nope" in result.output


def test_no_host_reached_exits_1_and_names_the_host(run, tmp_path):
    # Port 9 on loopback: nothing listens there, so SSH is refused at once.
    path = inventory(tmp_path, "all:\n  hosts:\n    web-01: {ansible_host: 127.0.0.1, ansible_port: 9}\n")
    result = run("check", "-i", path, "--json")
    assert result.exit_code == 1
    report = json.loads(result.output[: result.output.rindex("}") + 1])
    assert report["hosts"]["web-01"]["unreachable"]
    assert "no host was reached" in result.output


def test_lab_without_podman_says_what_to_do(run, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no podman anywhere
    result = run("lab", "status")
    assert result.exit_code == 1
    assert "podman is not installed: run scripts/setup.sh" in result.output


def test_profile_validate_lists_problems_with_lines_and_fails(run, tmp_path):
    assert run("profile", "validate", "hipaa-baseline", "hipaa-strict").exit_code == 0
    bad = inventory(tmp_path, "name: bad\nextends: hipaa-baseline\nparameters:\n  accounts_dormant_dayz: 3\n",
                    "bad.yml")
    result = run("profile", "validate", bad)
    assert result.exit_code == 1
    assert "bad.yml:4: unknown parameter accounts_dormant_dayz: did you mean accounts_dormant_days?" in result.output


def test_profile_show_masks_secret_parameters_and_diff_shows_changes(run, tmp_path):
    path = inventory(tmp_path, "name: site\nextends: hipaa-baseline\nparameters:\n"
                               "  accounts_weak_passwords_extra: [Winter2019!]\n  accounts_dormant_days: 30\n",
                     "site.yml")
    shown = run("profile", "show", path)
    assert shown.exit_code == 0
    assert "Winter2019!" not in shown.output and "(secret)" in shown.output
    diff = run("profile", "diff", "hipaa-baseline", path)
    assert "~ accounts_dormant_days: 90 -> 30" in diff.output
    assert "Winter2019!" not in diff.output


def test_controls_filter_and_show(run):
    listed = run("controls", "--nist", "SC-8").output
    assert "svc-telnet-absent" in listed and "acct-weak-passwords-locked" not in listed
    shown = run("controls", "show", "svc-ftp-absent")
    assert shown.exit_code == 0 and "164.312(e)(1)" in shown.output and "parameter services_allowed" in shown.output
    unknown = run("controls", "show", "svc-nope")
    assert unknown.exit_code == 1 and "unknown control svc-nope" in unknown.output


def test_a_bad_profile_stops_the_run_before_any_host_is_contacted(run, tmp_path):
    path = inventory(tmp_path, "all:\n  hosts:\n    web-01: {ansible_host: 127.0.0.1, ansible_port: 9}\n")
    bad = inventory(tmp_path, "name: bad\nextends: nowhere\n", "bad.yml")
    result = run("check", "-i", path, "--profile", bad)
    assert result.exit_code == 1 and "no such profile" in result.output
    assert not (tmp_path / "state" / "runs").exists()


def test_an_inventory_that_sets_a_role_parameter_is_refused(run, tmp_path):
    path = inventory(tmp_path, "all:\n  hosts:\n    pacs-01: {services_allowed: [cups-daemon]}\n")
    result = run("check", "-i", path)
    assert result.exit_code == 1
    assert "sets services_allowed for pacs-01: role parameters are set in the profile" in result.output


def test_a_run_never_sees_the_variables_of_an_earlier_run(run, tmp_path):
    """ansible-runner re-reads env/extravars from its private data dir: each run must have its own."""
    path = inventory(tmp_path, "all:\n  hosts:\n    web-01: {ansible_host: 127.0.0.1, ansible_port: 9}\n")
    custom = inventory(tmp_path, "name: c\nextends: hipaa-baseline\nparameters: {accounts_dormant_days: 31}\n",
                       "c.yml")
    first = json.loads(run("check", "-i", path, "--json", "--profile", custom).output.split("\nError")[0])
    second = json.loads(run("check", "-i", path, "--json").output.split("\nError")[0])
    runs = tmp_path / "state" / "runs"
    first_vars = json.loads((runs / first["run_id"] / "env" / "extravars").read_text())
    second_vars = json.loads((runs / second["run_id"] / "env" / "extravars").read_text())
    second_cmd = (runs / second["run_id"] / "artifacts" / second["run_id"] / "command").read_text()
    assert first_vars["accounts_dormant_days"] == 31 and second_vars["accounts_dormant_days"] == 90
    assert str(runs / first["run_id"]) not in second_cmd
