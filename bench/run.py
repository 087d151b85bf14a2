#!/usr/bin/env python3
"""harden's benchmark: speed, scale, check-mode fidelity, idempotence and hardening effect, measured
on fresh neglected lab hosts. Prints a table and writes JSON. Not a test: it only measures.

    .venv/bin/python bench/run.py [--release bookworm] [--fleet 1,5,10,20] [--out bench/results.json]

One host through the podman connection (as the reference figures for other tools were taken):
check, apply, a second apply, with tasks and remote round trips from ansible-runner's events, the
Lynis hardening index before and after, and the lab's planted problems left afterwards. Then fleets
of 1, 5, 10 and 20 hosts over SSH with forks equal to the host count.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONTROLLER_ACTIONS = {"set_fact", "debug", "assert", "include_tasks", "import_tasks", "meta", "fail",
                      "include_vars", "validate_argument_spec", "include_role"}

# The lab image's planted problems, each with a shell test that succeeds while the problem is there.
PLANTED = {
    "telnet server": "dpkg-query -W -f='${db:Status-Abbrev}' telnetd inetutils-telnetd 2>/dev/null | grep -q '^ii'",
    "vsftpd": "dpkg-query -W -f='${db:Status-Abbrev}' vsftpd 2>/dev/null | grep -q '^ii'",
    "xrdp": "dpkg-query -W -f='${db:Status-Abbrev}' xrdp 2>/dev/null | grep -q '^ii'",
    "tftpd-hpa": "dpkg-query -W -f='${db:Status-Abbrev}' tftpd-hpa 2>/dev/null | grep -q '^ii'",
    "rsh-server": "dpkg-query -W -f='${db:Status-Abbrev}' rsh-server 2>/dev/null | grep -q '^ii'",
    "talkd": "dpkg-query -W -f='${db:Status-Abbrev}' talkd inetutils-talkd 2>/dev/null | grep -q '^ii'",
    "avahi-daemon": "dpkg-query -W -f='${db:Status-Abbrev}' avahi-daemon 2>/dev/null | grep -q '^ii'",
    "inetd": "dpkg-query -W -f='${db:Status-Abbrev}' openbsd-inetd 2>/dev/null | grep -q '^ii'",
    "game (bsdgames)": "dpkg-query -W -f='${db:Status-Abbrev}' bsdgames 2>/dev/null | grep -q '^ii'",
    "chat client (irssi)": "dpkg-query -W -f='${db:Status-Abbrev}' irssi 2>/dev/null | grep -q '^ii'",
    "admin/admin usable": "grep -q '^admin:\\$' /etc/shadow",
    "guest empty password": "grep -q '^guest::' /etc/shadow",
    "test/test usable": "grep -q '^test:\\$' /etc/shadow",
    "ftp account left behind": "getent passwd ftp >/dev/null",
    "tftp account left behind": "getent passwd tftp >/dev/null",
    "sshd PermitRootLogin yes": "sshd -T 2>/dev/null | grep -qi '^permitrootlogin yes'",
    "sshd PasswordAuthentication yes": "sshd -T 2>/dev/null | grep -qi '^passwordauthentication yes'",
}


def harden(*args, env) -> tuple[int, dict, float]:
    started = time.monotonic()
    proc = subprocess.run([str(BIN / "harden"), *args, "--json"], capture_output=True, text=True, env=env)
    seconds = time.monotonic() - started
    out = proc.stdout
    if not out.strip().startswith("{"):
        raise SystemExit(f"harden {' '.join(args)} failed: {proc.stderr[-2000:]}")
    return proc.returncode, json.loads(out[: out.rindex("}") + 1]), seconds


def events_of(state: Path, run_id: str) -> dict:
    """Tasks run and remote round trips, from the run's ansible-runner events."""
    counts = {"tasks": 0, "skipped": 0, "round_trips": 0}
    for path in (state / "runs").glob(f"{run_id}*/artifacts/*/job_events/*.json"):
        event = json.loads(path.read_text())
        kind, data = event.get("event"), event.get("event_data", {})
        action = str(data.get("task_action", "")).rsplit(".", 1)[-1]
        if kind in ("runner_on_ok", "runner_on_failed", "runner_on_unreachable"):
            counts["tasks"] += 1
            if action not in CONTROLLER_ACTIONS:
                items = len((data.get("res") or {}).get("results") or [])
                counts["round_trips"] += items or 1
        elif kind == "runner_on_skipped":
            counts["skipped"] += 1
    return counts


def lynis_index(container: str) -> int | None:
    podman(["exec", container, "sh", "-c", "command -v lynis >/dev/null || (apt-get update -qq && "
            "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lynis >/dev/null)"])
    podman(["exec", container, "lynis", "audit", "system", "--quick", "--no-colors"], check=False)
    report = podman(["exec", container, "cat", "/var/log/lynis-report.dat"])
    for line in report.splitlines():
        if line.startswith("hardening_index="):
            return int(line.split("=", 1)[1])
    return None


def podman(args, check=True) -> str:
    env = {**os.environ, "CONTAINERS_CONF": str(ROOT / "lab" / "containers.conf")}
    proc = subprocess.run(["podman", *args], capture_output=True, text=True, env=env)
    if check and proc.returncode:
        raise SystemExit(f"podman {' '.join(args[:3])}: {proc.stderr.strip()[-500:]}")
    return proc.stdout


def planted_left(container: str) -> list[str]:
    return [name for name, test in PLANTED.items()
            if subprocess.run(["podman", "exec", container, "sh", "-c", test],
                              env={**os.environ, "CONTAINERS_CONF": str(ROOT / "lab" / "containers.conf")},
                              capture_output=True).returncode == 0]


