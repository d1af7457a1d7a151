#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Case 8: the window canary. The image carries an executable /sbin/modprobe (the kernel's
# modprobe path) and /sbin/hotplug that leave a marker when run. Module autoload is triggered
# while modlatch loads (tcrypt asks the crypto layer for an algorithm that does not exist,
# which requests "crypto-modlatch-canary") and again from the supervisor (a mount of xfs, a
# module; a socket of AF_KEY, a module). No marker may appear and no module outside the table
# may be loaded once PID 1 has started. (The kernel itself runs the image's /sbin/modprobe for
# crypto self-tests before PID 1 exists; no PID 1 can stop that, so those markers are printed
# for the record and the image must not carry a modprobe: see doc/boot.md.) A control at the end puts /sbin/modprobe back into kernel.modprobe and shows
# that the same trigger then does run the canary, and that the latch still keeps xfs out.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

# canary_image ROOTFS NAME: the canary as /sbin/modprobe and /sbin/hotplug, the table's module
# names, and case checks that pull the triggers and look for markers.
canary_image() {
	local root=$1
	install -m 0755 "$GUEST/canary.sh" "$root/sbin/modprobe"
	install -m 0755 "$GUEST/canary.sh" "$root/sbin/hotplug"
	fixture_guest_tool "$2" socket "$GUEST/socket.c" || return 1
	table_order "$2" >"$root/etc/table-modules"
	cat >"$root/sbin/case-checks" <<-'SCRIPT'
		#!/bin/sh
		echo "CHECK canary-after-pid1=$(grep -c '^after-pid1 ' /canary.log 2>/dev/null)"
		sed "s/^/CHECK canary-log=/" /canary.log 2>/dev/null
		mkdir -p /mnt/x
		echo "CHECK mount-xfs=$(mount -t xfs /dev/null /mnt/x 2>&1)"
		echo "CHECK socket-af-key=$(/sbin/socket 15)"
		echo "CHECK canary-after-triggers=$(grep -c '^after-pid1 ' /canary.log 2>/dev/null)"
		while read -r module _; do
			grep -qx "$module" /etc/table-modules || echo "CHECK outside-table=$module"
		done </proc/modules
		echo /sbin/modprobe >/proc/sys/kernel/modprobe
		mount -t xfs /dev/null /mnt/x 2>/dev/null
		echo "CHECK control-canary=$(grep -c 'fs-xfs' /canary.log 2>/dev/null)"
		echo "CHECK control-xfs-loaded=$(grep -c '^xfs ' /proc/modules)"
	SCRIPT
	chmod +x "$root/sbin/case-checks"
}

setup_file() {
	printf '%s\n' xor br_netfilter '?tcrypt alg=modlatch-canary' >"$BATS_FILE_TMPDIR/window.list"
	fixture window "$BATS_FILE_TMPDIR/window.list" --edit canary_image
}

@test "[$RUN] a module asking for another during the window spawns nothing" {
	run modlatch_lines window
	assert_line --regexp '^modlatch: module=tcrypt result=failed step=finit_module errno=ENOENT us=[0-9]+$'
	run check_lines window
	assert_line 'canary-after-pid1=0'
}

@test "[$RUN] autoload triggers from the supervisor spawn nothing" {
	run check_lines window
	assert_line --regexp '^mount-xfs=mount: mounting /dev/null on /mnt/x failed: No such (device|file or directory)$'
	assert_line 'socket-af-key=EAFNOSUPPORT'
	assert_line 'canary-after-triggers=0'
}

@test "[$RUN] no module outside the table is loaded, and no marker reached the kernel log" {
	run check_lines window
	refute_line --partial 'outside-table='
	# Only the control below may leave a marker in the kernel log.
	run grep -c 'modlatch-canary: ' "$FIXTURES/window/serial.log"
	assert_output 1
}

@test "[$RUN] control: with the helper restored the same trigger runs it, and the latch still refuses xfs" {
	run check_lines window
	assert_line 'control-canary=1'
	assert_line 'control-xfs-loaded=0'
}

@test "[$RUN] this kernel has no uevent helper to blank" {
	run check_lines window
	assert_line 'hotplug=absent'
}
