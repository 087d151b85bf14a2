#!/usr/bin/env bash
# Set up harden on Debian 12 or 13: system packages (podman with runc, debootstrap, ssh, qemu), a virtual
# environment in .venv, and harden with its test tools installed into it. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

system_packages=(podman runc debootstrap uidmap slirp4netns fuse-overlayfs openssh-client iproute2
                 ca-certificates git chromium  # chromium: the HTML report is checked in a real browser
                 qemu-system-x86 qemu-utils e2fsprogs)  # the VM test tier (lab/vm, molecule/vm)

missing=()
for pkg in "${system_packages[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: run as root, or first: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  command -v apt-get >/dev/null || { echo "setup: apt-get not found: harden's lab needs Debian 12 or 13" >&2; exit 1; }
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: harden needs Python 3.11 or newer ($python is $("$python" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv 2>/dev/null || {
    echo "setup: '$python -m venv' failed: install python3-venv" >&2; exit 1; }
fi

# Reinstall only when the project's dependencies changed.
stamp=.venv/.harden-installed
digest=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  echo "setup: installing harden and its test tools into .venv (a few minutes the first time)"
  .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
  echo "$digest" > "$stamp"
fi
echo "setup: ready; harden is .venv/bin/harden"
