#!/usr/bin/env bash
# Build the Debian 12 virtual machine image of the VM test tier (molecule/vm) once and cache it: a
# debootstrap root file system with a kernel, the lab's planted neglect and its operator account,
# turned into a raw ext4 disk that qemu boots directly (kernel and initrd kept beside it).
# Usage: build.sh [--force]
# Cache: ${HARDEN_VM_CACHE:-/var/cache/harden/vm}/bookworm/{vmlinuz,initrd.img,disk.img,stamp}
# Rebuilt only when missing, with --force, or when this script or the lab scripts it runs changed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
images="$here/../images"
cache="${HARDEN_VM_CACHE:-/var/cache/harden/vm}/bookworm"
force=${1:-}
case "$force" in ""|--force) ;; *) echo "usage: build.sh [--force]" >&2; exit 1 ;; esac

for tool in debootstrap mkfs.ext4 qemu-img qemu-system-x86_64; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is not installed; run scripts/setup.sh" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "build.sh: needs root (debootstrap, chroot)" >&2; exit 1; }

digest=$(cat "$0" "$images/plant-problems.sh" "$images/lab-operator.sh" | sha256sum | cut -d' ' -f1)
if [ "$force" != "--force" ] && [ "$(cat "$cache/stamp" 2>/dev/null)" = "$digest" ] \
   && [ -f "$cache/disk.img" ] && [ -f "$cache/vmlinuz" ] && [ -f "$cache/initrd.img" ]; then
  echo "build.sh: VM image is current ($cache)"
  exit 0
fi

started=$(date +%s)
work=$(mktemp -d /var/tmp/harden-vm-build.XXXXXX)
root="$work/root"
cleanup() {
  for m in dev/pts dev sys proc; do
    if mountpoint -q "$root/$m" 2>/dev/null; then umount -l "$root/$m"; fi
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

echo "build.sh: debootstrap bookworm with a kernel (a few minutes)"
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,udev,dbus,kmod,procps,python3,python3-apt,openssh-server,sudo,iproute2 \
  bookworm "$root" >/dev/null

# No documentation, manual pages or translations: a lean image is built and copied faster.
cat > "$root/etc/dpkg/dpkg.cfg.d/01-harden-nodoc" <<'NODOC'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
NODOC
find "$root/usr/share/doc" -type f ! -name copyright -delete
rm -rf "$root/usr/share/man" "$root/usr/share/info"

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
in_root() { chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@" 2> >(grep -v '^debconf: delaying' >&2); }
# No service starts inside the build's chroot.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"

# The release's updates and security archive, so converge has no kernel or libc upgrade to do under
# emulation (and a kernel upgraded in the guest would not be the one qemu boots anyway).
cat > "$root/etc/apt/sources.list" <<'SOURCES'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SOURCES
# An initrd with only what mounts this VM's root (virtio disk, ext4): small and quick to load.
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo 'MODULES=list' > "$root/etc/initramfs-tools/conf.d/harden-vm.conf"
printf '%s\n' virtio_pci virtio_blk ext4 > "$root/etc/initramfs-tools/modules"
in_root apt-get update -qq
in_root apt-get dist-upgrade -y -qq >/dev/null
in_root apt-get install -y -qq --no-install-recommends linux-image-amd64 initramfs-tools >/dev/null

# What the container lab plants, less its packages (default accounts, sshd settings), and its operator.
# The purges of planted packages are proven in containers; under emulation they would cost minutes.
cp "$images/plant-problems.sh" "$images/lab-operator.sh" "$root/tmp/"
in_root env PLANT_PACKAGES=no sh /tmp/plant-problems.sh
in_root sh /tmp/lab-operator.sh
rm -f "$root/tmp/plant-problems.sh" "$root/tmp/lab-operator.sh"
# Kernel neglect only a real kernel shows: these win at boot unless hardening's files sort after them
# (sysctl.conf is read as 99-sysctl.conf).
printf 'net.ipv4.conf.all.send_redirects = 1\nkernel.randomize_va_space = 1\n' > "$root/etc/sysctl.d/50-neglect.conf"
printf 'kernel.dmesg_restrict = 0\n' >> "$root/etc/sysctl.conf"

# The operator's key is the one each Molecule instance generates: qemu passes it on the kernel command
# line (harden_vm.key=TYPE,BASE64) and this unit installs it at the first boot only, so a later
# lockout (a removed key) is not repaired behind the test's back.
cat > "$root/usr/local/sbin/harden-vm-operator-key" <<'KEYSCRIPT'
#!/bin/sh
set -eu
key=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^harden_vm\.key=//p' | tr ',' ' ')
[ -n "$key" ] || exit 0
install -d -m 0700 -o labops -g labops /home/labops/.ssh
echo "$key harden-vm" > /home/labops/.ssh/authorized_keys
chown labops:labops /home/labops/.ssh/authorized_keys
chmod 0600 /home/labops/.ssh/authorized_keys
install -d -m 0700 /var/lib/harden-vm
touch /var/lib/harden-vm/operator-key-installed
KEYSCRIPT
chmod 0755 "$root/usr/local/sbin/harden-vm-operator-key"
cat > "$root/etc/systemd/system/harden-vm-operator-key.service" <<'KEYUNIT'
[Unit]
Description=Install the test operator's SSH key once (harden VM test tier)
ConditionPathExists=!/var/lib/harden-vm/operator-key-installed
Before=ssh.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/harden-vm-operator-key

[Install]
WantedBy=multi-user.target
KEYUNIT

# Boot and network: the whole virtio disk is the root file system; DHCP from qemu's user network.
echo '/dev/vda / ext4 defaults 0 1' > "$root/etc/fstab"
echo harden-vm > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 harden-vm\n' > "$root/etc/hosts"
printf '[Match]\nName=e*\n\n[Network]\nDHCP=ipv4\n' > "$root/etc/systemd/network/20-dhcp.network"
echo 'nameserver 10.0.2.3' > "$root/etc/resolv.conf"  # qemu's user-network DNS
in_root systemctl enable systemd-networkd harden-vm-operator-key.service >/dev/null 2>&1
in_root systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1
# The image keeps the host keys made at build: every test VM is a throwaway copy, and generating
# keys under emulation would cost each first boot seconds.
rm -f "$root/usr/sbin/policy-rc.d"
# The package lists stay, as on a real host: converge fetches them again only when they are over an
# hour old (an emptied lists directory would look fresh to Ansible's apt cache_valid_time).
in_root apt-get clean
rm -rf "$root"/var/log/*.log "$root"/var/cache/debconf/*-old

for m in dev/pts dev sys proc; do umount -l "$root/$m"; done

mkdir -p "$cache"
rm -f "$cache/stamp" "$cache/disk.img"
kernel=$(find "$root/boot" -name 'vmlinuz-*' | sort -V | tail -n 1)
cp "$kernel" "$cache/vmlinuz"
cp "$root/boot/initrd.img-${kernel##*/vmlinuz-}" "$cache/initrd.img"
# 3 GiB, sparse: room for converge's installs; each test VM writes to a qcow2 overlay, never here.
mkfs.ext4 -q -L harden-vm -d "$root" "$cache/disk.img" 3G >/dev/null
echo "$digest" > "$cache/stamp"
echo "build.sh: built $cache in $(( $(date +%s) - started ))s ($(du -sh "$root" | cut -f1) root file system)"
