#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: boots Debian's 6.1 cloud kernel in QEMU (TCG, 2 vCPUs, 512 MiB for every method)
# with the same module files in the same order, loaded five ways, and measures inside the guest:
# the time from PID 1 starting to the latch being confirmed, to the exec of the supervisor, and
# (for modlatch) the time spent inside finit_module.
#
#   modlatch-serial    modlatch built with LOAD=serial
#   modlatch-parallel  modlatch built with LOAD=parallel (the ready queue on both vCPUs), ranked
#                      by file size, the default
#   modlatch-costs     the same, ranked by the finit_us of one earlier serial boot (COSTS=)
#   busybox-insmod     a BusyBox sh init: insmod each file in table order, echo 1 > modules_disabled
#   kmod-modprobe      the same init with Debian's kmod: modprobe -a NAMES, then the same echo
#
# The two modlatch methods boot once more on one vCPU (-smp 1). Three lists: container-host,
# large and wide (etc/*.list). BENCH_BOOTS boots per method, list and CPU count (default 7),
# alternating. BENCH_LISTS and BENCH_METHODS narrow a run to some lists and methods (the lower
# bound needs modlatch-serial).
#
# From the serial boots it computes, per list and CPU count, the lower bound no schedule can
# beat: LB = max(sum of finit_us / N, the longest chain of finit_us through needs= and after=),
# each module's finit_us being its median over the boots, N the guest's CPUs; and the
# work-conserving bound WCB = (sum of finit_us + sum of the open and SHA-256 of each file) / N +
# the time from PID 1's start to the first open, from the same boots: all the work, spread evenly.
# Then each method's time to latch against LB, WCB and the sum. Per list it also builds the
# default shim and times modlatch-gen writing the table, and reports the shim's size and the
# table's bytes per entry (against a shim built with the same options and an empty list). The
# targets of issues 16 and 27 are printed beside the figures, met or missed; a miss does not fail
# the run. Each step fetches what it needs, into a fresh MODLATCH_CACHE too.
#
# Results: build/bench/results.csv (one row per method, list and CPU count), build/bench/lists.csv
# (one row per list) and tables on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/kernel.sh fetch bookworm
export KERNEL=bookworm QEMU_SMP=2
# shellcheck source=tests/lib/fixture.bash
source tests/lib/fixture.bash
FIXTURES=$REPO/build/bench
BOOTS=${BENCH_BOOTS:-7}
LISTS=${BENCH_LISTS:-container-host large wide}
METHODS=${BENCH_METHODS:-modlatch-serial modlatch-parallel modlatch-costs busybox-insmod kmod-modprobe}
# What boots again on one vCPU, where the bound is the sum of finit_module.
ONE_CPU_METHODS="modlatch-serial modlatch-parallel"
# The targets of issue 16.
TARGET_PARALLEL_OVER_LB=1.15
TARGET_SERIAL_OVER_SUM=1.10
TARGET_SHIM_BYTES=32768
# The targets of issue 27: the shim's code, the default (hardened) build with an empty list; each
# table entry; modlatch-parallel against the work-conserving bound, on every list.
TARGET_EMPTY_SHIM_BYTES=32768
TARGET_TABLE_BYTES_PER_ENTRY=64
TARGET_PARALLEL_OVER_WCB=1.05
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
	modlatch-costs)
		# Ranked by what a boot measured: one serial boot's report, fed back (COSTS=).
		measure modlatch-serial "$list" "$QEMU_SMP" >/dev/null || return 1
		cp "$FIXTURES/modlatch-serial-$list/serial.log" "$FIXTURES/costs-$list.log"
		fixture_build "$name" "etc/$list.list" LOAD=parallel COSTS="$FIXTURES/costs-$list.log"
		;;
	*) fixture_build "$name" "etc/$list.list" LOAD=parallel ;;
	esac
	# The same image for every method: the rootfs with modlatch and the table's files, packed as
	# it is (the kmod method adds files below the table's modules directory).
	fixture_rootfs "$name" "$GUEST/bench-report.sh" && fixture_pinned "$name" || return 1
	fixture_guest_tool "$name" stamp "$GUEST/stamp.c"
	root=$FIXTURES/$name/rootfs
	release=$(kernel_release)
	"$root/init" --print >"$FIXTURES/$name/table"
	paths=$(sed -n 's/.* path=\([^ ]*\).*/\1/p' "$FIXTURES/$name/table")
	names=$(grep -v 'flags=[^ ]*builtin' "$FIXTURES/$name/table" | sed -n 's/^[0-9]* name=\([^ ]*\).*/\1/p')
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

