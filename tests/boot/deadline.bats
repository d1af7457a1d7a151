#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Every wait before the latch is bounded, a module's init function included. tcrypt with
# mode=200 sec=1 spends a second on each of its many AES speed tests inside its init, far
# longer than the build's LOAD_DEADLINE of 5 s: modlatch must close loading itself, name the
# module still loading, and stop the machine before any supervisor runs.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

setup_file() {
	printf '%s\n' xor 'tcrypt mode=200 sec=1' >"$BATS_FILE_TMPDIR/slow.list"
	BOOT_TIMEOUT=150 fixture deadline "$BATS_FILE_TMPDIR/slow.list" LOAD_DEADLINE=5
}

@test "[$RUN] the build carries the deadline" {
	run fixture_print deadline
	assert_line 'load_deadline 5'
}

@test "[$RUN] past the deadline the module still loading is named and the machine stops" {
	run modlatch_lines deadline
	assert_line 'modlatch: module=tcrypt still loading after 5 s'
	assert_line 'modlatch: stopping: the latch was not reached within LOAD_DEADLINE; powering off'
	refute_line --partial 'exec /sbin/supervisor'
	run check_lines deadline
	assert_output ''
}
