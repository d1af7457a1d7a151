#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every suite of `make check` and ends with one line counting all tests:
# "N passed, N failed". A suite that cannot run (a boot that cannot start QEMU, say) fails;
# nothing is skipped.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
B=${B:-build}
log=$B/check.log
: >"$log"
status=0

run_suite() {
	echo "== $*" | tee -a "$log"
	"$@" 2>&1 | tee -a "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}

run_suite "$B/unit-tests"
run_suite "$B/unit-tests-san"
# SHA-256 where the CPU is another: arm64 with its crypto extensions, an x86-64 without SHA
# extensions (QEMU's user mode; /proc/cpuinfo there is this machine's, so the test is told).
run_suite env MODLATCH_EXPECT_SHA256=armv8-ce qemu-aarch64 -cpu max "$B/unit-sha256-aarch64"
run_suite env MODLATCH_EXPECT_SHA256=portable qemu-x86_64 -cpu qemu64 "$B/unit-sha256"
# The fuzzers' seeds and saved reproducers, replayed under the sanitizers.
run_suite make -s B="$B" fuzz-regress
run_suite bats --timing tests/gen.bats tests/audit.bats tests/learn.bats tests/requests.bats \
	tests/build.bats tests/dist.bats tests/command.bats tests/buildroot.bats \
	tests/structure.bats tests/docs.bats tests/initramfs.bats tests/debian/package.bats

# The boot suite, once per kernel; the two runs go side by side, one QEMU (one core) each.
for kernel in bookworm trixie; do
	# Then the main cases again on two CPUs, where modules load in parallel.
	(KERNEL=$kernel bats --timing tests/boot >"$B/boot-$kernel.log" 2>&1
	rc=$?
	KERNEL=$kernel QEMU_SMP=2 bats --timing tests/boot/lists.bats tests/boot/faults.bats \
		>>"$B/boot-$kernel.log" 2>&1 || rc=1
	# And the main cases on arm64, with the shim cross-built for aarch64.
	KERNEL=$kernel GUEST_ARCH=arm64 bats --timing tests/boot/arm64 tests/boot/root.bats \
		>>"$B/boot-$kernel.log" 2>&1 || rc=1
	# And the workloads, on Debian's own tools in a Debian root: the appliances built from the
	# shipped lists, and the record-then-resolve loop.
	# Lynis runs on one kernel only: it takes over a minute under TCG.
	lynis=""
	[ "$kernel" = bookworm ] && lynis=tests/workload/lynis.bats
	KERNEL=$kernel bats --timing tests/workload/container-host.bats tests/workload/router.bats \
		tests/workload/record-loop.bats $lynis >>"$B/boot-$kernel.log" 2>&1 || rc=1
	# And Debian's own systemd as the supervisor on a disk root, ext4 and erofs under dm-verity;
	# on 6.1 the ext4 boot also runs the appliance's own work (podman, nftables) under systemd.
	ext4=tests/systemd/ext4.bats
	[ "$kernel" = bookworm ] && ext4=tests/systemd/appliance.bats
	KERNEL=$kernel bats --timing "$ext4" tests/systemd/verity.bats >>"$B/boot-$kernel.log" 2>&1 ||
		rc=1
	# And the Debian package through kernel updates: one Debian 12 root that installs the 6.1 and
	# the 6.12 kernel packages and boots both, so once, in the chain without Lynis.
	if [ "$kernel" = trixie ]; then
		KERNEL=$kernel bats --timing tests/debian/kernel-update.bats >>"$B/boot-$kernel.log" 2>&1 ||
			rc=1
	fi
	echo $rc >"$B/boot-$kernel.rc") &
done
wait
for kernel in bookworm trixie; do
	echo "== boot suite on $kernel" | tee -a "$log"
	tee -a "$log" <"$B/boot-$kernel.log"
	[ "$(cat "$B/boot-$kernel.rc")" -eq 0 ] || status=1
done

unit_passed=$(awk '/^[0-9]+ passed, [0-9]+ failed$/ { n += $1 } END { print n + 0 }' "$log")
unit_failed=$(awk '/^[0-9]+ passed, [0-9]+ failed$/ { n += $3 } END { print n + 0 }' "$log")
bats_passed=$(grep -cE '^ok [0-9]+ ' "$log")
bats_failed=$(grep -cE '^not ok [0-9]+ ' "$log")
echo "check: $((unit_passed + bats_passed)) passed, $((unit_failed + bats_failed)) failed"
[ "$((unit_failed + bats_failed))" -eq 0 ] || status=1
exit "$status"