# One boot on CPUS vCPUs; prints "latch_ms finit_ms exec_ms" (finit_ms "NA" where it cannot be
# measured). The serial log is kept as serial-smpCPUS.log, and modlatch's per-module finit_us
# are added to $FIXTURES/finit as "METHOD LIST CPUS MODULE FINIT_US".
measure() {
	local method=$1 list=$2 cpus=$3 name=$1-$2 log
	case $method in
	modlatch-*) QEMU_SMP=$cpus BOOT_APPEND="" fixture_boot "$name" ;;
	*) QEMU_SMP=$cpus BOOT_APPEND="rdinit=/sbin/bench-init" fixture_boot "$name" ;;
	esac
	log=$(tr -d '\r' <"$FIXTURES/$name/serial.log")
	cp "$FIXTURES/$name/serial.log" "$FIXTURES/$name/serial-smp$cpus.log"
	# A method that did not load every module, or did not latch, has no time worth reporting.
	local want
	want=$(grep -v 'flags=[^ ]*builtin' "$FIXTURES/$name/table" | grep -c '^[0-9]* name=')
	grep -qx "BENCH modules_disabled=1 loaded=$want" <<<"$log" || {
		echo "bench: $method $list -smp $cpus: expected modules_disabled=1 loaded=$want, got: $(grep 'BENCH modules_disabled' <<<"$log")" >&2
		return 1
	}
	sed -n "s/^modlatch: module=\([^ ]*\) result=loaded .* finit_us=\([0-9]*\) finit_start_us=[0-9]*$/$method $list $cpus \1 \2/p" \
		<<<"$log" >>"$FIXTURES/finit"
	# Each module's open and SHA-256 (its us less its finit_us), and the time from PID 1's start
	# to the first file's open: the work-conserving bound's other terms.
	sed -n "s/^modlatch: module=\([^ ]*\) result=loaded us=\([0-9]*\) finit_us=\([0-9]*\) .*/\1 \2 \3/p" <<<"$log" |
		awk -v k="$method $list $cpus" '{ print k, $1, $2 - $3 }' >>"$FIXTURES/hashing"
	awk -v k="$method $list $cpus" '
		/^modlatch: module=[^ ]* result=loaded / {
			for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			opened = f["finit_start_us"] - (f["us"] - f["finit_us"])
			if (first == "" || opened < first) first = opened
		}
		/^modlatch: summary / { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "start_us") start = kv[2] } }
		END { if (first != "" && start != "") print k, first - start }' <<<"$log" >>"$FIXTURES/before-first"
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

# module_medians METHOD LIST CPUS [FILE]: "MODULE US" for each module, the median over the boots
# of its finit_us (or of what FILE, such as $FIXTURES/hashing, holds in the same form).
module_medians() {
	awk -v want="$1 $2 $3" '$1 " " $2 " " $3 == want { print $4, $5 }' "${4:-$FIXTURES/finit}" |
		sort -k1,1 -k2,2n | awk '
		function flush() { if (n) print name, (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2); n = 0 }
		$1 != name { flush(); name = $1 }
		{ v[++n] = $2 }
		END { flush() }'
}

# chains MEDIANS TABLE CPUS [SHOWN]: with the MEDIANS file as each module's cost (us) and TABLE
# (modlatch --print) for what each entry needs, prints "SUM_MS CHAIN_MS LB_MS": the sum of the
# costs, the longest chain (an entry's chain is its cost plus the longest chain among what it
# needs; the table lists what an entry needs before it) and LB = max(SUM / CPUS, CHAIN). With a
# SHOWN medians file, prints instead the modules of the longest chain, first loaded first, each
# with its cost and its time in SHOWN.
chains() {
	awk -v cpus="$3" -v shown="${4:-}" '
		FILENAME == ARGV[1] { cost[$1] = $2; sum += $2; if (FILENAME == shown) other[$1] = $2; next }
		FILENAME == shown { other[$1] = $2; next }
		/^[0-9]+ name=/ {
			name = ""; needs = ""
			for (i = 2; i <= NF; i++) {
				split($i, kv, "=")
				if (kv[1] == "name") name = kv[2]
				# A pre: softdep (after=) orders the load like a dependency does.
				if (kv[1] == "needs" || kv[1] == "after") needs = needs "," kv[2]
			}
			longest_need = 0; via[name] = ""
			for (j = split(needs, dep, ","); j > 0; j--)
				if (chain[dep[j]] > longest_need) { longest_need = chain[dep[j]]; via[name] = dep[j] }
			chain[name] = cost[name] + longest_need
			if (chain[name] > longest) { longest = chain[name]; tail = name }
		}
		END {
			if (shown == "") {
				lb = sum / cpus > longest ? sum / cpus : longest
				printf "%.1f %.1f %.1f\n", sum / 1000, longest / 1000, lb / 1000
				exit
			}
			n = 0
			for (m = tail; m != ""; m = via[m]) on[++n] = m
			for (; n > 0; n--)
				printf "  %-24s finit_us %8d   chain so far %8d   (serial boots: %d)\n",
					on[n], cost[on[n]], chain[on[n]], other[on[n]]
		}' "$1" ${4:+"$4"} "$2"
}

