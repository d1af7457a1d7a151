# SPDX-License-Identifier: MIT
# Booting a fixture in QEMU (TCG) and keeping its serial log, and `fixture`, which builds, lays
# out, packs and boots a case in one call. Part of the fixture library (tests/lib/fixture.bash,
# whose header lists every knob); needs kernel.bash, image.bash and serial.bash. Knobs read
# here: BOOT_KERNEL, VMLINUZ, QEMU_CPU, QEMU_SMP, QEMU_MEM, BOOT_APPEND, BOOT_TIMEOUT, GUEST_ARCH,
# INITRD.

# How QEMU boots each guest architecture: the emulator and machine, and the serial console.
arch_console() { [ "$GUEST_ARCH" = amd64 ] && echo ttyS0 || echo ttyAMA0; }
# pauth-impdef: QEMU's own pointer-authentication algorithm, much faster to emulate than the
# architected one; the kernel cannot tell the difference.
arch_qemu() {
	if [ "$GUEST_ARCH" = amd64 ]; then
		echo qemu-system-x86_64 -cpu "${QEMU_CPU:-max}" -nic none
	else
		echo qemu-system-aarch64 -M virt -cpu "${QEMU_CPU:-max,pauth-impdef=on}" -nic none
	fi
}

# fixture_boot NAME [QEMU_ARG ...]: boots the initramfs (INITRD, else the fixture's if it has one;
# without, the QEMU_ARGs give the root disk) and waits for the guest to stop (power
# off or reboot; -no-reboot turns both into QEMU's exit). The serial console lands in
# $FIXTURES/NAME/serial.log, QEMU's command line in qemu.cmdline. Fails if the guest does not
# stop within BOOT_TIMEOUT seconds.
fixture_boot() {
	local name=$1
	shift
	local dir=$FIXTURES/$name vmlinuz
	vmlinuz=${VMLINUZ:-$(kernel_info vmlinuz "${BOOT_KERNEL:-$KERNEL}")}
	rm -f "$dir/serial.log"
	# loglevel=2: the kernel echoes none of modlatch's /dev/kmsg lines (crit and below) to the
	# console, where with two vCPUs the echo could land inside modlatch's own console line.
	# QEMU must not inherit bats' descriptors 3 and 4, or the run hangs.
	local initrd=() qemu
	if [ -n "${INITRD:-}" ]; then
		initrd=(-initrd "$INITRD")
	elif [ -e "$dir/initramfs.cpio" ]; then
		initrd=(-initrd "$dir/initramfs.cpio")
	fi
	read -ra qemu < <(arch_qemu)
	qemu+=(-accel tcg -m "${QEMU_MEM:-512}" -smp "${QEMU_SMP:-1}" -display none -monitor none
		-no-reboot -serial "file:$dir/serial.log" -kernel "$vmlinuz" "${initrd[@]}"
		-append "console=$(arch_console) panic=-1 loglevel=2 ${BOOT_APPEND:-}" "$@")
	printf '%s\n' "${qemu[@]}" >"$dir/qemu.cmdline"
	local started=$SECONDS
	timeout "${BOOT_TIMEOUT:-240}" "${qemu[@]}" </dev/null >"$dir/qemu.log" 2>&1 3>&- 4>&-
	local rc=$?
	echo $((SECONDS - started)) >"$dir/boot-seconds"
	if [ "$rc" -ne 0 ]; then
		echo "qemu exited with $rc; serial log:" >&2
		cat "$dir/serial.log" >&2
		return 1
	fi
}

# fixture NAME LIST [MAKE_VAR=VALUE ...] [--edit FUNCTION] [-- QEMU_ARG ...]: one boot case in
# one call. Builds modlatch from LIST with the MAKE_VARs (fixture_build), lays out the rootfs
# with the generic checks as supervisor (fixture_rootfs), runs `FUNCTION ROOTFS NAME` to add
# what the case needs (a guard, case checks, a tool), makes the initramfs with the rootfs as its
# overlay (fixture_initramfs) and boots it with the QEMU_ARGs (fixture_boot). Knobs go before the call, as in guard.bats:
#   BOOT_APPEND=rdinit=/sbin/guard fixture guard "$REPO/etc/demo.list" --edit guard_script
# A case that changes the image in a way this call does not allow (a damaged table module, a
# disk instead of an initramfs) calls the steps itself (fixture_pinned, then fixture_pack or
# fixture_disk).
fixture() {
	local name=$1 list=$2 edit="" make_vars=()
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--edit)
			if [ $# -lt 2 ] || ! declare -F "$2" >/dev/null; then
				echo "fixture $name: --edit needs the name of a function, not '${2:-}'" >&2
				return 1
			fi
			edit=$2
			shift 2
			;;
		--)
			shift
			break
			;;
		[A-Za-z_]*=*)
			make_vars+=("$1")
			shift
			;;
		*)
			echo "fixture $name: '$1' is not VAR=VALUE, --edit FUNCTION or -- QEMU_ARG..." >&2
			return 1
			;;
		esac
	done
	fixture_build "$name" "$list" "${make_vars[@]}" &&
		fixture_rootfs "$name" &&
		{ [ -z "$edit" ] || "$edit" "$FIXTURES/$name/rootfs" "$name"; } &&
		fixture_initramfs "$name" &&
		fixture_boot "$name" "$@"
}

# fixture_workload NAME LIST SCRIPT [MAKE_VAR=VALUE ...]: builds modlatch from LIST (its module
# files under /usr/lib/modules, where the root's /lib leads), packs it with
# the workload root and SCRIPT as the supervisor, boots (the caller sets QEMU_MEM and
# BOOT_TIMEOUT; the root is unpacked into RAM) and prints the boot's times to the test log.
fixture_workload() {
	local name=$1 list=$2 script=$3
	shift 3
	fixture_build "$name" "$list" TARGET_MODULES=/usr/lib/modules "$@" &&
		fixture_workload_initramfs "$name" "$script" &&
		fixture_boot "$name" && boot_times "$name"
}

# boot_times NAME: one line for the test log (bats prints fd 3): how long the boot took, from
# QEMU's start to power-off, and modlatch's own time from its start to the confirmed latch.
boot_times() {
	echo "# $RUN $1: boot to power-off $(cat "$FIXTURES/$1/boot-seconds") s," \
		"modlatch start to latch $(summary_field "$1" total_ms) ms" >&3
}
