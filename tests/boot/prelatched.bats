#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Loading latched before modlatch starts (here sysctl.kernel.modules_disabled=1 on the kernel
# command line; nomodule or a second start of modlatch on a running system do the same): modlatch
# says so once, tries nothing (step=latched rather than an EPERM per module), confirms the
# latch, and the module policy decides as for any entry that could not be loaded.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

setup_file() {
	BOOT_APPEND=sysctl.kernel.modules_disabled=1 fixture prelatched "$REPO/etc/demo.list"
}

@test "[$RUN] a latch set before modlatch is said once, and no entry is tried" {
	run modlatch_lines prelatched
	assert_line 'modlatch: module loading was latched before modlatch started: nothing can be loaded'
	for module in $(table_order prelatched); do
		assert_line --regexp "^modlatch: module=$module result=failed step=latched us=0$"
	done
	refute_line --partial 'errno=EPERM'
}

@test "[$RUN] the latch is confirmed and, built to continue, the supervisor runs" {
	run modlatch_lines prelatched
	assert_line --regexp '^modlatch: summary loaded=0 .* failed=5 optional_failed=0 latched=yes '
	run check_lines prelatched
	assert_line 'modules_disabled=1'
	assert_line 'done'
}
