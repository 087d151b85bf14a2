"""The local lab: neglected Debian hosts in podman containers, reached over real SSH on 127.0.0.1.

Images are built once with debootstrap (lab/images/build.sh) and reused. Each host runs systemd
and sshd; harden reaches it as the non-root sudo account `labops` with a key generated here, as a
production host is reached. The inventory (inventories/lab/hosts.yml) is written from podman's own
state, so it always matches the running containers.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from harden.errors import HardenError
from harden.paths import project_root, state_dir

RELEASES = {"bookworm": "debian12", "trixie": "debian13"}
LABEL = "harden.lab"
OPERATOR = "labops"
FIRST_PORT = 2201


@dataclass(frozen=True)
class LabHost:
    name: str  # container name, also the inventory host name
    release: str
    port: int
    state: str


def _env() -> dict:
    return {**os.environ, "CONTAINERS_CONF": str(project_root() / "lab" / "containers.conf")}


def require_podman() -> None:
    if not shutil.which("podman"):
        raise HardenError("podman is not installed: run scripts/setup.sh (installs podman, runc, debootstrap)")


def podman(*args: str, input: str | None = None, check: bool = True) -> str:
    proc = subprocess.run(["podman", *args], input=input, capture_output=True, text=True, env=_env())
    if check and proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise HardenError(f"podman {args[0]} failed: {last}")
    return proc.stdout


def image(release: str) -> str:
    return f"localhost/harden-{release}-neglected:latest"


def build_images(release: str, force: bool = False) -> None:
    require_podman()
    script = project_root() / "lab" / "images" / "build.sh"
    args = [str(script), release] + (["--force"] if force else [])
    if subprocess.run(args, env=_env()).returncode != 0:
        raise HardenError(f"building the {release} lab images failed (see the output above)")


def key_path() -> Path:
    """The lab's SSH key, generated once."""
    key = state_dir() / "lab" / "id_ed25519"
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "harden-lab", "-f", str(key)],
                       check=True)
    return key


def hosts(lab: str = "lab") -> list[LabHost]:
    """Containers of one lab (label harden.lab=<lab>); tests run a lab of their own."""
    require_podman()
    result = []
    for entry in json.loads(podman("ps", "-a", "--filter", f"label={LABEL}={lab}", "--format", "json") or "[]"):
        labels = entry.get("Labels") or {}
        result.append(LabHost(name=entry["Names"][0], release=labels.get(f"{LABEL}.release", ""),
                              port=int(labels.get(f"{LABEL}.port", 0)), state=entry.get("State", "")))
    return sorted(result, key=lambda h: h.name)


def _free_port(taken: set[int]) -> int:
    port = FIRST_PORT
    while True:
        if port not in taken:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                    return port
                except OSError:
                    pass
        port += 1


def up(count: int, release: str, progress=print, lab: str = "lab", inventory: Path | None = None) -> list[LabHost]:
    """Start `count` hosts of `release` (reusing running ones), then write the lab's inventory."""
    if release not in RELEASES:
        raise HardenError(f"unknown release {release!r}: use {' or '.join(RELEASES)}")
    require_podman()
    if not _image_exists(release):
        progress(f"building the {release} images (once; about two minutes)")
        build_images(release)
    key = key_path()
    existing = {h.name: h for h in hosts(lab)}
    taken = {h.port for h in _all_hosts()}
    for index in range(1, count + 1):
        name = f"{lab}-{release}-{index:02d}"
        host = existing.get(name)
        if host and host.state == "running":
            continue
        if host:
            podman("start", name)
        else:
            port = _free_port(taken)
            taken.add(port)
            podman("run", "-d", "--name", name, "--hostname", name, "--systemd=always",
                   "--label", f"{LABEL}={lab}", "--label", f"{LABEL}.release={release}",
                   "--label", f"{LABEL}.port={port}", "-p", f"127.0.0.1:{port}:22", image(release), "/sbin/init")
        progress(f"started {name}")
    for index in range(1, count + 1):
        _authorize(f"{lab}-{release}-{index:02d}", key)
    running = [h for h in hosts(lab) if h.state == "running"]
    for host in running:
        _wait_for_ssh(host, key)
    write_inventory(running, key, inventory or inventory_path())
    return running


def _all_hosts() -> list[LabHost]:
    """Every harden lab container, whichever lab: their ports are taken."""
    entries = json.loads(podman("ps", "-a", "--filter", f"label={LABEL}", "--format", "json") or "[]")
    return [LabHost(e["Names"][0], "", int((e.get("Labels") or {}).get(f"{LABEL}.port", 0)), "") for e in entries]


def _image_exists(release: str) -> bool:
    return subprocess.run(["podman", "image", "exists", image(release)], env=_env()).returncode == 0


def _authorize(name: str, key: Path) -> None:
    pub = key.with_suffix(".pub").read_text()
    script = (f"install -d -m 0700 -o {OPERATOR} -g {OPERATOR} /home/{OPERATOR}/.ssh && "
              f"cat > /home/{OPERATOR}/.ssh/authorized_keys && "
              f"chown {OPERATOR}: /home/{OPERATOR}/.ssh/authorized_keys && "
              f"chmod 0600 /home/{OPERATOR}/.ssh/authorized_keys")
    podman("exec", "-i", name, "sh", "-c", script, input=pub)


def ssh_args(host: LabHost, key: Path) -> list[str]:
    return ["ssh", "-i", str(key), "-p", str(host.port), "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            f"{OPERATOR}@127.0.0.1"]


def _wait_for_ssh(host: LabHost, key: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        proc = subprocess.run([*ssh_args(host, key), "sudo", "-n", "true"], capture_output=True, text=True)
        if proc.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise HardenError(f"{host.name} did not accept SSH as {OPERATOR} on 127.0.0.1:{host.port} "
                              f"within {timeout:.0f}s: {proc.stderr.strip()[:200]}")
        time.sleep(1)


def inventory_path() -> Path:
    return project_root() / "inventories" / "lab" / "hosts.yml"


def write_inventory(running: list[LabHost], key: Path, path: Path, environment: str = "test") -> Path:
    groups: dict[str, dict] = {}
    for host in running:
        group = groups.setdefault(RELEASES.get(host.release, host.release), {"hosts": {}})
        group["hosts"][host.name] = {"ansible_host": "127.0.0.1", "ansible_port": host.port}
    inventory = {"all": {
        "vars": {
            "harden_environment": environment,
            "ansible_user": OPERATOR,
            "ansible_ssh_private_key_file": str(key),
            # Lab hosts share their image's host keys and come and go: do not pin them.
            "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
        },
        "children": groups,
    }}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Written by `harden lab up` from podman's state; do not edit.\n"
                    + yaml.safe_dump(inventory, sort_keys=False))
    return path


def down(release: str | None = None, lab: str = "lab", inventory: Path | None = None) -> list[str]:
    inventory = inventory or inventory_path()
    removed = []
    for host in hosts(lab):
        if release is None or host.release == release:
            podman("rm", "-f", "-t", "2", host.name)
            removed.append(host.name)
    remaining = [h for h in hosts(lab) if h.state == "running"]
    if remaining:
        write_inventory(remaining, key_path(), inventory)
    elif inventory.exists():
        inventory.unlink()
    return removed
