#!/bin/sh
# SPDX-License-Identifier: MIT
# The supervisor of the record loop: one workload step that needs a module (a WireGuard link),
# then what modlatch recorded, in the file and in the kernel log, and power off.
if out=$(ip link add wg0 type wireguard 2>&1) && out=$(wg show wg0 2>&1); then
	echo "CHECK step=wireguard-link ok"
else
	echo "CHECK step=wireguard-link failed: $(echo "$out" | head -n 1)"
fi
echo "CHECK refused=$(tr '\n' , </run/modlatch/refused 2>/dev/null)"
# The kernel's own log, as a user would save it with dmesg, for modlatch-gen --requests.
dmesg | grep 'modlatch: refused module='
echo "CHECK done"
busybox poweroff -f
