#!/bin/sh
# The account harden connects as in the lab, as production is reached: a named non-root sudo user
# that logs in by key. The key itself is added when a lab host starts.
set -eu
useradd -m -s /bin/bash -G sudo labops
passwd -l labops >/dev/null
echo 'labops ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/labops
chmod 0440 /etc/sudoers.d/labops
install -d -m 0700 -o labops -g labops /home/labops/.ssh
