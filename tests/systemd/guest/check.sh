#!/bin/sh
# SPDX-License-Identifier: MIT
# The boot check of tests/systemd/, run by systemd itself as modlatch-check.service (Type=exec:
# a oneshot's start job would wait for is-system-running, which waits for that job). It waits
# for the boot to end, reports what the tests assert on as "CHECK key=value" lines on the serial
# console (one line per value; a command's output one line per line of it), runs the steps of
# the parts installed in /usr/local/lib/modlatch-check/ (each a file of step functions and a
# STEPS line), and powers off. Every wait is bounded.
#   modlatch-check            the check
#   modlatch-check emergency  what emergency.service runs instead of a shell: says why, powers off
#   modlatch-check step F ... one step, in a child (set -eu; see step)

WAIT=600
STEP_TIMEOUT=300
LOGS=/run/modlatch-check
PARTS=/usr/local/lib/modlatch-check

say() { printf 'CHECK %s\n' "$*" >/dev/ttyS0; }

# each KEY COMMAND...: one CHECK line KEY=LINE for each line COMMAND prints.
each() {
	key=$1
	shift
	"$@" 2>&1 | while IFS= read -r line; do say "$key=$line"; done
}

fail() {
	echo "$*" >&2
	exit 1
}

# expect WANT COMMAND...: runs COMMAND; fails with its error, or if its output lacks WANT.
expect() {
	want=$1
	shift
	got=$("$@") || fail "$1 failed: $(echo "$got" | tr '\n' ' ')"
	case "$got" in
	*"$want"*) ;;
	*) fail "$1: expected '$want' in the output, got '$(echo "$got" | tr '\n' ' ')'" ;;
	esac
}

# step NAME FUNCTION [ARG...]: runs one step in a child under timeout(1) with set -eu, so that a
# failed command ends it with the command's own error as the last line of its log; prints
# "CHECK step=NAME ok" or "CHECK step=NAME failed: <last words>", and the log on the console.
step() {
	name=$1
	shift
	mkdir -p "$LOGS"
	timeout "$STEP_TIMEOUT" "$0" step "$@" >"$LOGS/$name" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		say "step=$name ok"
	else
		why=$(grep '[[:alnum:]]' "$LOGS/$name" | tail -n 1 | tr -d '\r')
		[ "$rc" -eq 124 ] && why="timed out after ${STEP_TIMEOUT}s; last words: $why"
		say "step=$name failed: ${why:-exit status $rc}"
	fi
	sed "s/^/  $name| /" "$LOGS/$name" >/dev/ttyS0
}

# The units systemd skips when PID 1 lacks CAP_SYS_MODULE, and what became of each.
module_units() {
	units="systemd-modules-load.service kmod-static-nodes.service
		$(systemctl list-units --all --plain --no-legend 'modprobe@*' | awk '{ print $1 }')"
	for unit in $units; do
		echo "$unit $(systemctl show -p ActiveState -p Result -p ConditionResult "$unit" |
			LC_ALL=C sort | paste -s -d ' ' -)"
	done
}

# What the journal holds about modules, at any level, but modlatch's own report.
module_log() {
	journalctl -b -o short-monotonic --no-pager |
		grep -i -E 'module|modprobe|kmod|autofs' | grep -v ' modlatch: '
}

# The last journal lines of each failed unit, "UNIT: LINE": why it failed, for the test's message.
failed_logs() {
	for unit in $(systemctl --failed --plain --no-legend | awk '{ print $1 }'); do
		journalctl -b -u "$unit" -o cat --no-pager | tail -n 5 | sed "s/^/$unit: /"
	done
}

# The filesystems a read-only root needs besides itself, and what they are.
writable() {
	awk '$2 == "/var" || $2 == "/tmp" || $2 == "/etc/machine-id" { print $2, $3, $4 }' /proc/mounts |
		cut -d, -f1
	echo "machine-id $(cat /etc/machine-id)"
	echo "journal $(find /run/log/journal /var/log/journal -mindepth 1 -maxdepth 1 -type d 2>/dev/null |
		tr '\n' ' ')"
}

report() {
	say "pid1_comm=$(cat /proc/1/comm)"
	say "pid1_exe=$(readlink /proc/1/exe)"
	say "modules_disabled=$(cat /proc/sys/kernel/modules_disabled)"
	say "cap_bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/1/status)"
	say "root=$(awk '$2 == "/" { r = $1 " " $3 " " $4 } END { print r }' /proc/mounts | cut -d, -f1)"
	each failed systemctl --failed --plain --no-legend
	each failed_log failed_logs
	each writable writable
	each err journalctl -q -b -p err -o short-monotonic --no-pager
	each kerr journalctl -q -b -k -p err -o short-monotonic --no-pager
	each klog sh -c "journalctl -b -k -o short-monotonic --no-pager | grep ' modlatch: '"
	each modlog module_log
	each unit module_units
}

main() {
	state=$(timeout "$WAIT" systemctl is-system-running --wait 2>&1)
	say "state=$state"
	say "uptime_running=$(cut -d' ' -f1 /proc/uptime)"
	report
	for part in "$PARTS"/*.sh; do
		[ -e "$part" ] || continue
		STEPS=""
		# shellcheck source=/dev/null # the parts the fixture installed
		. "$part"
		for s in $STEPS; do
			step "$s" "$(echo "$s" | tr - _)"
		done
	done
	say "uptime_end=$(cut -d' ' -f1 /proc/uptime)"
	say "done"
	systemctl --no-block poweroff
}

case "${1:-}" in
step)
	shift
	for part in "$PARTS"/*.sh; do
		# shellcheck source=/dev/null
		[ -e "$part" ] && . "$part"
	done
	set -eu
	"$@"
	;;
emergency)
	say "emergency: $(systemctl list-jobs --no-legend | wc -l) jobs left"
	report
	say "done"
	systemctl --force poweroff
	;;
*) main ;;
esac