def fidelity(check: dict, apply: dict) -> tuple[int, list[str]]:
    agree, disagree = 0, []
    for host, entry in check["hosts"].items():
        made = apply["hosts"].get(host, {}).get("controls", {})
        for control, outcome in entry.get("controls", {}).items():
            predicted = outcome["status"] == "would change"
            changed = made.get(control, {}).get("status") == "changed"
            if predicted == changed:
                agree += 1
            else:
                disagree.append(f"{host} {control}: check {outcome['status']}, apply "
                                f"{made.get(control, {}).get('status', 'absent')}")
    return agree, disagree


def changes(report: dict) -> int:
    return sum(1 for h in report["hosts"].values() for o in h.get("controls", {}).values() if o["status"] == "changed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--release", choices=["bookworm", "trixie"], default="bookworm")
    parser.add_argument("--fleet", default="1,5,10,20", help="fleet sizes (comma separated); empty to skip")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "cli"))
    from harden import lab

    state = Path(tempfile.mkdtemp(prefix="harden-bench-"))
    env = {**os.environ, "HARDEN_STATE_DIR": str(state), "HARDEN_LEDGER": str(state / "ledger.sqlite3"),
           "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    os.environ.update({k: env[k] for k in ("HARDEN_STATE_DIR", "PATH")})
    results: dict = {"release": args.release, "machine": {"cores": os.cpu_count()}, "single": {}, "fleet": []}
    tag = lab.RELEASES[args.release][-2:]

    # One host, podman connection.
    name = f"bench1{tag}"
    lab.down(lab=name, inventory=state / "one.yml")
    (host,) = lab.up(1, args.release, progress=lambda _: None, lab=name, inventory=state / "one.yml")
    inventory = state / "one-podman.yml"
    inventory.write_text(json.dumps({"all": {"vars": {"harden_environment": "test"}, "hosts": {host.name: {
        "ansible_connection": "containers.podman.podman", "ansible_host": host.name}}}}))
    single = results["single"]
    single["lynis_before"] = lynis_index(host.name)
    single["planted"] = planted_left(host.name)  # before harden runs: what this release's image plants
    for step, cmd in (("check", ["check", "-i", str(inventory)]), ("apply", ["apply", "-i", str(inventory), "--yes"]),
                      ("apply_again", ["apply", "-i", str(inventory), "--yes"])):
        code, report, seconds = harden(*cmd, env=env)
        single[step] = {"seconds": round(seconds, 1), "exit_code": code, **events_of(state, report["run_id"])}
        single[step + "_report"] = report
    agree, disagree = fidelity(single["check_report"], single["apply_report"])
    single["fidelity"] = {"agree": agree, "disagree": disagree}
    single["second_apply_changes"] = changes(single["apply_again_report"])
    single["lynis_after"] = lynis_index(host.name)
    single["planted_left"] = planted_left(host.name)
    for key in ("check_report", "apply_report", "apply_again_report"):
        single.pop(key)
    lab.down(lab=name, inventory=state / "one.yml")

    # Fleets over SSH (check mode: read-only, so one lab serves every size).
    sizes = [int(n) for n in args.fleet.split(",") if n.strip()]
    if sizes:
        name = f"benchf{tag}"
        fleet_inv = state / "fleet.yml"
        lab.down(lab=name, inventory=fleet_inv)
        hosts = lab.up(max(sizes), args.release, progress=lambda _: None, lab=name, inventory=fleet_inv)
        names = sorted(h.name for h in hosts)
        for size in sizes:
            code, report, seconds = harden("check", "-i", str(fleet_inv), "--limit", ",".join(names[:size]),
                                           "--forks", str(size), env=env)
            results["fleet"].append({"hosts": size, "seconds": round(seconds, 1),
                                     "seconds_per_host": round(seconds / size, 2),
                                     "reached": sum(1 for h in report["hosts"].values() if not h["unreachable"])})
        lab.down(lab=name, inventory=fleet_inv)

    Path(args.out).write_text(json.dumps(results, indent=2))
    print_table(results)
    print(f"\nwritten to {args.out}")


def print_table(r: dict) -> None:
    s = r["single"]
    print(f"harden benchmark, Debian {r['release']}, {r['machine']['cores']} cores")
    print("\none neglected host, podman connection")
    print(f"  {'run':<14}{'seconds':>9}{'tasks':>8}{'skipped':>9}{'round trips':>13}")
    for step in ("check", "apply", "apply_again"):
        x = s[step]
        print(f"  {step:<14}{x['seconds']:>9}{x['tasks']:>8}{x['skipped']:>9}{x['round_trips']:>13}")
    f = s["fidelity"]
    print(f"  check-mode fidelity: {f['agree']} of {f['agree'] + len(f['disagree'])} host x control agree")
    for line in f["disagree"]:
        print(f"    disagree: {line}")
    print(f"  changes on the second apply: {s['second_apply_changes']}")
    print(f"  Lynis hardening index: {s['lynis_before']} before, {s['lynis_after']} after")
    print(f"  planted problems: {len(s['planted'])}, left after apply: {len(s['planted_left'])} {s['planted_left']}")
    if r["fleet"]:
        print("\nfleet over SSH, check mode, forks = hosts")
        print(f"  {'hosts':>6}{'seconds':>9}{'per host':>10}{'reached':>9}")
        for x in r["fleet"]:
            print(f"  {x['hosts']:>6}{x['seconds']:>9}{x['seconds_per_host']:>10}{x['reached']:>9}")


if __name__ == "__main__":
    main()
