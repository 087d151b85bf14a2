#!/bin/sh
# What check mode must not change: packages, account files, planted trust files, units.
set -e
dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\n'
sha256sum /etc/passwd /etc/shadow /etc/group /etc/gshadow /home/demo/.rhosts /root/.netrc
systemctl list-unit-files --no-legend --no-pager | sort
# The settings roles' files: PAM, sshd, kernel parameters, login.defs, sudoers, APT, audit, modes.
find /etc/pam.d /etc/ssh /etc/sysctl.d /etc/security /etc/sudoers.d /etc/apt/apt.conf.d /etc/apt/sources.list.d \
     /etc/modprobe.d /etc/profile.d /etc/systemd /etc/audit /etc/rsyslog.d -xdev -type f 2>/dev/null | sort | xargs -r sha256sum
sha256sum /etc/login.defs /etc/issue /etc/issue.net /etc/motd /etc/apt/sources.list
stat -c '%n %a %U %G' /etc/passwd /etc/shadow /etc/group /etc/gshadow /etc/crontab /etc/cron.d /etc/ssh/sshd_config
