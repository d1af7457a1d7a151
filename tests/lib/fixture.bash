# SPDX-License-Identifier: MIT
# The one fixture builder of the test suite: build modlatch for a kernel and a list, lay out an
# initramfs around it, boot it in QEMU (TCG) and keep the serial log. Load it from bats with
# `load ../lib/fixture` (or `load lib/fixture`). Every fixture lives in
# build/fixtures/KERNEL/NAME and is left there to read after a run.
#
# Knobs (environment):
#   KERNEL       Debian suite of the kernel under test: bookworm (6.1) or trixie (6.12)
#   TABLE_KERNEL suite of the kernel the table is built for (default: KERNEL)
#   TREE         modules tree to build the table from (default: TABLE_KERNEL's)
#   BOOT_KERNEL  suite of the kernel that boots (default: KERNEL)
#   QEMU_CPU     QEMU CPU model (default: max)
#   QEMU_SMP     virtual CPUs (default: 1); fixtures of a run with QEMU_SMP=2 live apart
#   QEMU_MEM     guest memory in MiB (default: 512)
#   BOOT_APPEND  extra kernel command line
#   GUEST_ARCH   Debian architecture of the guest: amd64 (default) or arm64, for which the shim
#                is cross-built (CROSS=aarch64) and QEMU emulates the virt machine

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KERNEL=${KERNEL:-bookworm}
GUEST_ARCH=${GUEST_ARCH:-amd64}
case "$GUEST_ARCH" in
amd64) ARCH_TAG="" ;;
arm64) ARCH_TAG=arm64 ;;
*) echo "fixture: GUEST_ARCH='$GUEST_ARCH': expected amd64 or arm64" >&2 && return 1 ;;
esac
FIXTURES=$REPO/build/fixtures/$KERNEL${ARCH_TAG:+-$ARCH_TAG}${QEMU_SMP:+-smp$QEMU_SMP}
# How test names say which kernel, architecture and how many CPUs they ran on.
RUN="$KERNEL${ARCH_TAG:+ $ARCH_TAG}${QEMU_SMP:+ smp$QEMU_SMP}"
GUEST=$REPO/tests/boot/guest
# A module no table lists: the guest tries to insmod it after the latch.
OUTSIDER=kernel/drivers/net/nlmon.ko

# The generator, for the suites that run it on the host; each builds it once in setup_file.
GEN=$REPO/build/modlatch-gen
build_generator() { make -s -C "$REPO" build/modlatch-gen; }

kernel_info() { sh "$REPO/scripts/kernel.sh" "$1" "${2:-$KERNEL}" "${3:-$GUEST_ARCH}"; }

# What differs per guest architecture: the make variables of the shim, the static BusyBox and C
# compiler for the image, and how QEMU boots it.
arch_make_vars() { [ "$GUEST_ARCH" = amd64 ] || echo CROSS=aarch64; }
arch_busybox() {
	if [ "$GUEST_ARCH" = amd64 ]; then echo /bin/busybox; else sh "$REPO/scripts/cross.sh" busybox aarch64; fi
}
arch_cc() {
	if [ "$GUEST_ARCH" = amd64 ]; then echo musl-gcc; else sh "$REPO/scripts/cross.sh" cc aarch64; fi
}
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
kernel_modules_dir() { kernel_info modules-dir "$@"; }
kernel_release() { kernel_info release "$@"; }

# The file of a module of the tree, whatever its compression: kernel/x/y.ko -> kernel/x/y.ko.xz
module_file() {
	local tree=$1 rel=$2 f
	for f in "$tree/$rel" "$tree/$rel".{xz,gz,zst}; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	echo "module_file: no $rel in $tree" >&2
	return 1
}

