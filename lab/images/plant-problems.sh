#!/bin/sh
# Plant what a neglected host carries. Each slot installs the first package the release has, so the
# same script serves Debian 12 and 13 (Debian 13 has no rsh server at all: that slot is skipped there).
# PLANT_PACKAGES=no plants only the accounts and sshd settings (the VM image: containers already prove
# the purges, which cost minutes under emulation).
set -eu
export DEBIAN_FRONTEND=noninteractive

first_available() {
  for pkg in "$@"; do
    candidate=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -n "$candidate" ] && [ "$candidate" != "(none)" ]; then echo "$pkg"; return 0; fi
  done
  echo "plant-problems: none of $* exists in this release; slot skipped" >&2
}

plant_packages() {
  apt-get update -qq
  pkgs=""
  for slot in "telnetd inetutils-telnetd" "openbsd-inetd inetutils-inetd" "vsftpd" "xrdp" "tftpd-hpa" \
              "rsh-server rsh-redone-server inetutils-rshd" "talkd inetutils-talkd" "avahi-daemon" \
              "bsdgames bsdextrautils" "irssi"; do
    # shellcheck disable=SC2086
    pkgs="$pkgs $(first_available $slot)"
  done
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  systemctl enable vsftpd xrdp avahi-daemon tftpd-hpa >/dev/null 2>&1 || true
  apt-get clean
  rm -rf /var/lib/apt/lists/*
}
[ "${PLANT_PACKAGES:-yes}" = no ] || plant_packages

# Default and generic accounts with weak or no passwords.
useradd -m -s /bin/bash -G sudo admin
echo 'admin:admin' | chpasswd
useradd -m -s /bin/bash guest
passwd -d guest >/dev/null
useradd -m -s /bin/bash test
echo 'test:test' | chpasswd

# sshd as a neglected host has it.
sed -i -e 's/^#\?PermitRootLogin.*/PermitRootLogin yes/' \
       -e 's/^#\?PasswordAuthentication.*/PasswordAuthentication yes/' /etc/ssh/sshd_config
