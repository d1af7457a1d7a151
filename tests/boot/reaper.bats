#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The reaper hand-off (HANDOFF=reaper): modlatch stays PID 1 and runs one program as its child.
# Boot "app": the child leaves orphans that must be reaped, sends every forwarded signal to
# PID 1 and traps it, writes a file to an ext4 disk without syncing, leaves a process that
# ignores SIGTERM, and exits 7. Boot "killed": the child sends SIGTERM to PID 1, which passes it
# on and the child dies of it; that build reboots instead of powering off.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

# app_child ROOTFS NAME: the child of boot "app" as /sbin/app, and the empty ext4 disk it
# writes to.
app_child() {
	cat >"$1/sbin/app" <<-'SCRIPT'
		#!/bin/sh
		echo "CHECK app-pid-is-1=$([ $$ -eq 1 ] && echo yes || echo no)"
		echo "CHECK pid1=$(cat /proc/1/comm)"
		echo "CHECK modules_disabled=$(cat /proc/sys/kernel/modules_disabled)"
		echo "CHECK ctrl-alt-del=$(cat /proc/sys/kernel/ctrl-alt-del)"
		for i in 1 2 3 4 5; do (sleep 0.2 &); done
		sleep 1
		echo "CHECK zombies=$(grep -l '^State:.*zombie' /proc/[0-9]*/status 2>/dev/null | wc -l)"
		for sig in INT HUP QUIT USR1 USR2 WINCH; do
			trap "echo CHECK got=$sig" "$sig"
			kill -s "$sig" 1
			sleep 0.3
		done
		mkdir -p /mnt/disk
		mount -t ext4 /dev/vda /mnt/disk && echo "written by the child" >/mnt/disk/proof
		# Ignores SIGTERM, and the SIGHUP it gets when the child, its session leader, exits.
		(trap '' TERM HUP; exec sleep 1000) &
		sleep 0.5
		exit 7
	SCRIPT
	chmod +x "$1/sbin/app"
	mke2fs -q -t ext4 -F "$FIXTURES/$2/disk.img" 16M
}

# killed_child ROOTFS: the child of boot "killed" as /sbin/app.
killed_child() {
	cat >"$1/sbin/app" <<-'SCRIPT'
		#!/bin/sh
		echo "CHECK started"
		kill -TERM 1
		sleep 5
		echo "CHECK still-running"
	SCRIPT
	chmod +x "$1/sbin/app"
}

setup_file() {
	local list=$BATS_FILE_TMPDIR/reaper.list
	printf '%s\n' xor virtio_pci virtio_blk >"$list"
	fixture app "$list" HANDOFF=reaper SUPERVISOR=/sbin/app STOP_TIMEOUT=1 --edit app_child \
		-- -drive "file=$FIXTURES/app/disk.img,format=raw,if=virtio" &&
		fixture killed "$list" HANDOFF=reaper SUPERVISOR=/sbin/app ON_EXIT=reboot --edit killed_child
}

@test "[$RUN] modlatch stays PID 1 and runs the program as its child" {
	run modlatch_lines app
	assert_line 'modlatch: running /sbin/app as the child of PID 1 (reaper)'
	assert_line --regexp '^modlatch: summary loaded=[0-9]+ .* failed=0 .* latched=yes '
	run check_lines app
	assert_line 'app-pid-is-1=no'
	assert_line 'pid1=init'
	assert_line 'modules_disabled=1'
}

@test "[$RUN] Ctrl-Alt-Del no longer restarts at once: the kernel signals PID 1 instead" {
	run check_lines app
	assert_line 'ctrl-alt-del=0'
}

@test "[$RUN] orphaned grandchildren are reaped: no zombies" {
	run check_lines app
	assert_line 'zombies=0'
}

@test "[$RUN] INT, HUP, QUIT, USR1, USR2 and WINCH sent to PID 1 reach the child" {
	run check_lines app
	for sig in INT HUP QUIT USR1 USR2 WINCH; do
		assert_line "got=$sig"
	done
}

@test "[$RUN] the child's exit status is reported" {
	run modlatch_lines app
	assert_line 'modlatch: child /sbin/app exited status=7'
}

@test "[$RUN] what is left gets SIGTERM, then SIGKILL after STOP_TIMEOUT" {
	run modlatch_lines app
	assert_line 'modlatch: processes left after 1s; sending SIGKILL'
	refute_line 'modlatch: processes left after SIGKILL'
}

@test "[$RUN] it powers off at the end, and nothing written is lost" {
	run modlatch_lines app
	assert_line 'modlatch: powering off'
	grep -q 'reboot: Power down' "$FIXTURES/app/serial.log"
	run debugfs -R 'cat /proof' "$FIXTURES/app/disk.img"
	assert_output --partial 'written by the child'
}

@test "[$RUN] SIGTERM to PID 1 is forwarded; death by signal is reported; ON_EXIT=reboot reboots" {
	run check_lines killed
	assert_line 'started'
	refute_line 'still-running'
	run modlatch_lines killed
	assert_line 'modlatch: child /sbin/app killed signal=SIGTERM'
	assert_line 'modlatch: rebooting'
	grep -q 'reboot: Restarting system' "$FIXTURES/killed/serial.log"
}
