#!/bin/bash
# SPDX-License-Identifier: MIT
# The late latch of the systemd benchmark (tests/bench-systemd.sh), installed in the guest as
# /usr/local/sbin/bench-latch, and its census of the moment:
#   bench-latch write   writes 1 to modules_disabled, as NixOS's disable-kernel-module-loading
#                       service does (the stock variant's unit), then the census
#   bench-latch census  the census alone, as systemd-sysctl.service's ExecStartPost= when
#                       sysctl.d wrote the latch (the sysctl variant)
# The census: CLOCK_MONOTONIC (/proc/uptime) right after the write, at once a kernel log line
# whose timestamp is that moment on the kernel log's clock (the clock of the "Run /init" line the
# window starts from), then every userspace process alive (a non-empty cmdline) but this one;
# all into /run/bench-latch. Only bash builtins run from the write to the count, so the census
# counts no child of its own.
set -euo pipefail

rc=0
if [ "${1:-}" = write ]; then
	# rc is the write's status (a shell's echo fails when the write does).
	if ! echo 1 >/proc/sys/kernel/modules_disabled; then rc=1; fi
fi
read -r uptime _ </proc/uptime
read -r value </proc/sys/kernel/modules_disabled
# The kernel log's clock at the same moment: the window is measured on it.
echo "bench: latch uptime=$uptime write_rc=$rc modules_disabled=$value" >/dev/kmsg
# The processes of that moment: the glob is expanded once, before the first is read; one that
# ended meanwhile has an empty cmdline and is left out.
alive=0
names=""
for dir in /proc/[0-9]*; do
	[ "${dir#/proc/}" = "$$" ] && continue
	arg=""
	# read stops at the first NUL.
	read -r -d '' arg 2>/dev/null <"$dir/cmdline" || true
	[ -n "$arg" ] || continue
	comm=""
	read -r comm 2>/dev/null <"$dir/comm" || true
	alive=$((alive + 1))
	names="$names ${dir#/proc/}:$comm"
done
printf '%s\n' "uptime=$uptime" "write_rc=$rc" "modules_disabled=$value" "processes=$alive" \
	"alive=${names# }" >/run/bench-latch
exit "$rc"
