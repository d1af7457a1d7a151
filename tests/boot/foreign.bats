#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Nothing in the kernel but the table, and nobody beside modlatch. A guard script is PID 1
# first and loads two modules before it execs modlatch, as a helper the kernel ran before PID 1
# or a stage could: nlmon, which no table lists, and xor, a table entry, whose file modlatch
# then never checks (EEXIST). It also leaves a process running, as a stage's daemon would.
# Once the helpers are blank modlatch names that process (and kills it when built with
# KILL_OTHERS=yes); after the latch it names both modules; built with ON_FOREIGN_MODULE=halt the
# machine stops, unless the module is on the build's ALLOW_FOREIGN list.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

# early_guard ROOTFS: /sbin/guard, which loads nlmon and xor, starts a background job and execs
# modlatch, and case checks that say whether the job is still alive.
early_guard() {
	local root=$1 xor
	xor=$(module_file "$(kernel_modules_dir)" kernel/crypto/xor.ko) || return 1
	case "$xor" in *.xz) xz -dc "$xor" ;; *) cat "$xor" ;; esac >"$root/lib/modules/early-xor.ko"
	cat >"$root/sbin/guard" <<-'SCRIPT'
		#!/bin/sh
		insmod /lib/modules/outsider.ko
		insmod /lib/modules/early-xor.ko
		# A background job reads /dev/null; modlatch keeps the /dev it finds mounted.
		mount -t devtmpfs devtmpfs /dev
		sleep 1000 &
		echo $! >/early.pid
		exec /init
	SCRIPT
	chmod +x "$root/sbin/guard"
	cat >"$root/sbin/case-checks" <<-'SCRIPT'
		#!/bin/sh
		echo "CHECK early-pid=$(cat /early.pid)"
		echo "CHECK early-alive=$([ -d /proc/$(cat /early.pid) ] && echo yes || echo no)"
	SCRIPT
	chmod +x "$root/sbin/case-checks"
}

setup_file() {
	BOOT_APPEND=rdinit=/sbin/guard fixture foreign "$REPO/etc/demo.list" --edit early_guard &&
		BOOT_APPEND=rdinit=/sbin/guard fixture foreign-halt "$REPO/etc/demo.list" \
			ON_FOREIGN_MODULE=halt ALLOW_FOREIGN=nlmon KILL_OTHERS=yes --edit early_guard
}

@test "[$RUN] a module no table lists, loaded before modlatch, is named after the latch" {
	run modlatch_lines foreign
	assert_line 'modlatch: foreign module=nlmon: in the kernel, not loaded from the table'
	assert_line 'modlatch: foreign=2'
}

@test "[$RUN] a table entry already in the kernel is not trusted: its file was never checked" {
	run modlatch_lines foreign
	assert_line --regexp '^modlatch: module=xor result=already '
	assert_line 'modlatch: foreign module=xor: in the kernel, not loaded from the table'
}

@test "[$RUN] by default the machine goes on, the latch confirmed" {
	run modlatch_lines foreign
	assert_line --regexp '^modlatch: summary .* latched=yes '
	run check_lines foreign
	assert_line 'done'
}

@test "[$RUN] ON_FOREIGN_MODULE=halt stops the machine; ALLOW_FOREIGN names what an earlier stage may load" {
	run modlatch_lines foreign-halt
	refute_line --partial 'foreign module=nlmon'
	assert_line 'modlatch: foreign module=xor: in the kernel, not loaded from the table'
	assert_line 'modlatch: foreign=1'
	assert_line --partial 'a module not loaded from the table is in the kernel (ON_FOREIGN_MODULE=halt)'
	run check_lines foreign-halt
	assert_output ''
}

# The guard's background sleep is named guard until its fork has exec'd sleep.
@test "[$RUN] a process left running before modlatch is named" {
	local pid
	pid=$(check_lines foreign | sed -n 's/^early-pid=//p')
	run modlatch_lines foreign
	assert_line --regexp "^modlatch: process pid=$pid comm=(guard|sleep) was running before modlatch\$"
	run check_lines foreign
	assert_line 'early-alive=yes'
}

@test "[$RUN] built with KILL_OTHERS=yes, it is killed" {
	run modlatch_lines foreign-halt
	assert_line --regexp '^modlatch: process pid=[0-9]+ comm=(guard|sleep) was running before modlatch; killed$'
	refute_line --partial 'cannot kill'
}

# The guard mounted /dev, so modlatch says it kept it: that line comes before the processes are
# named, as they are named once the helpers are blanked and the log is open.
@test "[$RUN] the others are named once the helpers are blank and the log open, after /dev" {
	run modlatch_lines foreign
	assert_line --index 0 'modlatch: /dev is already mounted; kept'
	assert_line --index 1 --regexp '^modlatch: process pid=[0-9]+ comm=(guard|sleep) was running before modlatch$'
}
