#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The main cases on another architecture: the shim cross-built for aarch64 (CROSS=aarch64, with
# Debian's musl for arm64) boots Debian's arm64 cloud kernel on QEMU's virt machine. The demo
# list loads and latches as on amd64 (xor brings in xor-neon here); and in a tampered image one
# changed byte in bridge is refused by its hash, br_netfilter, which needs it, is not tried, and
# the latch still holds. The tampered image's shim is built with SHA256=fast: its pins are checked
# with the ARMv8 crypto extensions of QEMU's "max" CPU, and must catch the byte all the same.

bats_load_library bats-support
bats_load_library bats-assert
GUEST_ARCH=arm64
load ../../lib/fixture

setup_file() {
	local release
	fixture demo "$REPO/etc/demo.list" || return 1
	fixture_build tamper "$REPO/etc/demo.list" ON_INTEGRITY_FAILURE=continue SHA256=fast ||
		return 1
	fixture_rootfs tamper && fixture_pinned tamper || return 1
	release=$(kernel_release)
	flip_byte "$(module_file "$FIXTURES/tamper/rootfs/lib/modules/$release" \
		kernel/net/bridge/bridge.ko)" 400
	fixture_pack tamper && fixture_boot tamper
}

@test "[$RUN] the shim is a static aarch64 program" {
	run readelf -h "$FIXTURES/demo/build/modlatch"
	assert_line --regexp 'Machine: +AArch64'
	run readelf -l "$FIXTURES/demo/build/modlatch"
	refute_output --partial 'INTERP'
}

@test "[$RUN] every module of the demo list loads, in table order, and the latch holds" {
	run table_order demo
	assert_output "$(printf '%s\n' xor_neon xor llc stp bridge br_netfilter)"
	[ "$(loaded_order demo)" = "$(table_order demo)" ]
	run modlatch_lines demo
	assert_line --regexp '^modlatch: latch modules_disabled=1 probe=EPERM confirmed$'
	assert_line --regexp '^modlatch: summary loaded=6 already=0 builtin=0 absent=0 failed=0 optional_failed=0 latched=yes release=match total_ms=[0-9]+ '
	run check_lines demo
	for module in xor_neon xor llc stp bridge br_netfilter; do
		assert_line "loaded=$module"
	done
}

@test "[$RUN] after the hand-off the latch is shut: insmod and rmmod refused, PID 1 the supervisor" {
	run check_lines demo
	assert_line 'pid=1'
	assert_line 'modules_disabled=1'
	assert_line "insmod=insmod: can't insert '/lib/modules/outsider.ko': Operation not permitted"
	assert_line 'rmmod=rmmod: can'"'"'t unload module MODULE: Operation not permitted'
	assert_line 'write0=sh: write error: Invalid argument'
}

@test "[$RUN] one changed byte in bridge: refused by its hash, br_netfilter not tried, the rest loads" {
	run modlatch_lines tamper
	assert_line 'modlatch: sha256=armv8-ce'
	assert_line --regexp '^modlatch: module=bridge result=failed step=sha256 us=[0-9]+$'
	assert_line 'modlatch: module=br_netfilter result=failed step=dependency needs=bridge'
	assert_line --regexp '^modlatch: summary loaded=4 already=0 builtin=0 absent=0 failed=2 optional_failed=0 latched=yes release=match '
	run check_lines tamper
	refute_line 'loaded=bridge'
	refute_line 'loaded=br_netfilter'
	for module in xor_neon xor llc stp; do
		assert_line "loaded=$module"
	done
	assert_line 'modules_disabled=1'
}
