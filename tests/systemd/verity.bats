#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The same Debian root as ext4.bats, read-only: erofs under dm-verity, its root hash pinned in
# modlatch at build time (scripts/verity.sh). systemd gets what a read-only root needs from the
# root's own configuration: tmpfs on /var and /tmp (fstab), a machine-id made for the boot (the
# file is empty), a volatile journal. systemd 252 on the 6.1 kernel, 257 on 6.12.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture
load systemd

NAME=systemd-verity

setup_file() {
	QEMU_MEM=1024 BOOT_TIMEOUT=900 systemd_case "$NAME" erofs
}

@test "[$RUN] systemd-verity: modlatch latches, then mounts /dev/dm-0 (verity over /dev/vda) read-only and execs /sbin/init" {
	run modlatch_lines "$NAME"
	assert_line --regexp '^modlatch: root: verity /dev/dm-0 over /dev/vda root_hash=[0-9a-f]{64} on_corruption=eio$'
	assert_line --regexp "^modlatch: root: /dev/dm-0 \\(erofs, ro\\) is / after [0-9]+ms; initramfs freed; next: $SYSTEMD_INIT\$"
	run check_lines "$NAME"
	assert_line 'root=/dev/dm-0 erofs ro'
}

@test "[$RUN] systemd-verity: PID 1 is Debian's systemd" {
	assert_systemd_pid1 "$NAME"
}

@test "[$RUN] systemd-verity: modules_disabled is 1 and modlatch's report is in journalctl -k" {
	assert_latch_in_journal "$NAME"
}

@test "[$RUN] systemd-verity: systemd reaches running with no failed unit" {
	assert_running "$NAME"
}

@test "[$RUN] systemd-verity: no error in the journal is about a module" {
	assert_no_module_errors "$NAME"
}

@test "[$RUN] systemd-verity: /var and /tmp are tmpfs, the machine-id is the boot's own, the journal is in /run" {
	run check_lines "$NAME"
	assert_line 'writable=/var tmpfs rw'
	assert_line 'writable=/tmp tmpfs rw'
	assert_line --regexp '^writable=machine-id [0-9a-f]{32}$'
	assert_line --regexp '^writable=journal /run/log/journal/[0-9a-f]{32} $'
}
