#!/bin/sh
# SPDX-License-Identifier: MIT
# The supervisor of `make demo`: shows, as a short shell transcript, what the appliance looks
# like right after modlatch handed over. Lines start with "DEMO " so the host can pick them out.
show() {
	echo "DEMO \$ $*"
	sh -c "$*" 2>&1 | sed 's/^/DEMO /'
}
echo "DEMO"
echo "DEMO \$ echo \$\$"
echo "DEMO $$"
show "cut -d' ' -f1 /proc/modules"
show 'cat /proc/sys/kernel/modules_disabled'
show "insmod /lib/modules/outsider.ko   # nlmon, not in the table"
show 'rmmod xor'
show 'echo 0 > /proc/sys/kernel/modules_disabled'
show 'echo 1 > /proc/sys/kernel/modules_disabled && echo "writing 1 again: fine"'
poweroff -f
