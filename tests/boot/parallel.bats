#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Parallel loading on two virtual CPUs. The main cases (lists.bats, faults.bats) also run with
# QEMU_SMP=2 in make check; this file adds what only the parallel mode has: entries marked
# sequential ('!'), and LOAD=serial, which must load one module at a time even with CPUs to spare.

bats_load_library bats-support
bats_load_library bats-assert
QEMU_SMP=2
load ../lib/fixture

setup_file() {
	printf '%s\n' br_netfilter '!bonding max_bonds=0' xor '!?crc32c-intel' 8021q veth \
		>"$BATS_FILE_TMPDIR/sequential.list"
	fixture sequential "$BATS_FILE_TMPDIR/sequential.list" &&
		fixture serial "$REPO/etc/container-host.list" LOAD=serial
}

@test "[$RUN] sequential entries are marked in the table and load with the rest" {
	run "$FIXTURES/sequential/build/modlatch" --print
	assert_line --regexp '^[0-9]+ name=bonding flags=sequential '
	assert_line --regexp '^[0-9]+ name=crc32c_intel flags=optional,sequential '
	run modlatch_lines sequential
	assert_line --regexp '^modlatch: summary loaded=[0-9]+ .* failed=0 optional_failed=0 latched=yes .* threads=2 start_us=[0-9]+ latch_us=[0-9]+$'
	run check_lines sequential
	for module in bonding crc32c_intel br_netfilter bridge 8021q veth xor; do
		assert_line "loaded=$module"
	done
	# While bonding (or crc32c_intel) was in finit_module, no other module was.
	[ "$(finit_spans sequential | wc -l)" -ge 7 ]
	run finit_overlaps sequential bonding crc32c_intel
	assert_output ""
}

@test "[$RUN] LOAD=serial loads one module at a time even with two CPUs" {
	run "$FIXTURES/serial/build/modlatch" --print
	assert_line 'load serial'
	run modlatch_lines serial
	assert_line --regexp '^modlatch: summary loaded=[0-9]+ .* failed=0 .* latched=yes .* threads=1 start_us=[0-9]+ latch_us=[0-9]+$'
	[ "$(loaded_order serial)" = "$(table_order serial)" ]
	# One finit_module at a time, and they began in table order.
	run finit_overlaps serial
	assert_output ""
	[ "$(finit_spans serial | sort -k2,2n | cut -d' ' -f1)" = "$(loaded_order serial)" ]
}
