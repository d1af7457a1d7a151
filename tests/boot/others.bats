#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Nobody beside modlatch, however the others behave (KILL_OTHERS=yes). A guard script is PID 1
# first, as an earlier stage would be: it starts 40 sleepers and a hopper (guest/hopper.c), a
# process that forks and exits for ever so that it is never at the PID a scan found it at, and
# that names itself "hop\n<2>FORGED" so that a raw log line of its name would forge a kernel-log
# record of level 2. Then it execs modlatch, which blanks the helpers, opens its log, names every
# process, and kills until a scan finds none.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

# crowd_guard ROOTFS NAME: /sbin/guard, which starts the sleepers and the hopper, then execs
# modlatch; case checks that count what is still alive of them after the hand-off.
crowd_guard() {
	fixture_guest_tool "$2" hopper "$GUEST/hopper.c" || return 1
	cat >"$1/sbin/guard" <<-'SCRIPT'
		#!/bin/sh
		# Background jobs read /dev/null; modlatch keeps the /dev it finds mounted.
		mount -t devtmpfs devtmpfs /dev
		for i in $(seq 40); do sleep 1000 & done
		/sbin/hopper
		exec /init
	SCRIPT
	chmod +x "$1/sbin/guard"
	cat >"$1/sbin/case-checks" <<-'SCRIPT'
		#!/bin/sh
		echo "CHECK sleepers=$(grep -lx sleep /proc/[0-9]*/comm 2>/dev/null | wc -l)"
		echo "CHECK hoppers=$(grep -l '^hop' /proc/[0-9]*/comm 2>/dev/null | wc -l)"
		# A hopper moves too fast to be seen in /proc, but not without spending PIDs: the last
		# PID the kernel gave out (/proc/loadavg), a second apart.
		first=$(cut -d' ' -f5 /proc/loadavg)
		sleep 1
		echo "CHECK pids-spent=$(($(cut -d' ' -f5 /proc/loadavg) - first))"
		echo "CHECK forged-records=$(dmesg -r | grep -c '^<[0-9]*>FORGED')"
	SCRIPT
	chmod +x "$1/sbin/case-checks"
}

setup_file() {
	BOOT_APPEND=rdinit=/sbin/guard fixture others "$REPO/etc/demo.list" KILL_OTHERS=yes \
		--edit crowd_guard
}

@test "[$RUN] KILL_OTHERS=yes: a process that keeps forking is killed with the rest; none is alive after the hand-off (G2)" {
	run modlatch_lines others
	assert_line --regexp '^modlatch: summary .* latched=yes '
	run check_lines others
	assert_line 'sleepers=0'
	assert_line 'hoppers=0'
	# What the check itself started in that second (sleep, cut): a few PIDs, not thousands.
	local spent
	spent=$(check_lines others | sed -n 's/^pids-spent=//p')
	[ "$spent" -ge 0 ] && [ "$spent" -lt 20 ]
}

@test "[$RUN] every process is named, none lost: the log is open before the census (G8)" {
	# A sleeper is named guard until its fork has exec'd sleep.
	assert_equal "$(modlatch_lines others | grep -cE '^modlatch: process pid=[0-9]+ comm=(guard|sleep) was running before modlatch; killed$')" 40
	run modlatch_lines others
	refute_line --partial 'are lost'
	refute_line --partial 'survived'
}

@test "[$RUN] a process's name is escaped: a newline in it forges no kernel-log record (G8)" {
	run modlatch_lines others
	assert_line --regexp '^modlatch: process pid=[0-9]+ comm=hop\\x0a<2>FORGED was running before modlatch; killed$'
	run check_lines others
	assert_line 'forged-records=0'
}
