#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: boots Debian's 6.1 cloud kernel in QEMU (TCG, 2 vCPUs, 512 MiB for every method)
# with the same module files in the same order, loaded four ways, and measures inside the guest:
# the time from PID 1 starting to the latch being confirmed, to the exec of the supervisor, and
# (for modlatch) the time spent inside finit_module.
#
#   modlatch-serial    modlatch built with LOAD=serial
#   modlatch-parallel  modlatch built with LOAD=parallel (waves on both vCPUs)
#   busybox-insmod     a BusyBox sh init: insmod each file in table order, echo 1 > modules_disabled
#   kmod-modprobe      the same init with Debian's kmod: modprobe -a NAMES, then the same echo
#
# BENCH_BOOTS boots per method and list (default 7), methods alternating. Results go to
# build/bench/results.csv and a table on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/kernel.sh fetch bookworm
export KERNEL=bookworm QEMU_SMP=2
# shellcheck source=tests/lib/fixture.bash
source tests/lib/fixture.bash
FIXTURES=$REPO/build/bench
BOOTS=${BENCH_BOOTS:-7}
LISTS="container-host large"
METHODS="modlatch-serial modlatch-parallel busybox-insmod kmod-modprobe"
mkdir -p "$FIXTURES"

# The shell methods' init: PID 1 is BusyBox sh running this, with the table's files and order.
shell_init() {
	local loader=$1
	cat <<-SCRIPT
		#!/bin/sh
		t0=\$(/sbin/stamp)
		mkdir -p /proc /dev
		mount -t proc proc /proc
		mount -t devtmpfs devtmpfs /dev
		$loader
		echo 1 >/proc/sys/kernel/modules_disabled
		t1=\$(/sbin/stamp)
		echo "BENCH start_us=\$t0 latch_us=\$t1 latched=\$(cat /proc/sys/kernel/modules_disabled)"
		exec /sbin/supervisor
	SCRIPT
}

build_image() {
	local method=$1 list=$2 name=$1-$2 root release paths names
	case $method in
	modlatch-serial) fixture_build "$name" "etc/$list.list" LOAD=serial ;;
	*) fixture_build "$name" "etc/$list.list" LOAD=parallel ;;
	esac
	# The same image for every method: the rootfs with modlatch and the table's files, packed as
	# it is (the kmod method adds files below the table's modules directory).
	fixture_rootfs "$name" "$GUEST/bench-report.sh" && fixture_pinned "$name" || return 1
	fixture_guest_tool "$name" stamp "$GUEST/stamp.c"
	root=$FIXTURES/$name/rootfs
	release=$(kernel_release)
	paths=$("$root/init" --print | sed -n 's/.* path=\([^ ]*\).*/\1/p')
	names=$("$root/init" --print | grep -v 'flags=[^ ]*builtin' | sed -n 's/^[0-9]* name=\([^ ]*\).*/\1/p')
	case $method in
	busybox-insmod)
		shell_init "$(for p in $paths; do echo "insmod /lib/modules/$release/$p"; done)" >"$root/sbin/bench-init"
		;;
	kmod-modprobe)
		fixture_programs "$name" /usr/bin/kmod
		mkdir -p "$root/usr/sbin"
		ln -sf ../bin/kmod "$root/usr/sbin/modprobe"
		cp "$(kernel_modules_dir)"/modules.{builtin,builtin.modinfo,order} "$root/lib/modules/$release/"
		depmod -b "$root" "$release"
		# shellcheck disable=SC2086,SC2116 # the names, joined into one line of words
		shell_init "/usr/sbin/modprobe -a $(echo $names)" >"$root/sbin/bench-init"
		;;
	esac
	[ -e "$root/sbin/bench-init" ] && chmod +x "$root/sbin/bench-init"
	fixture_pack "$name"
}

