#!/usr/bin/env bats
# One real boot: Debian's cloud kernel under QEMU (TCG), modlatch as /init with the demo list,
# and a supervisor script that looks at the result from PID 1 and powers off.

bats_load_library bats-support
bats_load_library bats-assert
load lib/fixture

setup_file() {
	fixture demo "$REPO/etc/demo.list" "$REPO/tests/boot/check-demo.sh" \
		SUPERVISOR="/sbin/no-such-supervisor:/sbin/supervisor" -- kernel/drivers/net/dummy.ko
}

@test "every module of the table is in /proc/modules after boot" {
	run check_lines demo
	for module in xor llc stp bridge br_netfilter; do
		assert_line "loaded=$module"
	done
}

@test "modules load in table order, each dependency before its first user" {
	order=$(modlatch_lines demo | sed -n 's/^modlatch: module=\([^ ]*\) result=loaded.*/\1/p' | tr '\n' ' ')
	[ "$order" = "xor llc stp bridge br_netfilter " ]
}

@test "the summary line says every module loaded and the latch confirmed" {
	run modlatch_lines demo
	assert_line --regexp '^modlatch: summary loaded=5 already=0 builtin=0 absent=0 failed=0 optional_failed=0 latched=yes release=match total_ms=[0-9]+$'
	assert_line 'modlatch: latch modules_disabled=1 probe=EPERM confirmed'
}

@test "modules_disabled reads 1 and the modprobe helper is blank for the supervisor" {
	run check_lines demo
	assert_line 'modules_disabled=1'
	assert_line 'modprobe=[]'
}

@test "insmod and rmmod fail with EPERM after the latch" {
	run check_lines demo
	assert_line --regexp "^insmod=insmod: can't insert '.*/dummy.ko': Operation not permitted$"
	assert_line "rmmod=rmmod: can't unload module 'xor': Operation not permitted"
	refute_line 'loaded=dummy'
}

@test "writing 0 to modules_disabled fails with EINVAL; writing 1 again succeeds" {
	run check_lines demo
	assert_line 'write0=sh: write error: Invalid argument'
	assert_line 'write1=rc=0'
}

@test "a missing first supervisor is logged and the fallback runs as PID 1" {
	run modlatch_lines demo
	assert_line 'modlatch: cannot exec /sbin/no-such-supervisor: ENOENT'
	assert_line 'modlatch: exec /sbin/supervisor'
	run check_lines demo
	assert_line 'pid=1'
	assert_line 'done'
}

@test "the kernel filesystems are mounted for the supervisor" {
	run check_lines demo
	assert_line 'mount=4'
}

@test "as PID 1 of a child PID namespace, modlatch refuses and exits non-zero" {
	run check_lines demo
	assert_line 'child-ns-rc=1'
	assert_line --regexp '^child-ns=modlatch: refusing to boot: PID 1 of a child PID namespace, not of the machine \(pid:\[[0-9]+\]\); nothing was mounted, loaded or latched$'
}
