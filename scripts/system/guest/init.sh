#!/bin/sh
# PID 1 of the AppArmor guest (booted with rdinit=/pyconfine-guest/init.sh).
# Mounts the kernel filesystems, hands over to driver.py, which prints
# `RESULT …` lines on the serial console, then powers the guest off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security
mount -t devtmpfs devtmpfs /dev 2>/dev/null || true
exec </dev/console >/dev/console 2>&1
echo "GUEST-START $(uname -r)"
# Every audit record reaches the kernel log: no printk rate limit, and explicit
# `deny` rules (quiet by default) are logged too. printf: no trailing newline.
echo 0 >/proc/sys/kernel/printk_ratelimit
printf 'noquiet' >/sys/module/apparmor/parameters/audit
# PID 1 reaps nothing by itself: the driver runs as a child so its own
# orphans are collected when it exits.
/usr/bin/python3 -u /pyconfine-guest/driver.py /pyconfine-guest/cases.json
echo "GUEST-DONE rc=$?"
sync
echo o >/proc/sysrq-trigger
sleep 30
