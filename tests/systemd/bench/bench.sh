# SPDX-License-Identifier: MIT
# shellcheck shell=sh disable=SC2034 # STEPS is read by check.sh, which sources this part
# A part of the boot check (check.sh) for the systemd benchmark (tests/bench-systemd.sh), after
# appliance.sh: the boot's times as the guest's clocks saw them, and the rules people write
# through iptables-legacy and iptables-nft, after whichever latch the variant has.
STEPS="bench-times iptables-legacy iptables-nft"

# kmsg_time PATTERN: the timestamp (s, the kernel log's clock) of the first kernel log line
# matching the basic regular expression PATTERN: from the ring buffer, else from the journal.
kmsg_time() {
	t=$(dmesg | sed -n "s#^\[ *\([0-9.]*\)\] $1.*#\1#p" | head -n 1)
	[ -n "$t" ] || t=$(journalctl -b -k -o short-monotonic --no-pager |
		sed -n "s#^\[ *\([0-9.]*\)\] [^ ]* kernel: $1.*#\1#p" | head -n 1)
	echo "$t"
}

# The boot's times: systemd's end of start-up (CLOCK_MONOTONIC, us), the kernel log's "Run /init"
# (the first userspace process) and latch lines, what the latch's census recorded; and the
# modules in the kernel at the end.
bench_times() {
	say "bench_finish_us=$(systemctl show -p FinishTimestampMonotonic --value)"
	say "bench_sysctl_exit_us=$(systemctl show -p ExecMainExitTimestampMonotonic --value systemd-sysctl.service)"
	say "bench_unit_exit_us=$(systemctl show -p ExecMainExitTimestampMonotonic --value disable-kernel-module-loading.service)"
	run_init=$(kmsg_time 'Run /init as init process')
	say "bench_kmsg_run_init=$run_init"
	say "bench_kmsg_latch=$(kmsg_time '\(bench: latch\|modlatch: latch modules_disabled=1\)')"
	if [ -e /run/bench-latch ]; then each bench_latch cat /run/bench-latch; fi
	# Every module in the kernel now, to set against the list's.
	say "bench_modules=$(cut -d' ' -f1 /proc/modules | sort | paste -sd, -)"
	# What the end of start-up waited for, to explain the times.
	each bench_chain systemd-analyze critical-chain --no-pager
	[ -n "$run_init" ] || fail "dmesg, journalctl -k: no 'Run /init as init process' line"
}

# iptables_rule TOOL PORT: a rule with a TCP port and conntrack's state, appended to TOOL's
# filter INPUT chain, listed back by TOOL, and counting a connection attempt over loopback (no
# server: the SYN is counted, the RST ends it); then deleted.
iptables_rule() {
	tool=$1
	port=$2
	set -- INPUT -p tcp --dport "$port" -m conntrack --ctstate NEW -m comment --comment bench -j ACCEPT
	"$tool" -A "$@"
	"$tool" -S INPUT | grep -- "--dport $port .*--ctstate NEW" ||
		fail "$tool -S INPUT: no rule for port $port with --ctstate NEW: $("$tool" -S INPUT | tr '\n' ' ')"
	curl -sS --max-time 5 "http://127.0.0.1:$port/" || true
	packets=$("$tool" -v -x -n -L INPUT | awk -v port="dpt:$port" '$0 ~ port { print $1 }')
	echo "$tool -v -x -n -L INPUT: ${packets:-no} packets to port $port"
	[ "${packets:-0}" -ge 1 ] || fail "$tool: the rule for port $port counted no packet"
	"$tool" -D "$@"
}

iptables_legacy() { iptables_rule iptables-legacy 9191; }
iptables_nft() { iptables_rule iptables-nft 9192; }
