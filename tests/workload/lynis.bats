#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Lynis after the latch: Debian's lynis, run by the supervisor of an appliance built with
# ALSO_LATCH=all (tests/workload/guest/lynis.sh), finds kernel.modules_disabled at 1 in its
# sysctl check KRNL-6000, and the companion latches it checks as set: kexec_load_disabled,
# unprivileged_bpf_disabled and yama.ptrace_scope. Every assertion reads lynis's own words: its
# terminal lines, its log and its report file. One boot, on one kernel: even narrowed to this one
# check (see the guest script), lynis takes over a minute under TCG.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

NAME=workload-lynis

setup_file() {
	QEMU_MEM=1024 BOOT_TIMEOUT=900 fixture_workload "$NAME" "$REPO/etc/demo.list" \
		"$REPO/tests/workload/guest/lynis.sh" ALSO_LATCH=all || return 1
	echo "# $RUN $NAME: $(check_lines "$NAME" | sed -n 's/^lynis //p')" >&3
}

# assert_sysctl_ok KEY EXPECTED: lynis printed KEY as OK against EXPECTED (its profile's
# values, space-separated), logged the current value equal, and its report, which lists every
# key that differs (details[]=KRNL-6000|sysctl|...field:KEY;...), does not list it.
assert_sysctl_ok() {
	run check_lines "$NAME"
	assert_line "screen - $1 (exp: $2) [ OK ]"
	assert_line "log Result: sysctl key $1 contains equal expected and current value ($2)"
	refute_line --partial "field:$1;"
}

@test "[$RUN] lynis: the latch and every companion latch are confirmed before lynis runs" {
	run modlatch_lines "$NAME"
	assert_line 'modlatch: latch modules_disabled=1 probe=EPERM confirmed'
	assert_line 'modlatch: latch kexec_load_disabled=1 confirmed'
	assert_line 'modlatch: latch unprivileged_bpf_disabled=1 confirmed'
	assert_line 'modlatch: latch yama.ptrace_scope=3 confirmed'
	assert_line --regexp '^modlatch: summary .* failed=0 optional_failed=0 latched=yes '
}

@test "[$RUN] lynis: lynis ends normally having performed KRNL-6000, and only that" {
	run check_lines "$NAME"
	assert_line --regexp '^lynis rc=0 seconds=[0-9]+$'
	assert_line 'report tests_executed=KRNL-6000|'
	assert_line 'done'
}

@test "[$RUN] lynis: KRNL-6000 finds kernel.modules_disabled at 1" {
	assert_sysctl_ok kernel.modules_disabled 1
}

@test "[$RUN] lynis: KRNL-6000 finds kernel.kexec_load_disabled at 1 (a custom profile line; Debian's profile has none)" {
	assert_sysctl_ok kernel.kexec_load_disabled 1
}

@test "[$RUN] lynis: KRNL-6000 finds kernel.unprivileged_bpf_disabled at 1" {
	assert_sysctl_ok kernel.unprivileged_bpf_disabled 1
}

@test "[$RUN] lynis: KRNL-6000 finds kernel.yama.ptrace_scope among its accepted values (1, 2 or 3)" {
	assert_sysctl_ok kernel.yama.ptrace_scope '1 2 3'
}

@test "[$RUN] lynis: KRNL-6000 still tells a differing key apart (kernel.kptr_restrict, 0 on Debian)" {
	run check_lines "$NAME"
	assert_line 'screen - kernel.kptr_restrict (exp: 2) [ DIFFERENT ]'
	assert_line --partial 'report details[]=KRNL-6000|sysctl|desc:Restrict access to kernel symbols;field:kernel.kptr_restrict;prefval:2;value:0;|'
}
