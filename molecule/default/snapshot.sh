#!/bin/sh
# What check mode must not change: packages, account files, planted trust files, units.
set -e
dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\n'
sha256sum /etc/passwd /etc/shadow /etc/group /etc/gshadow /home/demo/.rhosts /root/.netrc
systemctl list-unit-files --no-legend --no-pager | sort
