#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A real Debian root booted by its own systemd behind modlatch: the initramfs is modlatch and its
# table (etc/disk-root.list, container-host.list and systemd-host.list), modlatch latches,
# mounts /dev/vda (ext4, read-write, as the root's fstab says) and execs /sbin/init, Debian's
# link to systemd. The root is the kernel's own release: systemd 252 on 6.1, 257 on 6.12
# (tests/systemd/systemd.bash). Built by default, so PID 1 keeps CAP_SYS_MODULE and systemd's
# loaders run; a modules-load.d name the table lacks then fails systemd-modules-load, naming it.
# tests/run.sh runs this file on the 6.12 kernel; on 6.1 appliance.bats boots the same root with
# the appliance's own work added.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture
load systemd

NAME=systemd-ext4

setup_file() {
	QEMU_MEM=1024 BOOT_TIMEOUT=900 systemd_case "$NAME" ext4 --part outsider.sh
}

@test "[$RUN] systemd-ext4: modlatch latches, then mounts /dev/vda read-write and execs /sbin/init" {
	run modlatch_lines "$NAME"
	assert_line --regexp "^modlatch: root: /dev/vda \\(ext4, rw\\) is / after [0-9]+ms; initramfs freed; next: $SYSTEMD_INIT\$"
	run check_lines "$NAME"
	assert_line 'root=/dev/vda ext4 rw'
}

@test "[$RUN] systemd-ext4: PID 1 is Debian's systemd" {
	assert_systemd_pid1 "$NAME"
}

@test "[$RUN] systemd-ext4: modules_disabled is 1 and modlatch's report is in journalctl -k" {
	assert_latch_in_journal "$NAME"
}

@test "[$RUN] systemd-ext4: systemd reaches running with no failed unit" {
	assert_running "$NAME"
}

@test "[$RUN] systemd-ext4: no error in the journal is about a module" {
	assert_no_module_errors "$NAME"
}

@test "[$RUN] systemd-ext4: with CAP_SYS_MODULE, systemd-modules-load runs and succeeds on Debian's empty list" {
	run check_lines "$NAME"
	assert_line 'unit=systemd-modules-load.service ActiveState=active ConditionResult=yes Result=success'
}

@test "[$RUN] systemd-ext4: a modules-load.d name the table lacks (nlmon) fails systemd-modules-load, named" {
	assert_step "$NAME" outsider-modules-load
	run check_lines "$NAME"
	assert_line "outsider_log=Failed to insert module 'nlmon': Operation not permitted"
	assert_line 'outsider_log=Failed to start systemd-modules-load.service - Load Kernel Modules.'
}

@test "[$RUN] systemd-ext4: with the name gone and the failure reset, no unit is failed" {
	assert_step "$NAME" outsider-cleanup
}
