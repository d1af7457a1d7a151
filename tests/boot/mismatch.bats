#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Case 7: a table built for another kernel release. Nothing is loaded, the mismatch is
# reported, and the latch is confirmed all the same.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

setup_file() {
	TABLE_KERNEL=$(other_kernel) fixture mismatch "$REPO/etc/demo.list"
}

@test "[$RUN] the mismatch is reported with both releases" {
	run modlatch_lines mismatch
	assert_line "modlatch: kernel release $(kernel_release) is not the table's $(kernel_release "$(other_kernel)"): no module will be loaded"
}

@test "[$RUN] no entry is tried: each one names the release as the reason" {
	run modlatch_lines mismatch
	for module in xor llc stp bridge br_netfilter; do
		assert_line "modlatch: module=$module result=failed step=release us=0"
	done
	run check_lines mismatch
	refute_line --partial 'loaded='
}

@test "[$RUN] the latch is confirmed anyway, and the summary says mismatch" {
	run modlatch_lines mismatch
	assert_line --regexp '^modlatch: summary loaded=0 already=0 builtin=0 absent=0 failed=5 optional_failed=0 latched=yes release=mismatch total_ms=[0-9]+ finit_ms=[0-9]+ threads=[0-9]+ start_us=[0-9]+ latch_us=[0-9]+$'
	run check_lines mismatch
	assert_line 'modules_disabled=1'
	assert_line "insmod=insmod: can't insert '/lib/modules/outsider.ko': Operation not permitted"
}
