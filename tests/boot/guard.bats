#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Cases 9 and 10. The kernel starts a guard script as PID 1 (rdinit=) instead of modlatch. It
# mounts /proc, /sys and /dev itself and, before anything has latched, starts modlatch as PID 1
# of a child PID namespace twice: with /proc mounted for it (unshare --mount-proc), and with
# no /proc at all, so that modlatch must find its namespace through a detached proc. Both times
# it must refuse and change nothing. Then the script execs modlatch as the real PID 1, which
# finds /proc, /sys and /dev already mounted (as after an initramfs switch_root) and boots.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

# guard_script ROOTFS: the guard above, as /sbin/guard.
guard_script() {
	cat >"$1/sbin/guard" <<-'SCRIPT'
		#!/bin/sh
		mkdir -p /proc /sys /dev
		mount -t proc proc /proc
		mount -t sysfs sysfs /sys
		mount -t devtmpfs devtmpfs /dev
		exec >/dev/console 2>&1
		mounts_before=$(wc -l </proc/mounts)
		out=$(unshare --pid --fork --mount-proc /init 2>&1)
		echo "CHECK guard-mount-proc-rc=$? $out"
		out=$(unshare --pid --fork --mount sh -c 'umount /proc && exec /init' 2>&1)
		echo "CHECK guard-no-proc-rc=$? $out"
		echo "CHECK guard-modules_disabled=$(cat /proc/sys/kernel/modules_disabled)"
		echo "CHECK guard-modprobe=$(cat /proc/sys/kernel/modprobe)"
		echo "CHECK guard-modules=$(wc -l </proc/modules)"
		echo "CHECK guard-mounts-unchanged=$([ "$(wc -l </proc/mounts)" = "$mounts_before" ] && echo yes)"
		exec /init
	SCRIPT
	chmod +x "$1/sbin/guard"
}

setup_file() {
	BOOT_APPEND=rdinit=/sbin/guard fixture guard "$REPO/etc/demo.list" --edit guard_script
}

@test "[$RUN] as PID 1 of a child namespace with /proc mounted, modlatch refuses" {
	run check_lines guard
	assert_line --regexp '^guard-mount-proc-rc=1 modlatch: refusing to boot: PID 1 of a child PID namespace, not of the machine \(pid:\[[0-9]+\]\); nothing was mounted, loaded or latched$'
}

@test "[$RUN] with no /proc at all, it finds its namespace anyway and refuses" {
	run check_lines guard
	assert_line --regexp '^guard-no-proc-rc=1 modlatch: refusing to boot: PID 1 of a child PID namespace, not of the machine \(pid:\[[0-9]+\]\); nothing was mounted, loaded or latched$'
}

@test "[$RUN] the refusals changed nothing: loading still open, helper untouched, nothing loaded or mounted" {
	run check_lines guard
	assert_line 'guard-modules_disabled=0'
	assert_line 'guard-modprobe=/sbin/modprobe'
	assert_line 'guard-modules=0'
	assert_line 'guard-mounts-unchanged=yes'
}

@test "[$RUN] as the real PID 1 it keeps the mounts it finds and boots" {
	run modlatch_lines guard
	assert_line 'modlatch: /dev is already mounted; kept'
	assert_line 'modlatch: /proc is already mounted; kept'
	assert_line 'modlatch: /sys is already mounted; kept'
	refute_line --partial 'cannot mount'
	assert_line --regexp '^modlatch: summary loaded=5 already=0 builtin=0 absent=0 failed=0 optional_failed=0 latched=yes '
	run check_lines guard
	assert_line 'pid=1'
	assert_line 'modules_disabled=1'
	assert_line 'modprobe=[]'
	assert_line 'mounted=devtmpfs /dev 1'
	assert_line 'mounted=proc /proc 1'
	assert_line 'mounted=sysfs /sys 1'
	assert_line 'mounted=tmpfs /run 1'
}
