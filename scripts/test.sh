#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, lab images, the Molecule scenarios (every role on
# Debian 12 and 13 containers, then the kernel-level checks on a Debian 12 VM), then pytest (unit,
# catalog, lint, and integration against real lab hosts).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
export CONTAINERS_CONF="$PWD/lab/containers.conf"

started=$(date +%s)
harden lab build
echo "test: lab images ready after $(( $(date +%s) - started ))s"

molecule test
echo "test: molecule passed after $(( $(date +%s) - started ))s"

# The VM tier: what only a real kernel shows (audit rules loaded, sysctl in force, modules refused, a
# reboot). The image is built once and cached (lab/vm/build.sh); HARDEN_VM_ACCEL picks tcg or kvm.
lab/vm/build.sh
echo "test: VM image ready after $(( $(date +%s) - started ))s"
molecule test -s vm
echo "test: molecule vm passed after $(( $(date +%s) - started ))s"

pytest "$@"
