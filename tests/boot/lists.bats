#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Case 1: the shipped lists boot on a real kernel. Every table module is loaded in table order
# (dependencies first), the latch is confirmed, and afterwards insmod and rmmod fail with EPERM,
# writing 0 fails with EINVAL and writing 1 again succeeds. The first supervisor is missing, so
# each boot also shows the fallback (case 6, first half).

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

LISTS="demo container-host router"

setup_file() {
	for list in $LISTS; do
		fixture "$list" "$REPO/etc/$list.list" \
			SUPERVISOR="/sbin/no-such-supervisor:/sbin/supervisor" || return 1
	done
}

# Table entries that must be in /proc/modules: all but the built-in ones.
loadable() { "$FIXTURES/$1/build/modlatch" --print | grep -v 'flags=[^ ]*builtin' | sed -n 's/^[0-9]* name=\([^ ]*\).*/\1/p'; }

@test "[$RUN] every module of each list is in /proc/modules" {
	for list in $LISTS; do
		run check_lines "$list"
		for module in $(loadable "$list"); do
			assert_line "loaded=$module"
		done
	done
}

@test "[$RUN] modules load in table order, each after what it needs" {
	for list in $LISTS; do
		[ "$(loaded_order "$list")" = "$(loadable "$list")" ]
		# The kernel had each module's dependencies before modlatch handed it the module.
		[ "$(finit_spans "$list" | wc -l)" -eq "$(loadable "$list" | wc -l)" ]
		run finit_out_of_order "$list"
		assert_output ""
	done
	# With two CPUs the default build loads side by side: some finit_module calls overlapped.
	# With one, it loads one at a time in table order, as LOAD=serial does.
	if [ "${QEMU_SMP:-1}" -gt 1 ]; then
		[ -n "$(finit_overlaps container-host)" ]
	else
		[ -z "$(finit_overlaps container-host)" ]
		[ "$(finit_spans container-host | sort -k2,2n | cut -d' ' -f1)" = "$(loaded_order container-host)" ]
	fi
	# The table itself puts every dependency first; bridge's chain is the witness.
	run table_order demo
	assert_output "$(printf '%s\n' xor llc stp bridge br_netfilter)"
}

@test "[$RUN] each summary counts every module loaded, none failed, and the latch confirmed" {
	for list in $LISTS; do
		count=$(loadable "$list" | wc -l)
		run modlatch_lines "$list"
		assert_line --regexp "^modlatch: summary loaded=$count already=0 builtin=[0-9]+ absent=0 failed=0 optional_failed=0 latched=yes release=match total_ms=[0-9]+ finit_ms=[0-9]+ threads=${QEMU_SMP:-1} start_us=[0-9]+ latch_us=[0-9]+$"
		assert_line 'modlatch: latch modules_disabled=1 probe=EPERM confirmed'
	done
}

@test "[$RUN] dmesg has every line of the report, however long (the kernel rate-limits /dev/kmsg)" {
	for list in $LISTS; do
		[ "$(check_lines "$list" | sed -n 's/^kmsg-lines=//p')" = "$(modlatch_lines "$list" | wc -l)" ]
	done
	[ "$(modlatch_lines container-host | wc -l)" -gt 40 ]
}

@test "[$RUN] after the latch, insmod and rmmod fail with EPERM" {
	for list in $LISTS; do
		run check_lines "$list"
		assert_line "insmod=insmod: can't insert '/lib/modules/outsider.ko': Operation not permitted"
		assert_line "rmmod=rmmod: can't unload module MODULE: Operation not permitted"
		refute_line 'loaded=nlmon'
	done
}

@test "[$RUN] writing 0 to modules_disabled fails with EINVAL, writing 1 succeeds" {
	for list in $LISTS; do
		run check_lines "$list"
		assert_line 'modules_disabled=1'
		assert_line 'write0=sh: write error: Invalid argument'
		assert_line 'write1=rc=0'
	done
}

@test "[$RUN] the module helper stays blank for the supervisor" {
	run check_lines demo
	assert_line 'modprobe=[]'
}

@test "[$RUN] a missing first supervisor is logged and the fallback runs as PID 1" {
	run modlatch_lines demo
	assert_line 'modlatch: cannot exec /sbin/no-such-supervisor: ENOENT'
	assert_line 'modlatch: exec /sbin/supervisor'
	run check_lines demo
	assert_line 'pid=1'
	assert_line 'done'
}

@test "[$RUN] /dev, /proc, /sys and /run are mounted for the supervisor" {
	run check_lines demo
	assert_line 'mounted=devtmpfs /dev 1'
	assert_line 'mounted=proc /proc 1'
	assert_line 'mounted=sysfs /sys 1'
	assert_line 'mounted=tmpfs /run 1'
}
