"""Folding ansible-runner events into per-host, per-control outcomes."""

from harden.results import Collector, Status, as_dict, control_of, exit_code, render_diff


def event(kind, host, task, **res):
    return {"event": kind, "event_data": {"host": host, "task": task, "res": res}}


APT_PREPARED = """Reading package lists...
The following packages were automatically installed and are no longer required:
  libfoo
Use 'sudo apt autoremove' to remove them.
The following packages will be REMOVED:
  telnetd* inetutils-telnetd*
0 upgraded, 0 newly installed, 2 to remove and 0 not upgraded.
"""


def test_control_of_reads_the_task_name_prefix():
    assert control_of("svc-telnet-absent | Telnet is purged") == "svc-telnet-absent"
    assert control_of("Validating arguments against arg spec 'main'") is None
    assert control_of("Gathering Facts") is None


def test_check_mode_change_is_would_change_with_apt_plan_as_detail():
    c = Collector(check=True)
    c.feed(event("runner_on_ok", "h1", "svc-telnet-absent | purge", changed=True, diff={"prepared": APT_PREPARED}))
    c.feed(event("runner_on_skipped", "h1", "svc-ftp-absent | purge"))
    c.feed(event("runner_on_ok", "h1", "inv-host-facts | gather", changed=False))
    out = {o.control: o for o in c.results()}
    assert out["svc-telnet-absent"].status is Status.WOULD_CHANGE
    assert out["svc-telnet-absent"].details == ["packages will be REMOVED:", "  telnetd* inetutils-telnetd*"]
    assert out["svc-ftp-absent"].status is Status.COMPLIANT
    assert exit_code(c) == 2


def test_apply_change_loop_items_held_back_and_failures():
    c = Collector(check=False)
    c.feed(event("runner_on_ok", "h1", "acct-generic-accounts-removed | lock", changed=True,
                 results=[{"changed": True, "_ansible_item_label": "admin: lock"}, {"changed": False, "item": "x"}]))
    c.feed(event("runner_on_ok", "h1", "acct-dormant-accounts | Held back - reported", changed=False,
                 msg=["ops2: never logged in"]))
    c.feed(event("runner_on_failed", "h1", "svc-ftp-absent | purge", msg="E: dpkg was interrupted"))
    out = {o.control: o for o in c.results()}
    assert out["acct-generic-accounts-removed"].status is Status.CHANGED
    assert out["acct-generic-accounts-removed"].details == ["admin: lock"]
    assert out["acct-dormant-accounts"].status is Status.HELD_BACK
    assert out["svc-ftp-absent"].status is Status.FAILED
    assert "dpkg was interrupted" in out["svc-ftp-absent"].details[0]


def test_ignored_failure_is_not_a_failure():
    c = Collector(check=True)
    e = event("runner_on_failed", "h1", "svc-ftp-absent | purge", msg="no")
    e["event_data"]["ignore_errors"] = True
    c.feed(e)
    assert exit_code(c) == 0 and c.results()[0].status is Status.COMPLIANT


def test_unreachable_host_is_a_finding_and_all_unreachable_means_no_run():
    c = Collector(check=True)
    c.feed(event("runner_on_unreachable", "down", "inv-host-facts | gather", msg="Task failed: ssh: refused"))
    assert exit_code(c) == 1
    c.feed(event("runner_on_ok", "up", "inv-host-facts | gather", changed=False))
    assert exit_code(c) == 2
    report = as_dict(c)
    assert report["hosts"]["down"]["unreachable"] == "ssh: refused"
    assert report["hosts"]["up"]["controls"]["inv-host-facts"]["status"] == "compliant"


def test_apt_plans_name_new_and_removed_packages():
    prepared = ("The following additional packages will be installed:\n  libauparse0\n"
                "The following NEW packages will be installed:\n  auditd libauparse0\n0 upgraded, 2 newly installed")
    assert render_diff({"prepared": prepared}) == [
        "additional packages will be installed:", "  libauparse0", "NEW packages will be installed:",
        "  auditd libauparse0"]


def test_render_diff_before_after_text():
    lines = render_diff({"before": "a\nb\n", "after": "a\nc\n", "before_header": "/etc/x", "after_header": "/etc/x"})
    assert "-b" in lines and "+c" in lines


def test_one_call_for_many_controls_reports_each_under_its_own_id():
    res = {"changed": True, "harden_controls": {
        "c-a": {"changes": ["/a: created"], "diff": [{"before": "", "after": "x\n"}]},
        "c-b": {"changes": [], "diff": []}, "c-skip": {"changes": ["/s: created"], "diff": []}}}
    collector = Collector(check=True, skipped=["c-skip"])
    collector.feed(event("runner_on_ok", "h1", "system | Files", **res))
    outcomes = {o.control: o for o in collector.results()}
    assert set(outcomes) == {"c-a", "c-b"}
    assert outcomes["c-a"].status is Status.WOULD_CHANGE and outcomes["c-a"].details[0] == "/a: created"
    assert "  +x" in outcomes["c-a"].details
    assert outcomes["c-b"].status is Status.COMPLIANT
    failed = {"harden_controls": {"c-a": {"changes": [], "diff": []}},
              "harden_failed": {"c-a": "/a: validation failed"}}
    collector.feed(event("runner_on_failed", "h2", "system | Files", **failed))
    assert collector.outcome("h2", "c-a").status is Status.FAILED
