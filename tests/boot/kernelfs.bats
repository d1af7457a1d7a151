#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# /proc is trusted only when it is the kernel's own. A guard script is PID 1 first and mounts a
# tmpfs where modlatch expects procfs, as a stage that left the wrong thing mounted would;
# modlatch keeps what it finds mounted. A knob that does not exist there proves nothing: the
# kernel's modprobe path is live and unseen, and a companion latch is not absent but unknown.
# So nothing may be loaded, nothing is confirmed, and the machine stops before any supervisor
# runs.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

# tmpfs_on_proc ROOTFS: /sbin/guard, which mounts a tmpfs on /proc and execs modlatch.
tmpfs_on_proc() {
	cat >"$1/sbin/guard" <<-'SCRIPT'
		#!/bin/sh
		mkdir -p /proc
		mount -t tmpfs tmpfs /proc
		exec /init
	SCRIPT
	chmod +x "$1/sbin/guard"
}

setup_file() {
	BOOT_APPEND=rdinit=/sbin/guard fixture proc-not-procfs "$REPO/etc/demo.list" ALSO_LATCH=kexec \
		--edit tmpfs_on_proc
}

@test "[$RUN] /proc is a tmpfs: the helpers are not counted as blanked, and nothing is loaded" {
	run modlatch_lines proc-not-procfs
	assert_line "modlatch: cannot blank /proc/sys/kernel/modprobe: /proc is not the kernel's procfs"
	assert_line "modlatch: module helpers not blanked: no module will be loaded"
	for module in $(table_order proc-not-procfs); do
		assert_line --regexp "^modlatch: module=$module result=failed step=helpers "
	done
	assert_line --regexp '^modlatch: summary loaded=0 .* latched=no '
}

@test "[$RUN] /proc is a tmpfs: the latch is not confirmed and no supervisor runs" {
	run modlatch_lines proc-not-procfs
	assert_line --regexp '^modlatch: latch modules_disabled=\? probe=EBADF NOT CONFIRMED$'
	assert_line --partial "module loading could not be confirmed closed"
	run check_lines proc-not-procfs
	assert_output ''
}

@test "[$RUN] /proc is a tmpfs: a companion knob that is not there is not taken for absent" {
	run modlatch_lines proc-not-procfs
	refute_line 'modlatch: latch kexec_load_disabled absent'
	assert_line --regexp '^modlatch: latch kexec_load_disabled=.* NOT CONFIRMED errno=ENOENT$'
}