# verdict VALUE LIMIT UNIT: "met (N UNIT under)" or "missed by N UNIT".
verdict() {
	awk -v v="$1" -v lim="$2" -v unit="$3" 'BEGIN {
		if (v == "NA" || v == "") print "not measured"
		else if (v + 0 <= lim + 0) printf "met (%s %s under)\n", lim - v, unit
		else printf "missed by %s %s\n", v - lim, unit
	}'
}

# ms_now: milliseconds on the host's monotonic-enough wall clock, for timing modlatch-gen.
ms_now() { echo $(($(date +%s%N) / 1000000)); }

# build_default NAME LIST: the shim with the default options (as `make LIST=... MODULES_DIR=...`
# builds it) in $FIXTURES/default-NAME; prints "ENTRIES GEN_MS SHIM_BYTES", GEN_MS being the
# median of three runs of modlatch-gen writing the table (the build's own command).
build_default() {
	local name=$1 list=$2 dir=$FIXTURES/default-$1 start runs="" i
	local vars=(LIST="$list" MODULES_DIR="$(kernel_modules_dir)" KCONFIG="$(kernel_info config)")
	rm -rf "$dir"
	make -s -C "$REPO" B="$dir" "${vars[@]}" "$dir/modlatch" >"$FIXTURES/default-$name.log" 2>&1 || {
		cat "$FIXTURES/default-$name.log" >&2
		return 1
	}
	for i in 1 2 3; do
		start=$(ms_now)
		"$dir/modlatch-gen" -k "$(kernel_info config)" -o "$dir/timed-table.c" \
			--files "$dir/timed-table.files" "$list" "$(kernel_modules_dir)" 2>/dev/null
		runs="$runs $(($(ms_now) - start))"
	done
	echo "$("$dir/modlatch" --print | sed -n 's/^entries //p') $(tr ' ' '\n' <<<"$runs" | sed '/^$/d' | median) $(stat -c %s "$dir/modlatch")"
}

for list in $LISTS; do
	for method in $METHODS; do
		echo "bench: building $method for $list" >&2
		build_image "$method" "$list"
	done
done

# The table's own cost: each list's default shim against one with an empty list.
echo "bench: building the default shim for each list, and with an empty list" >&2
echo "# No module: the shim without a table, to weigh the tables against." >"$FIXTURES/empty.list"
read -r _ _ empty_bytes < <(build_default empty "$FIXTURES/empty.list")
lists_csv=$FIXTURES/lists.csv
echo "list,table_entries,gen_ms,shim_bytes,empty_list_shim_bytes,table_bytes_per_entry" >"$lists_csv"
for list in $LISTS; do
	read -r entries gen_ms bytes < <(build_default "$list" "etc/$list.list")
	echo "$list,$entries,$gen_ms,$bytes,$empty_bytes,$(awk -v b="$bytes" -v e="$empty_bytes" -v n="$entries" \
		'BEGIN { printf "%.1f", (b - e) / n }')" >>"$lists_csv"
done

: >"$FIXTURES/samples"
: >"$FIXTURES/finit"
: >"$FIXTURES/hashing"
: >"$FIXTURES/before-first"
for boot in $(seq "$BOOTS"); do
	for list in $LISTS; do
		for cpus in "$QEMU_SMP" 1; do
			methods=$METHODS
			[ "$cpus" = "$QEMU_SMP" ] || methods=$ONE_CPU_METHODS
			for method in $methods; do
				sample=$(measure "$method" "$list" "$cpus") ||
					{ echo "bench: $method $list -smp $cpus boot $boot gave no result" >&2; exit 1; }
				echo "$method $list $cpus $sample" | tee -a "$FIXTURES/samples" >&2
			done
		done
	done
done

