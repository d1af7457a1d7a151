#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# /proc is trusted only when it is the kernel's own. A guard script is PID 1 first and mounts a
# tmpfs where modlatch expects procfs, as a stage that left the wrong thing mounted would;
# modlatch keeps what it finds mounted. A knob that does not exist there proves nothing: the
# kernel's modprobe path is live and unseen, and a companion latch is not absent but unknown.
# So nothing may be loaded, nothing is confirmed, and the machine stops before any supervisor
# runs. A tmpfs that holds files named like the knobs, or one file bind-mounted over a knob of
# the kernel's procfs, proves nothing either (G4).

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

# knobs_on_tmpfs ROOTFS: the same tmpfs, holding empty files where kernel.modprobe and
# kernel.hotplug would be: written and read back, they look blanked.
knobs_on_tmpfs() {
	cat >"$1/sbin/guard" <<-'SCRIPT'
		#!/bin/sh
		mkdir -p /proc
		mount -t tmpfs tmpfs /proc
		mkdir -p /proc/sys/kernel
		: >/proc/sys/kernel/modprobe
		: >/proc/sys/kernel/hotplug
		exec /init
	SCRIPT
	chmod +x "$1/sbin/guard"
}

# knob_overmounted ROOTFS: the kernel's procfs, with an empty tmpfs file bind-mounted over
# kernel.modprobe and kernel.kexec_load_disabled: the kernel's own values stay as they are.
knob_overmounted() {
	cat >"$1/sbin/guard" <<-'SCRIPT'
		#!/bin/sh
		mkdir -p /proc /mnt
		mount -t proc proc /proc
		mount -t tmpfs tmpfs /mnt
		: >/mnt/modprobe
		echo 1 >/mnt/kexec_load_disabled
		mount --bind /mnt/modprobe /proc/sys/kernel/modprobe
		mount --bind /mnt/kexec_load_disabled /proc/sys/kernel/kexec_load_disabled
		exec /init
	SCRIPT
	chmod +x "$1/sbin/guard"
}

setup_file() {
	BOOT_APPEND=rdinit=/sbin/guard fixture proc-not-procfs "$REPO/etc/demo.list" ALSO_LATCH=kexec \
		--edit tmpfs_on_proc &&
		BOOT_APPEND=rdinit=/sbin/guard fixture knobs-on-tmpfs "$REPO/etc/demo.list" \
			--edit knobs_on_tmpfs &&
		BOOT_APPEND=rdinit=/sbin/guard fixture knob-overmounted "$REPO/etc/demo.list" \
			ALSO_LATCH=kexec --edit knob_overmounted
}

@test "[$RUN] /proc is a tmpfs: the helpers are not counted as blanked, and nothing is loaded" {
	run modlatch_lines proc-not-procfs
	assert_line "modlatch: cannot blank /proc/sys/kernel/modprobe: not on the kernel's procfs"
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

@test "[$RUN] a tmpfs /proc that holds files named like the knobs does not make the helpers look blanked (G4)" {
	run modlatch_lines knobs-on-tmpfs
	assert_line "modlatch: cannot blank /proc/sys/kernel/modprobe: not on the kernel's procfs"
	assert_line "modlatch: module helpers not blanked: no module will be loaded"
	assert_line --regexp '^modlatch: summary loaded=0 .* latched=no '
	run check_lines knobs-on-tmpfs
	assert_output ''
}

@test "[$RUN] a file bind-mounted over kernel.modprobe is not the knob: nothing is loaded (G4)" {
	run modlatch_lines knob-overmounted
	assert_line "modlatch: cannot blank /proc/sys/kernel/modprobe: not on the kernel's procfs"
	assert_line "modlatch: module helpers not blanked: no module will be loaded"
	for module in $(table_order knob-overmounted); do
		assert_line --regexp "^modlatch: module=$module result=failed step=helpers "
	done
	assert_line --regexp '^modlatch: summary loaded=0 '
	# The module latch itself is read and probed on the kernel's procfs: it holds.
	assert_line 'modlatch: latch modules_disabled=1 probe=EPERM confirmed'
}

@test "[$RUN] a file bind-mounted over a companion knob is not taken for the knob (G4)" {
	run modlatch_lines knob-overmounted
	assert_line --regexp '^modlatch: latch kexec_load_disabled=.* NOT CONFIRMED errno=EXDEV$'
}
