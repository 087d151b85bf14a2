"""The check-then-production workflow on real hosts: the promotion gate refuses each way it should and
lets the right run through; a production rollout stops at its failure threshold; a killed run is in
the ledger as interrupted."""

import json
import os
import signal
import subprocess
import time

import pytest
from labtools import BIN, harden, on_host

from harden import lab

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def fleet(fresh_lab, lab_state, tmp_path_factory):
    """One test host and three production hosts, with a ledger of their own."""
    (test_host,), test_inventory = fresh_lab("bookworm", 1, purpose="wft")
    prod_hosts, prod_inventory = fresh_lab("bookworm", 3, purpose="wfp")
    lab.write_inventory(prod_hosts, lab.key_path(), prod_inventory, environment="production")
    os.environ["HARDEN_LEDGER"] = str(tmp_path_factory.mktemp("ledger") / "ledger.sqlite3")
    yield {"test": (test_host, str(test_inventory)), "prod": (prod_hosts, str(prod_inventory))}
    os.environ.pop("HARDEN_LEDGER", None)


def field(show: str, name: str) -> str:
    """A header field of `harden show`."""
    line = next(line for line in show.splitlines() if line.startswith(name + "  "))
    return line[len(name):].strip()


def refused(*args):
    proc = subprocess.run([str(BIN / "harden"), *args], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stderr


def test_the_gate_refuses_each_way_it_should(fleet):
    (test_host, test_inv), (_, prod_inv) = fleet["test"], fleet["prod"]
    apply = ["apply", "-i", prod_inv, "--yes"]
    assert "needs a change id" in refused(*apply)
    assert "no check run on a test inventory" in refused(*apply, "--change-id", "CHG-1")

    # A test run of another profile.
    code, _ = harden("check", "-i", test_inv, "--profile", "hipaa-strict")
    assert code == 2
    assert "no test run used this profile" in refused(*apply, "--change-id", "CHG-1")

    # A failed test run: the host cannot report its packages.
    on_host(test_host.name, "mv /usr/bin/dpkg-query /usr/bin/dpkg-query.off")
    code, report = harden("check", "-i", test_inv)
    on_host(test_host.name, "mv /usr/bin/dpkg-query.off /usr/bin/dpkg-query")
    assert code == 2 and report["hosts"][test_host.name]["controls"]["inv-host-facts"]["status"] == "failed"
    assert "did not pass (1 failed control(s)" in refused(*apply, "--change-id", "CHG-1")

    # A passing test run of this profile that is too old for the window.
    code, _ = harden("check", "-i", test_inv)
    assert code == 2  # findings, but no failure: a pass
    time.sleep(2)
    assert "is stale" in refused(*apply, "--change-id", "CHG-1", "--test-window", "1s")

    runs = json.loads(subprocess.run([str(BIN / "harden"), "runs", "--kind", "apply", "--json"],
                                     capture_output=True, text=True).stdout)
    assert [r["status"] for r in runs] == ["refused"] * 5


def test_the_right_run_goes_through_in_batches_and_stops_at_the_threshold(fleet):
    (_, test_inv), (prod_hosts, prod_inv) = fleet["test"], fleet["prod"]
    first, second, third = prod_hosts
    code, tested = harden("check", "-i", test_inv)  # the passing test run the gate will find
    assert code == 2
    lab.podman("stop", "-t", "1", second.name)  # a host that dies before its batch
    try:
        code, report = harden("apply", "-i", prod_inv, "--yes", "--change-id", "CHG-42", "--batch", "1")
    finally:
        lab.podman("start", second.name)
    assert code == 2
    assert report["stopped"].startswith("rollout stopped after batch 2 of 3: 1 host(s) failed")
    assert report["not_run"] == [third.name]
    assert report["hosts"][second.name]["unreachable"]
    assert report["hosts"][first.name]["controls"]["svc-telnet-absent"]["status"] == "changed"
    installed = "dpkg-query -W -f='${db:Status-Abbrev}' telnetd 2>/dev/null || true"
    assert on_host(third.name, installed).startswith("ii")  # never touched
    assert not on_host(first.name, installed).startswith("ii")

    evaluation = report["evaluation"]
    assert evaluation["kind"] == "evaluate" and set(evaluation["hosts"]) == {first.name}
    show = subprocess.run([str(BIN / "harden"), "show", report["run_id"]], capture_output=True, text=True).stdout
    assert field(show, "change id") == "CHG-42" and field(show, "status") == "stopped"
    assert field(show, "evaluated by").startswith(evaluation["run_id"])
    assert field(show, "gated on test run") == tested["run_id"]


def test_break_glass_is_recorded_with_its_reason(fleet):
    prod_hosts, prod_inv = fleet["prod"]
    code, report = harden("apply", "-i", prod_inv, "--yes", "--change-id", "CHG-99", "--profile", "hipaa-strict",
                          "--break-glass", "INC-7 containment: telnet exploited", "--limit", prod_hosts[2].name,
                          "--controls", "svc-telnet-absent")
    assert code == 2 and report["hosts"][prod_hosts[2].name]["controls"]["svc-telnet-absent"]["status"] == "changed"
    show = subprocess.run([str(BIN / "harden"), "show", report["run_id"]], capture_output=True, text=True).stdout
    assert field(show, "gate override") == "INC-7 containment: telnet exploited"


@pytest.mark.parametrize("sig, note", [(signal.SIGINT, "interrupted (Ctrl-C or SIGTERM)"),
                                        (signal.SIGKILL, "ended before the run finished")])
def test_a_run_stopped_midway_is_recorded_as_interrupted(fleet, sig, note):
    _, test_inv = fleet["test"]
    proc = subprocess.Popen([str(BIN / "harden"), "check", "-i", test_inv, "--quiet"])
    deadline = time.time() + 60
    running = []
    while time.time() < deadline and not running:
        time.sleep(0.5)
        listed = subprocess.run([str(BIN / "harden"), "runs", "--json", "-n", "1"], capture_output=True, text=True)
        running = [r for r in json.loads(listed.stdout or "[]") if r["status"] == "running"]
    assert running, "the run never showed up as running"
    time.sleep(2)  # well inside the playbook
    proc.send_signal(sig)
    proc.wait(60)
    runs = json.loads(subprocess.run([str(BIN / "harden"), "runs", "--json", "-n", "5"],
                                     capture_output=True, text=True).stdout)
    run = next(r for r in runs if r["id"] == running[0]["id"])
    assert run["status"] == "interrupted" and note in run["note"]