csv=$FIXTURES/results.csv
echo "method,list,cpus,boots,median_ms_to_latch,median_ms_in_finit_module,median_ms_to_exec,sum_finit_ms,longest_chain_ms,lb_ms,sum_open_sha256_ms,before_first_ms,wcb_ms,to_latch_over_lb,to_latch_over_wcb,to_latch_over_sum_finit" >"$csv"
for list in $LISTS; do
	for cpus in "$QEMU_SMP" 1; do
		methods=$METHODS
		[ "$cpus" = "$QEMU_SMP" ] || methods=$ONE_CPU_METHODS
		module_medians modlatch-serial "$list" "$cpus" >"$FIXTURES/medians-serial-$list-smp$cpus"
		read -r sum chain lb < <(chains "$FIXTURES/medians-serial-$list-smp$cpus" \
			"$FIXTURES/modlatch-serial-$list/table" "$cpus")
		# The work-conserving bound: all of the serial boots' work, finit_module and the open and
		# SHA-256 of every file, spread evenly over the CPUs, after what comes before the first
		# open (mounts, checks). No schedule that does all that work latches sooner, whatever it
		# overlaps; LB leaves the hashing out.
		hashing=$(module_medians modlatch-serial "$list" "$cpus" "$FIXTURES/hashing" |
			awk '{ s += $2 } END { printf "%.1f", s / 1000 }')
		before=$(awk -v k="modlatch-serial $list $cpus" '$1 " " $2 " " $3 == k { printf "%.1f\n", $4 / 1000 }' \
			"$FIXTURES/before-first" | median)
		wcb=$(awk -v f="$sum" -v h="$hashing" -v b="$before" -v n="$cpus" 'BEGIN { printf "%.1f", (f + h) / n + b }')
		for method in $methods; do
			rows=$(grep "^$method $list $cpus " "$FIXTURES/samples")
			latch=$(cut -d' ' -f4 <<<"$rows" | median)
			echo "$method,$list,$cpus,$BOOTS,$latch,$(cut -d' ' -f5 <<<"$rows" | median),$(cut -d' ' -f6 <<<"$rows" | median),$sum,$chain,$lb,$hashing,$before,$wcb,$(awk -v l="$latch" -v b="$lb" -v w="$wcb" -v s="$sum" \
				'BEGIN { printf "%.2f,%.2f,%.2f", l / b, l / w, l / s }')" >>"$csv"
		done
	done
done

# field METHOD LIST CPUS COLUMN: one figure of results.csv.
field() { awk -F, -v k="$1,$2,$3" -v col="$4" 'NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i } $1 "," $2 "," $3 == k { print $(at[col]) }' "$csv"; }

echo
echo "modlatch boot benchmark, $(kernel_release), QEMU TCG -m 512, $BOOTS boots each, medians in ms"
echo "(LB = max(sum of finit_module / cpus, longest dependency chain of finit_module); WCB, the work-conserving"
echo "bound = (sum of finit_module + sum of open and SHA-256) / cpus + the time before the first open;"
echo "both from the serial boots on as many CPUs)"
column -t -s, "$csv"
echo
echo "Each list's table and default shim (x86-64, stripped, $(file -b "$FIXTURES/default-empty/modlatch" | grep -o 'static-pie linked\|statically linked'), stack protector;"
echo "table bytes per entry = (shim - empty-list shim) / entries):"
column -t -s, "$lists_csv"
echo
echo "Targets (issue 16):"
serial_sum=$(field modlatch-serial large "$QEMU_SMP" to_latch_over_sum_finit)
for method in modlatch-parallel modlatch-costs; do
	over_lb=$(field "$method" large "$QEMU_SMP" to_latch_over_lb)
	echo "  large list, -smp $QEMU_SMP: $method <= $TARGET_PARALLEL_OVER_LB x LB: $over_lb x LB," \
		"$(verdict "$over_lb" "$TARGET_PARALLEL_OVER_LB" "x LB")"
done
echo "  large list, -smp $QEMU_SMP: serial <= $TARGET_SERIAL_OVER_SUM x sum of finit_module: $serial_sum x," \
	"$(verdict "$serial_sum" "$TARGET_SERIAL_OVER_SUM" x)"
shim=$(awk -F, '$1 == "container-host" { print $4 }' "$lists_csv")
echo "  default shim with the container-host table <= $TARGET_SHIM_BYTES bytes: ${shim:-NA} bytes," \
	"$(verdict "$shim" "$TARGET_SHIM_BYTES" bytes)"
echo "Targets (issue 27):"
echo "  default shim (stack protector, static PIE where linked) with an empty list <= $TARGET_EMPTY_SHIM_BYTES bytes:" \
	"$empty_bytes bytes, $(verdict "$empty_bytes" "$TARGET_EMPTY_SHIM_BYTES" bytes)"
