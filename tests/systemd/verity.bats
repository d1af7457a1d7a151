#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The same Debian root as ext4.bats, read-only: erofs under dm-verity, its root hash pinned in
# modlatch at build time (scripts/verity.sh). systemd gets what a read-only root needs from the
# root's own configuration: tmpfs on /var and /tmp (fstab), a machine-id made for the boot (the
# file is empty), a volatile journal. systemd 252 on the 6.1 kernel, 257 on 6.12.
# Built as an appliance that wants to see every module its root asks for:
#   ALSO_LATCH=sys_module  PID 1 starts without CAP_SYS_MODULE, so systemd skips its module
#                          loaders as an unmet condition, and modlatch names what the root's
#                          modules-load.d asks for that the table lacks (here nlmon)
#   AFTER_LATCH=record     the kernel's module requests from the root reach modlatch's helper;
#                          the table lacks vxlan, and a VXLAN link from the root is named

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture
load systemd

bats_require_minimum_version 1.5.0

NAME=systemd-verity

# The root asks for nlmon at boot, as a package or an administrator would.
outsider_conf() {
	mkdir -p "$1/etc/modules-load.d"
	echo nlmon >"$1/etc/modules-load.d/outsider.conf"
}

setup_file() {
	build_generator || return 1
	QEMU_MEM=1024 BOOT_TIMEOUT=900 systemd_case "$NAME" erofs --part record.sh --without vxlan \
		--edit outsider_conf ALSO_LATCH=sys_module AFTER_LATCH=record
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

@test "[$RUN] systemd-verity: ALSO_LATCH=sys_module: CAP_SYS_MODULE (bit 16) is not in PID 1's bounding set" {
	run modlatch_lines "$NAME"
	assert_line 'modlatch: latch bset.cap_sys_module=0 confirmed'
	local bnd
	bnd=$(check_values "$NAME" cap_bnd)
	[ -n "$bnd" ] && [ $((0x$bnd >> 16 & 1)) -eq 0 ] || {
		echo "CapBnd of PID 1: '$bnd'"
		return 1
	}
}

@test "[$RUN] systemd-verity: ALSO_LATCH=sys_module: modlatch names the modules-load.d entry the table lacks (nlmon)" {
	run modlatch_lines "$NAME"
	assert_line 'modlatch: modules-load: nlmon (/etc/modules-load.d/outsider.conf:1) is not in the table, and systemd will not try it without CAP_SYS_MODULE'
	run check_lines "$NAME"
	assert_line --regexp '^klog=\[ *[0-9.]+\] [^ ]+ modlatch: modules-load: nlmon \(/etc/modules-load.d/outsider.conf:1\) is not in the table'
}

@test "[$RUN] systemd-verity: ALSO_LATCH=sys_module: systemd skips modules-load, kmod-static-nodes and modprobe@ for the unmet condition" {
	run check_lines "$NAME"
	assert_line 'unit=systemd-modules-load.service ActiveState=inactive ConditionResult=no Result=success'
	assert_line 'unit=kmod-static-nodes.service ActiveState=inactive ConditionResult=no Result=success'
	assert_line --regexp '^unit=modprobe@[a-z_]+\.service '
	refute_line --regexp '^unit=modprobe@.* ConditionResult=yes'
}

@test "[$RUN] systemd-verity: AFTER_LATCH=record: the helper is modlatch's copy on /run" {
	run modlatch_lines "$NAME"
	assert_line 'modlatch: after_latch=record helper=/run/modlatch/helper names=/run/modlatch/refused'
}

@test "[$RUN] systemd-verity: AFTER_LATCH=record: a VXLAN link (vxlan not in the table) is refused, named in journalctl -k and /run/modlatch/refused" {
	assert_step "$NAME" vxlan-refused
	run check_lines "$NAME"
	assert_line 'refused=rtnl-link-vxlan'
	assert_line --regexp '^klog_after=\[ *[0-9.]+\] [^ ]+ modlatch: refused module=rtnl-link-vxlan after latch$'
}

@test "[$RUN] systemd-verity: AFTER_LATCH=record: besides vxlan, systemd's boot asked for bpf_preload only (its bpffs on /sys/fs/bpf)" {
	# Mounting bpffs asks for bpf_preload whatever the kernel was built with; Debian's kernels
	# have no such module (CONFIG_BPF_PRELOAD is off), and the mount works without it.
	assert_equal "$(check_values "$NAME" refused | LC_ALL=C sort | paste -s -d, -)" \
		"bpf_preload,rtnl-link-vxlan"
}

@test "[$RUN] systemd-verity: modlatch-refused.service fails on the VXLAN request, not on the expected bpf_preload" {
	assert_step "$NAME" refused-unit
	run check_values "$NAME" refused_failed
	assert_output --regexp '^modlatch-refused.service +loaded failed failed '
}

@test "[$RUN] systemd-verity: modlatch-gen --requests turns the saved journalctl -k into the list line vxlan, and finds no module for bpf_preload" {
	check_values "$NAME" klog_after >"$BATS_TEST_TMPDIR/journal-k.log"
	run --separate-stderr "$GEN" --requests "$BATS_TEST_TMPDIR/journal-k.log" "$(kernel_modules_dir)"
	assert_failure 3
	assert_line --regexp '^vxlan +# answers request rtnl-link-vxlan$'
	assert_line '# no module answers request bpf_preload'
}