# One boot; prints "latch_ms finit_ms exec_ms" (finit_ms "NA" where it cannot be measured).
measure() {
	local method=$1 list=$2 name=$1-$2 log
	case $method in
	modlatch-*) BOOT_APPEND="" fixture_boot "$name" ;;
	*) BOOT_APPEND="rdinit=/sbin/bench-init" fixture_boot "$name" ;;
	esac
	log=$(tr -d '\r' <"$FIXTURES/$name/serial.log")
	# A method that did not load every module, or did not latch, has no time worth reporting.
	local want
	want=$("$FIXTURES/$name/build/modlatch" --print | grep -v 'flags=[^ ]*builtin' | grep -c '^[0-9]* name=')
	grep -qx "BENCH modules_disabled=1 loaded=$want" <<<"$log" || {
		echo "bench: $method $list: expected modules_disabled=1 loaded=$want, got: $(grep 'BENCH modules_disabled' <<<"$log")" >&2
		return 1
	}
	awk -v method="$method" '
		/^modlatch: summary / {
			for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			start = f["start_us"]; latch = f["latch_us"]; finit = f["finit_ms"]
		}
		/^BENCH start_us=/ {
			for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			start = f["start_us"]; latch = f["latch_us"]; finit = "NA"
		}
		/^BENCH exec_us=/ { split($2, kv, "="); exec_us = kv[2] }
		END {
			if (start == "" || latch == "" || exec_us == "") exit 1
			printf "%.1f %s %.1f\n", (latch - start) / 1000, finit, (exec_us - start) / 1000
		}' <<<"$log"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0 || v[1] == "NA") print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for list in $LISTS; do
	for method in $METHODS; do
		echo "bench: building $method for $list" >&2
		build_image "$method" "$list"
	done
done
: >"$FIXTURES/samples"
for boot in $(seq "$BOOTS"); do
	for list in $LISTS; do
		for method in $METHODS; do
			sample=$(measure "$method" "$list") || { echo "bench: $method $list boot $boot gave no result" >&2; exit 1; }
			echo "$method $list $sample" | tee -a "$FIXTURES/samples" >&2
		done
	done
done

csv=$FIXTURES/results.csv
echo "method,list,cpus,boots,median_ms_to_latch,median_ms_in_finit_module,median_ms_to_exec" >"$csv"
for list in $LISTS; do
	for method in $METHODS; do
		rows=$(grep "^$method $list " "$FIXTURES/samples")
		echo "$method,$list,$QEMU_SMP,$BOOTS,$(cut -d' ' -f3 <<<"$rows" | median),$(cut -d' ' -f4 <<<"$rows" | median),$(cut -d' ' -f5 <<<"$rows" | median)" >>"$csv"
	done
done
size=$(stat -c %s "$FIXTURES/modlatch-parallel-container-host/build/modlatch")
echo
echo "modlatch boot benchmark, $(kernel_release), QEMU TCG -smp $QEMU_SMP -m 512, $BOOTS boots each, medians in ms"
column -t -s, "$csv"
echo
echo "Where modlatch-serial's time to latch goes (its last boot of each list):"
for list in $LISTS; do
	tr -d '\r' <"$FIXTURES/modlatch-serial-$list/serial.log" | awk -v list="$list" '
		/^modlatch: module=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "us") us += kv[2] } }
		/^modlatch: summary / { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
		END {
			total = (f["latch_us"] - f["start_us"]) / 1000
			printf "  %-15s total %.0f ms = mounts and checks %.0f + open and SHA-256 %.0f + finit_module %d\n",
				list, total, total - us / 1000, us / 1000 - f["finit_ms"], f["finit_ms"]
		}'
done
echo
echo "modlatch-serial, large list, last boot: the ten slowest modules, open and SHA-256 against finit_module (us):"
tr -d '\r' <"$FIXTURES/modlatch-serial-large/serial.log" |
	sed -n 's/^modlatch: module=\([^ ]*\) result=loaded us=\([0-9]*\) finit_us=\([0-9]*\)$/\2 \1 \3/p' |
	sort -rn | head -n 10 | awk '{ printf "  %-22s total %7d  open+sha256 %6d  finit_module %7d\n", $2, $1, $1 - $3, $3 }'
echo
echo "build/modlatch (static, stripped, x86-64, LOAD=parallel): $size bytes"
echo "results: $csv"