# fixture_make NAME DIR LIST KCONFIG [MAKE_VAR=VALUE ...]: builds $FIXTURES/NAME/DIR/modlatch
# from the fixture's tree, logging to $FIXTURES/NAME/build.log.
fixture_make() {
	local name=$1 dir=$2 list=$3 kconfig=$4
	shift 4
	make -s -C "$REPO" B="$FIXTURES/$name/$dir" LIST="$list" \
		MODULES_DIR="$(cat "$FIXTURES/$name/tree-path")" KCONFIG="$kconfig" \
		SUPERVISOR=/sbin/supervisor "$@" "$FIXTURES/$name/$dir/modlatch" \
		>>"$FIXTURES/$name/build.log" 2>&1 || {
		cat "$FIXTURES/$name/build.log" >&2
		return 1
	}
}

# fixture_build NAME LIST [MAKE_VAR=VALUE ...]: builds modlatch into $FIXTURES/NAME/build.
fixture_build() {
	local name=$1 list=$2 table_kernel=${TABLE_KERNEL:-$KERNEL} kconfig
	shift 2
	kconfig=$(kernel_info config "$table_kernel")
	mkdir -p "$FIXTURES/$name"
	echo "${TREE:-$(kernel_modules_dir "$table_kernel")}" >"$FIXTURES/$name/tree-path"
	: >"$FIXTURES/$name/build.log"
	# shellcheck disable=SC2046 # no words or one
	fixture_make "$name" build "$list" "$kconfig" $(arch_make_vars) "$@" || return 1
	[ "$GUEST_ARCH" = amd64 ] && return 0
	# A cross-built shim cannot run here; a copy for this machine, with the same table and
	# choices, answers --print for the fixture.
	fixture_make "$name" host "$list" "$kconfig" CC=cc STATIC= "$@"
}

# fixture_print NAME: the fixture's table and build choices (modlatch --print).
fixture_print() {
	if [ "$GUEST_ARCH" = amd64 ]; then
		"$FIXTURES/$1/build/modlatch" --print
	else
		"$FIXTURES/$1/host/modlatch" --print
	fi
}

# fixture_rootfs NAME [SUPERVISOR_SCRIPT]: lays out $FIXTURES/NAME/rootfs: modlatch as /init,
# BusyBox, every module file of the table (from the tree it was built from), the outsider
# module uncompressed at /lib/modules/outsider.ko, and the supervisor script as
# /sbin/supervisor (default: the generic guest checks).
fixture_rootfs() {
	local name=$1 script=${2:-$GUEST/supervisor.sh}
	local root=$FIXTURES/$name/rootfs tree release applet rel
	tree=$(cat "$FIXTURES/$name/tree-path")
	release=$(fixture_print "$name" | sed -n 's/^kernel //p')
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,etc,mnt,lib/modules/"$release"}
	install -m 0755 "$FIXTURES/$name/build/modlatch" "$root/init"
	install -m 0755 "$(arch_busybox)" "$root/bin/busybox"
	# The host's BusyBox lists the applets: both are Debian's busybox-static of one release.
	for applet in $(/bin/busybox --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	install -m 0755 "$script" "$root/sbin/supervisor"
	for rel in $(fixture_print "$name" | sed -n 's/.* path=\([^ ]*\).*/\1/p'); do
		install -D -m 0644 "$tree/$rel" "$root/lib/modules/$release/$rel"
	done
	local outsider
	outsider=$(module_file "$(kernel_modules_dir "${BOOT_KERNEL:-$KERNEL}")" "$OUTSIDER")
	case "$outsider" in
	*.xz) xz -dc "$outsider" >"$root/lib/modules/outsider.ko" ;;
	*) cp "$outsider" "$root/lib/modules/outsider.ko" ;;
	esac
}