for list in $LISTS; do
	per_entry=$(awk -F, -v l="$list" '$1 == l { print $6 }' "$lists_csv")
	echo "  $list table: <= $TARGET_TABLE_BYTES_PER_ENTRY bytes per entry: $per_entry," \
		"$(verdict "$per_entry" "$TARGET_TABLE_BYTES_PER_ENTRY" bytes)"
done
for list in $LISTS; do
	over_wcb=$(field modlatch-parallel "$list" "$QEMU_SMP" to_latch_over_wcb)
	echo "  $list list, -smp $QEMU_SMP: modlatch-parallel <= $TARGET_PARALLEL_OVER_WCB x WCB: ${over_wcb:-NA} x WCB," \
		"$(verdict "$over_wcb" "$TARGET_PARALLEL_OVER_WCB" "x WCB")"
done
echo
# The list the details below are about: the large list, or the last one measured.
focus=large
case " $LISTS " in *" large "*) ;; *) focus=${LISTS##* } ;; esac
echo "Where modlatch-parallel's time goes on the $focus list, -smp $QEMU_SMP: its longest chain of"
echo "finit_module (median us over its boots); the serial boots' longest chain is" \
	"$(field modlatch-parallel "$focus" "$QEMU_SMP" longest_chain_ms) ms, LB $(field modlatch-parallel "$focus" "$QEMU_SMP" lb_ms) ms:"
if [ -s "$FIXTURES/modlatch-parallel-$focus/table" ] && grep -q "^modlatch-parallel $focus " "$FIXTURES/finit"; then
	module_medians modlatch-parallel "$focus" "$QEMU_SMP" >"$FIXTURES/medians-parallel-$focus-smp$QEMU_SMP"
	chains "$FIXTURES/medians-parallel-$focus-smp$QEMU_SMP" "$FIXTURES/modlatch-parallel-$focus/table" \
		"$QEMU_SMP" "$FIXTURES/medians-serial-$focus-smp$QEMU_SMP"
else
	echo "  (modlatch-parallel did not boot in this run)"
fi
echo
# Free workers open and hash files ahead of their turn, so on more than one CPU that work runs
# partly beside finit_module: the rest is what finit_module leaves of the time to latch.
echo "Where modlatch-serial's time to latch goes (its last boot of each list and CPU count):"
for list in $LISTS; do
	for cpus in "$QEMU_SMP" 1; do
		tr -d '\r' <"$FIXTURES/modlatch-serial-$list/serial-smp$cpus.log" | awk -v list="$list" -v cpus="$cpus" '
			/^modlatch: module=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "us") us += kv[2] } }
			/^modlatch: summary / { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
			END {
				total = (f["latch_us"] - f["start_us"]) / 1000
				printf "  %-15s -smp %s  total %5.0f ms = finit_module %5d + the rest %4.0f;  open and SHA-256 %4.0f ms in all\n",
					list, cpus, total, f["finit_ms"], total - f["finit_ms"], us / 1000 - f["finit_ms"]
			}'
	done
done
echo "  (the rest: mounts, checks, open and SHA-256 not done ahead, the latch; on -smp 1 nothing overlaps)"
echo
echo "modlatch-serial, $focus list, last boot (-smp $QEMU_SMP): the ten slowest modules, open and SHA-256 against finit_module (us):"
tr -d '\r' <"$FIXTURES/modlatch-serial-$focus/serial-smp$QEMU_SMP.log" |
	sed -n 's/^modlatch: module=\([^ ]*\) result=loaded us=\([0-9]*\) finit_us=\([0-9]*\) finit_start_us=[0-9]*$/\2 \1 \3/p' |
	sort -rn | head -n 10 | awk '{ printf "  %-22s total %7d  open+sha256 %6d  finit_module %7d\n", $2, $1, $1 - $3, $3 }'
echo
echo "SHA-256, a buffer hashed by the shim's code (best of three), portable and with the CPU's"
echo "instructions (SHA256=fast): natively, then under QEMU's user mode (TCG) as the guests run it:"
make -s -C "$REPO" B="$FIXTURES/speed" "$FIXTURES/speed/sha256-speed" "$FIXTURES/speed/sha256-speed-aarch64"
"$FIXTURES/speed/sha256-speed" 64 | sed 's/^/  native x86-64    /'
qemu-x86_64 -cpu max "$FIXTURES/speed/sha256-speed" 16 | sed 's/^/  qemu-x86_64 max  /'
qemu-aarch64 -cpu max "$FIXTURES/speed/sha256-speed-aarch64" 16 | sed 's/^/  qemu-aarch64 max /'
echo
echo "results: $csv, $lists_csv"
