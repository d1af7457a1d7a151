#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Case 5: a real module whose init fails in the VM. Under -cpu qemu64 (no SSE4.2) crc32c-intel
# fails with ENODEV. Optional, it never stops boot, even when the build says halt. Required, it
# fails loudly and boot goes on under `continue`, and the machine stops under `halt`. In every
# build the latch is confirmed first.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

setup_file() {
	printf '%s\n' xor '?crc32c-intel' >"$BATS_FILE_TMPDIR/optional.list"
	printf '%s\n' xor crc32c-intel >"$BATS_FILE_TMPDIR/required.list"
	export QEMU_CPU=qemu64
	fixture optional-halt "$BATS_FILE_TMPDIR/optional.list" ON_MODULE_FAILURE=halt &&
		fixture required-continue "$BATS_FILE_TMPDIR/required.list" ON_MODULE_FAILURE=continue &&
		fixture required-halt "$BATS_FILE_TMPDIR/required.list" ON_MODULE_FAILURE=halt
}

@test "[$RUN] optional: ENODEV is an allowed failure, and halt does not apply" {
	run modlatch_lines optional-halt
	assert_line --regexp '^modlatch: module=crc32c_intel result=optional-failed step=finit_module errno=ENODEV us=[0-9]+$'
	assert_line --regexp '^modlatch: summary loaded=1 .* failed=0 optional_failed=1 latched=yes '
	run check_lines optional-halt
	assert_line 'pid=1'
	assert_line 'loaded=xor'
	assert_line 'done'
}

@test "[$RUN] required under continue: named as failed, then the supervisor runs" {
	run modlatch_lines required-continue
	assert_line --regexp '^modlatch: module=crc32c_intel result=failed step=finit_module errno=ENODEV us=[0-9]+$'
	assert_line --regexp '^modlatch: summary loaded=1 .* failed=1 optional_failed=0 latched=yes '
	assert_line 'modlatch: 1 module(s) failed; handing off anyway, as built (continue)'
	run check_lines required-continue
	assert_line 'modules_disabled=1'
	assert_line 'done'
}

@test "[$RUN] required under halt: latched, reported, then the machine powers off and nothing runs" {
	run modlatch_lines required-halt
	assert_line 'modlatch: latch modules_disabled=1 probe=EPERM confirmed'
	assert_line --regexp '^modlatch: summary loaded=1 .* failed=1 optional_failed=0 latched=yes '
	assert_line 'modlatch: stopping: a module failed and the build says halt; powering off'
	refute_line --partial 'modlatch: exec'
	run check_lines required-halt
	assert_output ''
	grep -q 'reboot: Power down' "$FIXTURES/required-halt/serial.log"
}
