#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench-systemd: for a user who runs systemd after the initramfs, does modlatch make the boot
# slower or faster, and how long is the window in which modules nobody vetted can load? One
# Debian 12 root booted by its systemd 252 from an ext4 disk (/dev/vda) with the container
# host's modules, the same kernel for every variant (the one apt installs into that root), QEMU
# TCG with the fixture's settings on 2 vCPUs, four ways:
#
#   stock     Debian's own initrd (initramfs-tools); the list's modules in /etc/modules-load.d/;
#             a oneshot latch unit ordered as NixOS's security.lockKernelModules orders its own
#             (tests/systemd/bench/disable-kernel-module-loading.service)
#   sysctl    the same root with kernel.modules_disabled = 1 in /etc/sysctl.d/ instead of the
#             unit, as hardening guides suggest; what breaks is recorded, not fixed
#   modlatch  modlatch's initramfs for the same kernel (ROOT=/dev/vda, SUPERVISOR=/sbin/init);
#             no latch unit, no sysctl file; modules-load.d kept as in stock
#   nolatch   stock without any latch: what the late unit itself costs
#
# Each boot runs the boot check of tests/systemd/ (guest/check.sh) with the appliance's steps
# (guest/appliance.sh: nftables, a podman container's published port) and the benchmark's part
# (tests/systemd/bench/bench.sh: the boot's times, iptables-legacy and iptables-nft rules), and
# powers off. Measured inside the guest: the latch on CLOCK_MONOTONIC (modlatch's summary
# latch_us; the unit's and systemd-sysctl's census, bench-latch, right after the write);
# systemd's FinishTimestampMonotonic (the end of start-up, when is-system-running answers); the
# window, from the kernel log's "Run /init as init process" to its latch line; the userspace
# processes alive at the latch (the census; for modlatch its "process pid=" lines, none by
# construction); the state, the failed units, the workload's steps. BENCH_SYSTEMD_BOOTS boots per
# variant (default 3), alternating; medians. BENCH_SYSTEMD_VARIANTS narrows a run to some
# variants (the goals compare stock, modlatch and nolatch).
#
# The stock root (guestroot.sh's systemd-bookworm, with linux-image-cloud-amd64 and
# initramfs-tools installed by apt in a chroot and its initrd from update-initramfs) is built
# once into the cache, keyed by the root it copies and the code that prepares it.
#
# Results: build/bench/systemd.csv (one row per variant), a table and the issue's goals (met or
# missed; a miss does not fail the run) on stdout. A boot that gives no result fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/kernel.sh fetch bookworm
sh scripts/guestroot.sh fetch systemd-bookworm
export KERNEL=bookworm QEMU_SMP=2 QEMU_MEM=2048 BOOT_TIMEOUT=900
# shellcheck source=tests/lib/fixture.bash
source tests/lib/fixture.bash
# shellcheck source=tests/systemd/systemd.bash
source tests/systemd/systemd.bash
# shellcheck source=tests/debian/debian.bash
source tests/debian/debian.bash
FIXTURES=$REPO/build/bench/systemd
CACHE=${MODLATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modlatch}
BENCH_GUEST=$REPO/tests/systemd/bench
BOOTS=${BENCH_SYSTEMD_BOOTS:-3}
VARIANTS=${BENCH_SYSTEMD_VARIANTS:-stock sysctl modlatch nolatch}
# The steps of the container host's work, each asserted in the guest on the tool's output.
WORKLOAD_STEPS="nftables-service nftables-ruleset client-link web-service web-publish input-drop
iptables-legacy iptables-nft"
# The issue's goal: modlatch latches at least this many times sooner than the stock unit.
TARGET_LATCH_SPEEDUP=5
mkdir -p "$FIXTURES"

die() {
	echo "bench-systemd: $*" >&2
	exit 1
}

