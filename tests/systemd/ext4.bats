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
	assert_ext4_root "$NAME"
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
	assert_modules_load_ran "$NAME"
}

@test "[$RUN] systemd-ext4: a modules-load.d name the table lacks (nlmon) fails systemd-modules-load, named" {
	assert_outsider_named "$NAME"
}

@test "[$RUN] systemd-ext4: with the name gone and the failure reset, no unit is failed" {
	assert_step "$NAME" outsider-cleanup
}
