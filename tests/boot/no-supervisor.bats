#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Case 6, second half: when no supervisor can be exec'd, nothing runs after the latch. The
# machine powers off, or reboots when built with ON_FATAL=reboot, and the log says why.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

setup_file() {
	fixture poweroff "$REPO/etc/demo.list" SUPERVISOR=/sbin/none:/bin/missing-too &&
		fixture reboot "$REPO/etc/demo.list" SUPERVISOR=/sbin/none:/bin/missing-too ON_FATAL=reboot &&
		fixture no-shell "$REPO/etc/demo.list" SUPERVISOR=busybox-init
}

# The image has /bin/sh (BusyBox) but no /sbin/init: a preset build must not fall back to a
# root shell on the console.
@test "[$RUN] a preset build with its supervisor missing stops; it never runs the image's /bin/sh" {
	[ -x "$FIXTURES/no-shell/rootfs/bin/sh" ]
	run modlatch_lines no-shell
	assert_line 'modlatch: cannot exec /sbin/init: ENOENT'
	refute_line --partial 'exec /bin/sh'
	assert_line 'modlatch: stopping: no supervisor could be executed; powering off'
}

@test "[$RUN] every supervisor is tried and named with its errno" {
	for name in poweroff reboot; do
		run modlatch_lines "$name"
		assert_line 'modlatch: cannot exec /sbin/none: ENOENT'
		assert_line 'modlatch: cannot exec /bin/missing-too: ENOENT'
	done
}

@test "[$RUN] the latch is confirmed before anything is tried" {
	for name in poweroff reboot; do
		run modlatch_lines "$name"
		assert_line --regexp '^modlatch: summary loaded=5 .* latched=yes '
	done
}

@test "[$RUN] nothing runs: no supervisor output at all" {
	for name in poweroff reboot; do
		run check_lines "$name"
		assert_output ''
	done
}

@test "[$RUN] by default the machine powers off, with the reason in the log" {
	run modlatch_lines poweroff
	assert_line 'modlatch: stopping: no supervisor could be executed; powering off'
	grep -q 'reboot: Power down' "$FIXTURES/poweroff/serial.log"
}

@test "[$RUN] built with ON_FATAL=reboot it reboots instead" {
	run modlatch_lines reboot
	assert_line 'modlatch: stopping: no supervisor could be executed; rebooting'
	grep -q 'reboot: Restarting system' "$FIXTURES/reboot/serial.log"
}