# stock_prepare ROOT: Debian's kernel and initrd in ROOT, as its administrator installs them:
# apt in a chroot of a mount namespace of its own (in_root), the initrd written by the kernel
# package's hook (update-initramfs); then apt's lists and archives dropped again. zstd is named
# because a Debian system has it and initramfs-tools compresses with it by default (without, it
# falls back to gzip); the other recommended packages stay out.
stock_prepare() {
	local root=$1 release
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	in_root "$root" apt-get update -q &&
		in_root "$root" apt-get install -y -q --no-install-recommends linux-image-cloud-amd64 \
			initramfs-tools zstd || return 1
	release=$(basename "$(find "$root/usr/lib/modules" -mindepth 1 -maxdepth 1 -type d)")
	[ -e "$root/boot/initrd.img-$release" ] ||
		in_root "$root" update-initramfs -c -k "$release" || return 1
	in_root "$root" apt-get clean
	rm -rf "$root"/var/lib/apt/lists/*
}

# stock_root: the prepared stock root, built once into the cache; prints its path. The key is
# the root it copies (whose name carries guestroot.sh's own key) and stock_prepare's code.
stock_root() {
	local src key dir
	src=$(sh scripts/guestroot.sh dir systemd-bookworm) || return 1
	key=$( (echo "$src" && declare -f stock_prepare) | sha256sum | cut -c1-12)
	dir=$CACHE/bench/systemd-stock-$key
	if [ ! -e "$dir/.done" ]; then
		echo "bench-systemd: preparing the stock root in $dir (apt, update-initramfs)" >&2
		rm -rf "$dir"
		mkdir -p "$dir"
		cp -a "$src" "$dir/root"
		stock_prepare "$dir/root" >"$dir/prepare.log" 2>&1 ||
			die "preparing the stock root failed; see $dir/prepare.log"
		touch "$dir/.done"
	fi
	echo "$dir/root"
}

# One kernel for all: the release apt installed into the stock root.
stock_release() {
	local releases
	releases=$(find "$STOCK/usr/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n')
	if [ "$(echo "$releases" | wc -l)" -ne 1 ] || [ ! -e "$STOCK/boot/vmlinuz-$releases" ]; then
		die "expected one kernel in $STOCK (/usr/lib/modules, /boot), found: $(echo "$releases" | tr '\n' ' ')"
	fi
	echo "$releases"
}

# modules_load_names LIST: the list's module names, one a line, as modules-load.d takes them.
modules_load_names() {
	awk '!/^[[:space:]]*#/ && NF { sub(/^\?/, "", $1); print $1 }' "$1"
}

# variant_tree VARIANT: $FIXTURES/VARIANT/disk-root from the stock root: the ext4 fstab line,
# the boot check with the appliance's and the benchmark's parts, the appliance, the list's
# modules in /etc/modules-load.d/, bench-latch, and the variant's own latch.
variant_tree() {
	local variant=$1 disk=$FIXTURES/$1/disk-root
	rm -rf "$disk"
	cp -a "$STOCK" "$disk"
	echo "/dev/vda / ext4 rw 0 1" >"$disk/etc/fstab"
	systemd_check_install "$disk" appliance.sh &&
		install -m 0644 "$BENCH_GUEST/bench.sh" "$disk/usr/local/lib/modlatch-check/bench.sh" &&
		install -m 0755 "$BENCH_GUEST/latch.sh" "$disk/usr/local/sbin/bench-latch" &&
		systemd_appliance "$variant" || return 1
	modules_load_names "$LIST" >"$disk/etc/modules-load.d/bench.conf"
	case "$variant" in
	stock)
		install -m 0644 "$BENCH_GUEST/disable-kernel-module-loading.service" "$disk/etc/systemd/system/" &&
			systemd_enable "$disk" multi-user.target /etc/systemd/system/disable-kernel-module-loading.service
		;;
	sysctl)
		echo "kernel.modules_disabled = 1" >"$disk/etc/sysctl.d/90-modules-disabled.conf" &&
			install -D -m 0644 "$BENCH_GUEST/sysctl-census.conf" \
				"$disk/etc/systemd/system/systemd-sysctl.service.d/bench-census.conf"
		;;
	modlatch | nolatch) ;;
	*) die "unknown variant '$variant'" ;;
	esac
}

# variant_build VARIANT: the variant's disk image and, for modlatch, its initramfs built for the
# stock root's kernel and packed as `make initramfs` packs it by default (gzip); prints the
# initrd the variant boots.
variant_build() {
	local variant=$1
	variant_tree "$variant" && systemd_disk "$variant" ext4 >&2 || return 1
	if [ "$variant" = modlatch ]; then
		cp "$LIST" "$FIXTURES/modlatch/systemd.list"
		TREE=$STOCK/usr/lib/modules/$RELEASE systemd_build modlatch ext4 \
			KCONFIG="$STOCK/boot/config-$RELEASE" >&2 &&
			fixture_make modlatch build initramfs INITRAMFS_OVERLAY= >&2 || return 1
		echo "$FIXTURES/modlatch/build/initramfs.cpio.gz"
	else
		echo "$STOCK/boot/initrd.img-$RELEASE"
	fi
}

# boot_variant VARIANT N: the Nth boot of VARIANT from its disk as built (snapshot=on: the boot's
# writes are dropped, so every boot starts from the same disk); its serial log kept as
# serial-N.log.
boot_variant() {
	local variant=$1 n=$2 dir=$FIXTURES/$1 append="root=/dev/vda"
	# modlatch's initramfs carries its root (ROOT=/dev/vda).
	if [ "$variant" = modlatch ]; then append=""; fi
	VMLINUZ=$STOCK/boot/vmlinuz-$RELEASE INITRD=$(cat "$dir/initrd-path") BOOT_APPEND=$append \
		fixture_boot "$variant" -drive "file=$dir/disk.img,if=virtio,format=raw,snapshot=on" || return 1
	cp "$dir/serial.log" "$dir/serial-$n.log"
}

# seconds_of US: microseconds as seconds (NA for none or 0).
seconds_of() { awk -v us="${1:-}" 'BEGIN { if (us + 0 > 0) printf "%.2f\n", us / 1e6; else print "NA" }'; }

# outside_table VARIANT: the modules in VARIANT's kernel at the end of its boot that modlatch's
# table does not hold (the list with what it pulls in), joined by ";", or "none": what loaded
# without being vetted.
outside_table() {
	local outside
	outside=$(comm -23 <(check_values "$1" bench_modules | tr ',' '\n' | tr - _ | LC_ALL=C sort -u) \
		<(table_order modlatch | tr - _ | LC_ALL=C sort -u) | paste -sd';' -)
	echo "${outside:-none}"
}

# sample VARIANT: one boot's figures, from its serial log, as "latch_s running_s window_s
# processes state failed workload outside" (failed, workload and outside as words without
# spaces: "none", "pass" or "fail:STEP;STEP", outside_table's; NA where the variant has none).
# Fails naming what the boot did not report.
sample() {
	local variant=$1 latch=NA window=NA processes=NA running state failed workload="" s line
	[ "$(check_lines "$variant" | grep -cx 'done' || true)" -ge 1 ] || {
		echo "bench-systemd: $variant: the boot check never said done" >&2
		return 1
	}
	running=$(seconds_of "$(check_values "$variant" bench_finish_us)")
	state=$(check_values "$variant" state)
	failed=$(check_values "$variant" failed | awk '{ print $1 }' | paste -sd';' -)
	for s in $WORKLOAD_STEPS; do
		line=$(check_lines "$variant" | grep "^step=$s " || echo "step=$s missing")
		[ "$line" = "step=$s ok" ] || workload="$workload;$s"
	done
	case "$variant" in
	modlatch)
		latch=$(seconds_of "$(summary_field modlatch latch_us)")
		processes=$(modlatch_lines modlatch | grep -c '^modlatch: process pid=' || true)
		;;
	stock | sysctl)
		latch=$(check_values "$variant" bench_latch | sed -n 's/^uptime=//p')
		processes=$(check_values "$variant" bench_latch | sed -n 's/^processes=//p')
		;;
	esac
	if [ "$variant" != nolatch ]; then
		window=$(awk -v a="$(check_values "$variant" bench_kmsg_run_init)" \
			-v b="$(check_values "$variant" bench_kmsg_latch)" \
			'BEGIN { if (a == "" || b == "") print "NA"; else printf "%.2f\n", b - a }')
		if [ -z "$latch" ] || [ "$latch" = NA ] || [ "$window" = NA ]; then
			echo "bench-systemd: $variant: no latch time (latch '$latch', window '$window')" >&2
			return 1
		fi
	fi
	if [ "$running" = NA ] || [ -z "$state" ]; then
		echo "bench-systemd: $variant: no end of start-up (FinishTimestampMonotonic) or state" >&2
		return 1
	fi
	echo "$latch $running $window ${processes:-NA} $state ${failed:-none} $([ -z "$workload" ] && echo pass || echo "fail:${workload#;}") $(outside_table "$variant")"
}

# median: the median of the numbers on stdin, one a line; NA when there are none.
median() {
	grep -v '^NA$' | sort -g | awk '{ v[NR] = $1 }
		END { if (!NR) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# column_of VARIANT N: the Nth field of VARIANT's samples, one a line.
column_of() { awk -v v="$1" -v n="$2" '$1 == v { print $(n + 2) }' "$FIXTURES/samples"; }

# distinct VARIANT N: the values of the Nth field of VARIANT's samples, each once, joined by "|".
distinct() { column_of "$1" "$2" | awk '!seen[$0]++' | paste -sd'|' -; }

# field VARIANT COLUMN: one figure of the CSV.
field() {
	awk -F, -v v="$1" -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) at[$i] = i } $1 == v { print $(at[col]) }' "$CSV"
}

# against VALUE LIMIT UNIT: whether VALUE is at most LIMIT: "met (N UNIT to spare)" or "missed by
# N UNIT".
against() {
	awk -v v="$1" -v lim="$2" -v unit="$3" 'BEGIN {
		if (v == "NA" || lim == "NA") print "not measured"
		else if (v <= lim) printf "met (%g %s to spare)\n", lim - v, unit
		else printf "missed by %g %s\n", v - lim, unit
	}'
}

# goal TEXT VERDICT: one line of the goals.
goal() { printf '  %-58s %s\n' "$1" "$2"; }

STOCK=$(stock_root)
RELEASE=$(stock_release)
systemd_list bench
LIST=$FIXTURES/bench/systemd.list
echo "bench-systemd: kernel $RELEASE (from the stock root); the cached 6.1 kernel is $(kernel_release)" >&2
for variant in $VARIANTS; do
	echo "bench-systemd: building $variant" >&2
	mkdir -p "$FIXTURES/$variant"
	variant_build "$variant" >"$FIXTURES/$variant/initrd-path" || die "building $variant failed"
done

: >"$FIXTURES/samples"
for n in $(seq "$BOOTS"); do
	for variant in $VARIANTS; do
		echo "bench-systemd: boot $n of $variant" >&2
		boot_variant "$variant" "$n" || die "$variant boot $n: QEMU failed (see $FIXTURES/$variant/serial-$n.log)"
		result=$(sample "$variant") || die "$variant boot $n gave no result; see $FIXTURES/$variant/serial.log"
		# The host's load beside the figures: this machine's two cores may be shared.
		echo "$variant $n $result load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$FIXTURES/samples" >&2
	done
done

CSV=$REPO/build/bench/systemd.csv
echo "variant,boots,latch_s,running_s,window_s,processes_at_latch,initrd_bytes,state,failed_units,workload,modules_not_in_table" >"$CSV"
for variant in $VARIANTS; do
	echo "$variant,$BOOTS,$(column_of "$variant" 1 | median),$(column_of "$variant" 2 | median),$(column_of "$variant" 3 | median),$(column_of "$variant" 4 | median),$(stat -L -c %s "$(cat "$FIXTURES/$variant/initrd-path")"),$(distinct "$variant" 5),$(distinct "$variant" 6),$(distinct "$variant" 7),$(column_of "$variant" 8 | awk -F';' '{ print $0 == "none" ? 0 : NF }' | median)" >>"$CSV"
done

echo
echo "systemd boot benchmark, kernel $RELEASE, QEMU TCG -smp $QEMU_SMP -m $QEMU_MEM, $BOOTS boots each, medians"
echo "(latch_s: CLOCK_MONOTONIC at the latch; running_s: systemd's FinishTimestampMonotonic; window_s: the kernel log's"
echo "'Run /init as init process' to its latch line; processes_at_latch: userspace processes alive then;"
echo "modules_not_in_table: how many modules in the kernel at the end modlatch's table, the list with what it pulls in, lacks)"
column -t -s, "$CSV"
echo
echo "Modules in the kernel at the end that the table lacks (any boot):"
for variant in $VARIANTS; do
	outside=$(column_of "$variant" 8 | tr ';' '\n' | grep -vx none | LC_ALL=C sort -u | paste -sd' ' - || true)
	echo "  $variant: ${outside:-none}"
done
echo
echo "Goals (issue 27):"
mod_running=$(field modlatch running_s)
nolatch_running=$(field nolatch running_s)
goal "modlatch reaches running no later than nolatch:" "$mod_running s against $nolatch_running s, $(against "$mod_running" "$nolatch_running" s)"
speedup=$(awk -v s="$(field stock latch_s)" -v m="$(field modlatch latch_s)" 'BEGIN { printf "%.1f", s / m }')
goal "modlatch latches at least $TARGET_LATCH_SPEEDUP x sooner than stock:" \
	"$(field modlatch latch_s) s against $(field stock latch_s) s, $speedup x, $(awk -v x="$speedup" -v t="$TARGET_LATCH_SPEEDUP" 'BEGIN { if (x >= t) print "met"; else printf "missed by %.1f x\n", t - x }')"
processes=$(field modlatch processes_at_latch)
goal "modlatch's window holds 0 processes:" "$processes, $([ "$processes" = 0 ] && echo met || echo "missed by $processes")"
for variant in $VARIANTS; do
	goal "the workload passes ($variant):" "$(field "$variant" workload)"
done
echo
echo "host load (1 min) at each boot: $(awk '{ print $1 $2 ":" substr($NF, 6) }' "$FIXTURES/samples" | paste -sd' ' -)"
echo "results: $CSV; samples: $FIXTURES/samples; serial logs: $FIXTURES/VARIANT/serial-N.log"