# fixture_disk NAME: turns the rootfs into $FIXTURES/NAME/disk.img, the ext4 root filesystem
# of an appliance that boots from disk: modlatch as /sbin/init, empty mount points, no /init.
# The fixture then has no initramfs unless fixture_stage adds one.
fixture_disk() {
	local dir=$FIXTURES/$1 root=$FIXTURES/$1/rootfs
	mv "$root/init" "$root/sbin/init"
	mkdir -p "$root"/{dev,proc,sys,run}
	rm -f "$dir/initramfs.cpio" "$dir/disk.img"
	mkfs.ext4 -q -F -L root -d "$root" "$dir/disk.img" 64M
}

# fixture_stage NAME MODULE...: an initramfs for $FIXTURES/NAME that loads MODULE... with what
# they need (as modprobe orders them, decompressed for BusyBox's insmod), mounts /dev/vda
# read-only, moves its /dev and /proc there and switch_roots to the disk's /sbin/init. It is
# the storage stage an appliance needs when its disk driver is a module; it runs before
# modlatch, while module loading is open, and is as trusted as the kernel it ships with.
fixture_stage() {
	local name=$1 stage=$FIXTURES/$1/stage tree n=0 file
	shift
	tree=$(kernel_modules_dir)
	rm -rf "$stage"
	mkdir -p "$stage"/{bin,dev,proc,newroot,stage}
	install -m 0755 "$(arch_busybox)" "$stage/bin/busybox"
	for applet in sh mount insmod sleep switch_root; do ln -s busybox "$stage/bin/$applet"; done
	# modprobe -a names a shared dependency once per module that needs it; stage it once.
	for file in $(modprobe -d "${tree%/lib/modules/*}" -S "$(basename "$tree")" -a \
		--show-depends "$@" | sed -n 's/^insmod \([^ ]*\).*/\1/p' | awk '!seen[$0]++'); do
		n=$((n + 1))
		case "$file" in
		*.xz) xz -dc "$file" ;;
		*) cat "$file" ;;
		esac >"$stage/stage/$(printf %02d $n)-$(basename "${file%.xz}")"
	done
	cat >"$stage/init" <<-'SCRIPT'
		#!/bin/sh
		mount -t devtmpfs devtmpfs /dev
		mount -t proc proc /proc
		for module in /stage/*.ko; do insmod "$module" || echo "stage: insmod $module failed"; done
		n=0
		while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
		mount -t ext4 -o ro /dev/vda /newroot || echo "stage: cannot mount /dev/vda"
		mount --move /dev /newroot/dev
		mount --move /proc /newroot/proc
		exec switch_root /newroot /sbin/init
	SCRIPT
	chmod +x "$stage/init"
	(cd "$stage" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$FIXTURES/$name/initramfs.cpio"
}

# fixture_workload_initramfs NAME SCRIPT: the initramfs of a workload guest, in two parts the
# kernel unpacks one after the other: Debian's workload root (scripts/guestroot.sh, cached),
# then modlatch as /init, the table's module files and SCRIPT as the supervisor. The root has a
# merged /usr, so the second part writes below usr/ and never replaces a link of the first.
fixture_workload_initramfs() {
	local name=$1 script=$2 dir=$FIXTURES/$1 tree release rel base
	base=$(sh "$REPO/scripts/guestroot.sh" cpio) || return 1
	tree=$(cat "$dir/tree-path")
	release=$(fixture_print "$name" | sed -n 's/^kernel //p')
	rm -rf "$dir/overlay"
	mkdir -p "$dir/overlay/usr/sbin"
	install -m 0755 "$dir/build/modlatch" "$dir/overlay/init"
	install -m 0755 "$script" "$dir/overlay/usr/sbin/supervisor"
	for rel in $(fixture_print "$name" | sed -n 's/.* path=\([^ ]*\).*/\1/p'); do
		install -D -m 0644 "$tree/$rel" "$dir/overlay/usr/lib/modules/$release/$rel"
	done
	{
		cat "$base"
		(cd "$dir/overlay" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
	} >"$dir/initramfs.cpio"
}

