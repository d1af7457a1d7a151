#!/bin/sh
# SPDX-License-Identifier: MIT
# The generic supervisor of the boot tests: modlatch execs it as PID 1 after the latch. It
# prints what the tests assert on as "CHECK key=value" lines, runs the case's own checks
# (/sbin/case-checks) if the image has them, and powers off.
echo "CHECK pid=$$"
echo "CHECK modules_disabled=$(cat /proc/sys/kernel/modules_disabled)"
echo "CHECK modprobe=[$(cat /proc/sys/kernel/modprobe)]"
echo "CHECK hotplug=$(cat /proc/sys/kernel/hotplug 2>/dev/null || echo absent)"
while read -r module _; do echo "CHECK loaded=$module"; done </proc/modules
for fs in "devtmpfs /dev" "proc /proc" "sysfs /sys" "tmpfs /run"; do
	echo "CHECK mounted=$fs $(grep -c "^$fs " /proc/mounts)"
done
echo "CHECK insmod=$(insmod /lib/modules/outsider.ko 2>&1)"
victim=$(head -n 1 /proc/modules | cut -d' ' -f1)
[ -n "$victim" ] && echo "CHECK rmmod=$(rmmod "$victim" 2>&1 | sed "s/'$victim'/MODULE/")"
echo "CHECK write0=$( (echo 0 >/proc/sys/kernel/modules_disabled) 2>&1)"
echo "CHECK write1=$( (echo 1 >/proc/sys/kernel/modules_disabled) 2>&1)rc=$?"
echo "CHECK kmsg-lines=$(dmesg | grep -c ' modlatch: ')"
[ -x /sbin/case-checks ] && /sbin/case-checks
echo "CHECK done"
poweroff -f
