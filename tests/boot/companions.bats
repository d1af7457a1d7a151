#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Companion latches (ALSO_LATCH): set in the latch step, confirmed by read-back, and one-way.
# Three boots: every companion asked for; none asked for (the kernel's defaults stay); and a
# guard that makes kexec_load_disabled unwritable and boots without Yama, where modlatch must
# report Yama absent, refuse to confirm kexec, and stop before any supervisor runs.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

KNOBS='/proc/sys/kernel/kexec_load_disabled /proc/sys/kernel/unprivileged_bpf_disabled
/proc/sys/kernel/yama/ptrace_scope
/proc/sys/kernel/usermodehelper/bset'

# knob_checks ROOTFS NAME: case checks that print every knob, try to turn each back, print them
# again, and run the tries tool.
knob_checks() {
	fixture_guest_tool "$2" tries "$GUEST/tries.c" || return 1
	# shellcheck disable=SC2086,SC2116 # the knobs, joined into one line of words for the guest
	cat >"$1/sbin/case-checks" <<-SCRIPT
		#!/bin/sh
		show() { for k in $(echo $KNOBS); do echo "CHECK \$1 \$(basename \$k)=\$(tr '\t' , <\$k)"; done; }
		show before
		echo 0 >/proc/sys/kernel/kexec_load_disabled
		echo 0 >/proc/sys/kernel/unprivileged_bpf_disabled
		echo 1 >/proc/sys/kernel/yama/ptrace_scope
		printf '4294967295\t4294967295\n' >/proc/sys/kernel/usermodehelper/bset
		show after
		/sbin/tries
	SCRIPT
	chmod +x "$1/sbin/case-checks"
}

# kexec_pin_guard ROOTFS: /sbin/guard, which runs as PID 1 first, mounts /proc, pins
# kexec_load_disabled read-only at 0 and execs modlatch, which keeps the mounts it finds.
kexec_pin_guard() {
	cat >"$1/sbin/guard" <<-'SCRIPT'
		#!/bin/sh
		mkdir -p /proc /run
		mount -t proc proc /proc
		mount -t tmpfs tmpfs /run
		echo 0 >/run/pinned
		mount --bind /run/pinned /proc/sys/kernel/kexec_load_disabled
		mount -o remount,bind,ro /proc/sys/kernel/kexec_load_disabled
		exec /init
	SCRIPT
	chmod +x "$1/sbin/guard"
}

setup_file() {
	fixture companions-all "$REPO/etc/demo.list" ALSO_LATCH=all --edit knob_checks &&
		fixture companions-none "$REPO/etc/demo.list" --edit knob_checks || return 1
	BOOT_APPEND="rdinit=/sbin/guard lsm=landlock,lockdown" \
		fixture companions-ro "$REPO/etc/demo.list" ALSO_LATCH=all --edit kexec_pin_guard
}

@test "[$RUN] ALSO_LATCH=all sets every companion latch and reports each confirmed" {
	run modlatch_lines companions-all
	assert_line 'modlatch: latch kexec_load_disabled=1 confirmed'
	assert_line 'modlatch: latch unprivileged_bpf_disabled=1 confirmed'
	assert_line 'modlatch: latch yama.ptrace_scope=3 confirmed'
	assert_line --regexp '^modlatch: latch usermodehelper.bset=[0-9]+,[0-9]+ confirmed$'
	assert_line --regexp '^modlatch: summary loaded=5 .* failed=0 optional_failed=0 latched=yes '
}

@test "[$RUN] the supervisor finds every companion set, and CAP_SYS_MODULE gone from the helpers' bset" {
	run check_lines companions-all
	assert_line 'before kexec_load_disabled=1'
	assert_line 'before unprivileged_bpf_disabled=1'
	assert_line 'before ptrace_scope=3'
	local bset
	bset=$(check_lines companions-all | sed -n 's/^before bset=\([0-9]*\),.*/\1/p')
	[ -n "$bset" ] && [ $((bset & (1 << 16))) -eq 0 ]
}

@test "[$RUN] no companion can be turned back by root after the hand-off" {
	run check_lines companions-all
	local knob
	for knob in kexec_load_disabled=1 unprivileged_bpf_disabled=1 ptrace_scope=3; do
		assert_line "after $knob"
	done
	[ "$(check_lines companions-all | sed -n 's/^after bset=//p')" = \
		"$(check_lines companions-all | sed -n 's/^before bset=//p')" ]
	assert_line 'kexec_load=Operation not permitted'
	assert_line 'ptrace_attach=Operation not permitted'
}

@test "[$RUN] without ALSO_LATCH the kernel's defaults stay, and root can still kexec and ptrace" {
	run "$FIXTURES/companions-none/build/modlatch" --print
	assert_line 'also_latch none'
	run modlatch_lines companions-none
	refute_line --partial 'latch kexec'
	refute_line --partial 'latch yama'
	run check_lines companions-none
	assert_line 'before kexec_load_disabled=0'
	assert_line 'after unprivileged_bpf_disabled=0'
	assert_line --regexp '^before bset=4294967295,[0-9]+$'
	assert_line 'kexec_load=ok'
	assert_line 'ptrace_attach=ok'
}

@test "[$RUN] without Yama, ptrace_scope is reported absent rather than failed" {
	run modlatch_lines companions-ro
	assert_line 'modlatch: latch yama.ptrace_scope absent'
	assert_line 'modlatch: latch unprivileged_bpf_disabled=1 confirmed'
}

@test "[$RUN] a companion that cannot be confirmed stops the machine before any supervisor runs" {
	run modlatch_lines companions-ro
	assert_line 'modlatch: latch modules_disabled=1 probe=EPERM confirmed'
	assert_line 'modlatch: latch kexec_load_disabled=0 NOT CONFIRMED errno=EROFS'
	assert_line --regexp '^modlatch: summary .* latched=no '
	assert_line --partial 'a companion latch (ALSO_LATCH) could not be confirmed'
	run check_lines companions-ro
	assert_output ''
}
