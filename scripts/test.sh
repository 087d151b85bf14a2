#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, lab images, the Molecule scenario (every role on
# Debian 12 and 13), then pytest (unit, catalog, lint, and integration against real lab hosts).
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

pytest "$@"
