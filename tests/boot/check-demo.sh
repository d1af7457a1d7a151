#!/bin/sh
# Supervisor of the demo boot test: runs as PID 1 after modlatch, prints what the test asserts
# on as "CHECK key=value" lines, then powers off.
release=$(uname -r)
echo "CHECK pid=$$"
echo "CHECK modules_disabled=$(cat /proc/sys/kernel/modules_disabled)"
echo "CHECK modprobe=[$(cat /proc/sys/kernel/modprobe)]"
while read -r module _; do echo "CHECK loaded=$module"; done </proc/modules
echo "CHECK mount=$(grep -c -E '^(devtmpfs /dev|proc /proc|sysfs /sys|tmpfs /run) ' /proc/mounts)"
echo "CHECK insmod=$(insmod "/lib/modules/$release/kernel/drivers/net/dummy.ko" 2>&1)"
echo "CHECK rmmod=$(rmmod xor 2>&1)"
echo "CHECK write0=$( (echo 0 >/proc/sys/kernel/modules_disabled) 2>&1)"
echo "CHECK write1=$( (echo 1 >/proc/sys/kernel/modules_disabled) 2>&1)rc=$?"
unshare --pid --fork --mount-proc /init >/run/child-ns.log 2>&1
echo "CHECK child-ns-rc=$?"
echo "CHECK child-ns=$(cat /run/child-ns.log)"
echo "CHECK done"
poweroff -f