# fixture_workload NAME LIST SCRIPT [MAKE_VAR=VALUE ...]: builds modlatch from LIST, packs it with
# the workload root and SCRIPT as the supervisor, boots (the caller sets QEMU_MEM and
# BOOT_TIMEOUT; the root is unpacked into RAM) and prints the boot's times to the test log.
fixture_workload() {
	local name=$1 list=$2 script=$3
	shift 3
	fixture_build "$name" "$list" "$@" && fixture_workload_initramfs "$name" "$script" &&
		fixture_boot "$name" && boot_times "$name"
}

# fixture_initramfs NAME: packs the rootfs into $FIXTURES/NAME/initramfs.cpio.
fixture_initramfs() {
	local name=$1
	(cd "$FIXTURES/$name/rootfs" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$FIXTURES/$name/initramfs.cpio"
}

# fixture_boot NAME [QEMU_ARG ...]: boots the initramfs (if the fixture has one; without, the
# QEMU_ARGs give the root disk) and waits for the guest to stop (power
# off or reboot; -no-reboot turns both into QEMU's exit). The serial console lands in
# $FIXTURES/NAME/serial.log. Fails if the guest does not stop within BOOT_TIMEOUT seconds.
fixture_boot() {
	local name=$1
	shift
	local dir=$FIXTURES/$name vmlinuz
	vmlinuz=$(kernel_info vmlinuz "${BOOT_KERNEL:-$KERNEL}")
	rm -f "$dir/serial.log"
	# loglevel=2: the kernel echoes none of modlatch's /dev/kmsg lines (crit and below) to the
	# console, where with two vCPUs the echo could land inside modlatch's own console line.
	# QEMU must not inherit bats' descriptors 3 and 4, or the run hangs.
	local initrd=()
	[ -e "$dir/initramfs.cpio" ] && initrd=(-initrd "$dir/initramfs.cpio")
	local started=$SECONDS
	# shellcheck disable=SC2046 # the emulator and its options are words
	timeout "${BOOT_TIMEOUT:-240}" $(arch_qemu) -accel tcg \
		-m "${QEMU_MEM:-512}" -smp "${QEMU_SMP:-1}" -display none -monitor none -no-reboot \
		-serial "file:$dir/serial.log" -kernel "$vmlinuz" "${initrd[@]}" \
		-append "console=$(arch_console) panic=-1 loglevel=2 ${BOOT_APPEND:-}" "$@" \
		</dev/null >"$dir/qemu.log" 2>&1 3>&- 4>&-
	local rc=$?
	echo $((SECONDS - started)) >"$dir/boot-seconds"
	if [ "$rc" -ne 0 ]; then
		echo "qemu exited with $rc; serial log:" >&2
		cat "$dir/serial.log" >&2
		return 1
	fi
}

# fixture NAME LIST [MAKE_VAR=VALUE ...]: build, lay out, pack and boot with the generic checks.
fixture() {
	local name=$1 list=$2
	shift 2
	fixture_build "$name" "$list" "$@" &&
		fixture_rootfs "$name" &&
		fixture_initramfs "$name" &&
		fixture_boot "$name"
}

# boot_times NAME: one line for the test log (bats prints fd 3): how long the boot took, from
# QEMU's start to power-off, and modlatch's own time from its start to the confirmed latch.
boot_times() {
	echo "# $RUN $1: boot to power-off $(cat "$FIXTURES/$1/boot-seconds") s," \
		"modlatch start to latch $(summary_field "$1" total_ms) ms" >&3
}

# The lines modlatch wrote to the console itself (not the kernel's echo of /dev/kmsg).
modlatch_lines() { tr -d '\r' <"$FIXTURES/$1/serial.log" | grep '^modlatch: '; }
# The marker lines a guest script printed as "CHECK key=value", without "CHECK ".
check_lines() { tr -d '\r' <"$FIXTURES/$1/serial.log" | sed -n 's/^CHECK //p'; }
# The summary line's value for key.
summary_field() { modlatch_lines "$1" | sed -n "s/^modlatch: summary .*\\<$2=\\([^ ]*\\).*/\\1/p"; }
# assert_step NAME STEP: a workload guest reported "CHECK step=STEP ok"; if not, the message is
# what it reported instead (the tool's own error).
assert_step() {
	local line
	line=$(check_lines "$1" | grep "^step=$2 ")
	[ "$line" = "step=$2 ok" ] && return 0
	echo "${line:-step=$2 was never reported}; see $FIXTURES/$1/serial.log" >&2
	return 1
}
# The table's modules that must be in /proc/modules, sorted and comma-separated: neither built
# in nor absent, nor optional and reported failed (crc32c_intel on a CPU without SSE4.2).
table_loaded() {
	local skipped
	skipped=$(modlatch_lines "$1" |
		sed -n 's/^modlatch: module=\([^ ]*\) result=optional-failed .*/\1/p')
	# "/" stands for none: no module name matches it.
	fixture_print "$1" | grep -v -E 'flags=[^ ]*(builtin|absent)' |
		sed -n 's/^[0-9]* name=\([^ ]*\).*/\1/p' | grep -vxF -e "${skipped:-/}" |
		LC_ALL=C sort | paste -sd, -
}
# Module names in the order modlatch reports them loaded.
loaded_order() { modlatch_lines "$1" | sed -n 's/^modlatch: module=\([^ ]*\) result=loaded.*/\1/p'; }
# Module names of the table in table order.
table_order() { fixture_print "$1" | sed -n 's/^[0-9]* name=\([^ ]*\).*/\1/p'; }

# fixture_tree NAME REL_PATH...: a small modules tree in $FIXTURES/NAME/tree holding copies of
# the kernel's given module files (each in whatever compression the kernel ships) and its
# modules.builtin, indexed by depmod. Prints its <root>/lib/modules/<release>. Tests that
# damage a tree damage this copy.
fixture_tree() {
	local name=$1
	shift
	local src release dst rel file
	src=$(kernel_modules_dir)
	release=$(kernel_release)
	dst=$FIXTURES/$name/tree/lib/modules/$release
	rm -rf "$FIXTURES/$name/tree"
	mkdir -p "$dst"
	cp "$src/modules.builtin" "$src/modules.builtin.modinfo" "$src/modules.order" "$dst/"
	for rel in "$@"; do
		file=$(module_file "$src" "$rel") || return 1
		install -D -m 0644 "$file" "$dst/${file#"$src"/}"
	done
	depmod -b "$FIXTURES/$name/tree" "$release"
	echo "$dst"
}

# other_kernel: the suite of the other kernel under test.
other_kernel() { [ "$KERNEL" = bookworm ] && echo trixie || echo bookworm; }

# flip_byte FILE OFFSET: changes one byte of FILE in place.
flip_byte() {
	local byte
	byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the byte
	printf "\\$(printf %o $((byte ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# fixture_overlay NAME: copies rootfs-overlay/ into the rootfs.
fixture_overlay() {
	cp -a "$REPO/rootfs-overlay/." "$FIXTURES/$1/rootfs/"
}

# fixture_programs NAME PROGRAM...: copies host programs and the shared libraries they need
# (by ldd) into the rootfs at the same paths.
fixture_programs() {
	local root=$FIXTURES/$1/rootfs program lib
	shift
	for program in "$@"; do
		install -D -m 0755 "$program" "$root$program"
		for lib in $(ldd "$program" | grep -o '/[^ ]*'); do
			[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
		done
	done
}

# fixture_guest_tool NAME SRC: builds a static helper from SRC into the rootfs as /sbin/NAME.
fixture_guest_tool() {
	# shellcheck disable=SC2046 # the compiler and its options are words
	$(arch_cc) -static -Os -s -Wall -Wextra -o "$FIXTURES/$1/rootfs/sbin/$2" "$3"
}
