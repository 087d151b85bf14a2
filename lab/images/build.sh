#!/usr/bin/env bash
# Build the lab's Debian images locally (no registry is reachable here): a systemd base image made
# with debootstrap, and from it a "neglected" image holding the problems harden exists to fix.
# Usage: build.sh RELEASE [--force]    RELEASE: bookworm | trixie
# Images: localhost/harden-<release>-base:latest, localhost/harden-<release>-neglected:latest
set -euo pipefail

release=${1:?usage: build.sh bookworm|trixie [--force]}
force=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
base="localhost/harden-${release}-base:latest"
neglected="localhost/harden-${release}-neglected:latest"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/../containers.conf}

case "$release" in bookworm|trixie) ;; *) echo "build.sh: unknown release '$release' (bookworm or trixie)" >&2; exit 1 ;; esac
for tool in podman debootstrap; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is not installed; run scripts/setup.sh" >&2; exit 1; }
done

if [ "$force" = "--force" ] || ! podman image exists "$base"; then
  rootfs=$(mktemp -d /var/tmp/harden-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  echo "build.sh: debootstrap $release (about a minute)"
  # python3-apt: Ansible's apt module needs it on the host and cannot install it in check mode.
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,python3,python3-apt,openssh-server,sudo,iproute2 \
    "$release" "$rootfs" >/dev/null
  # Containers have no console to log in on; keep the image lean.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import --quiet --change 'CMD ["/sbin/init"]' - "$base" >/dev/null
  rm -rf "$rootfs"; trap - EXIT
  echo "build.sh: built $base"
fi

if [ "$force" = "--force" ] || ! podman image exists "$neglected"; then
  echo "build.sh: building $neglected (installs the planted problems)"
  podman build --quiet --build-arg "BASE=$base" -t "$neglected" -f "$here/Containerfile.neglected" "$here" >/dev/null
  echo "build.sh: built $neglected"
fi
