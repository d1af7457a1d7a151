# SPDX-License-Identifier: MIT
# The guest's image: modlatch built for a fixture, the guest's own files laid out beside it, and
# both packed as an initramfs (make initramfs) or an ext4 disk. Part of the fixture library
# (tests/lib/fixture.bash, whose header lists every knob); needs kernel.bash. Knobs read here:
# TABLE_KERNEL, TREE, BOOT_KERNEL, GUEST_ARCH.

GUEST=$REPO/tests/boot/guest
# A module no table lists: the guest tries to insmod it after the latch.
OUTSIDER=kernel/drivers/net/nlmon.ko

# What differs per guest architecture: the make variables of the shim, and the static BusyBox
# and C compiler for the image. (How QEMU boots it is in boot.bash.)
arch_make_vars() { [ "$GUEST_ARCH" = amd64 ] || echo CROSS=aarch64; }
arch_busybox() {
	if [ "$GUEST_ARCH" = amd64 ]; then echo /bin/busybox; else sh "$REPO/scripts/cross.sh" busybox aarch64; fi
}
arch_cc() {
	if [ "$GUEST_ARCH" = amd64 ]; then echo musl-gcc; else sh "$REPO/scripts/cross.sh" cc aarch64; fi
}

# fixture_make NAME DIR TARGET [MAKE_VAR=VALUE ...]: makes TARGET with make's B at
# $FIXTURES/NAME/DIR, the variables fixture_build recorded for NAME and the MAKE_VARs, logging to
# $FIXTURES/NAME/build.log.
fixture_make() {
	local name=$1 dir=$2 target=$3 vars
	shift 3
	mapfile -t vars <"$FIXTURES/$name/make-vars"
	make -s -C "$REPO" B="$FIXTURES/$name/$dir" "${vars[@]}" "$@" "$target" \
		>>"$FIXTURES/$name/build.log" 2>&1 || {
		cat "$FIXTURES/$name/build.log" >&2
		return 1
	}
}

# fixture_build NAME LIST [MAKE_VAR=VALUE ...]: builds modlatch into $FIXTURES/NAME/build, and
# records the list, the tree and the MAKE_VARs in $FIXTURES/NAME/make-vars for the fixture's
# later makes (fixture_initramfs).
fixture_build() {
	local name=$1 list=$2 table_kernel=${TABLE_KERNEL:-$KERNEL} dir=$FIXTURES/$1
	shift 2
	mkdir -p "$dir"
	echo "${TREE:-$(kernel_modules_dir "$table_kernel")}" >"$dir/tree-path"
	printf '%s\n' "LIST=$list" "MODULES_DIR=$(cat "$dir/tree-path")" \
		"KCONFIG=$(kernel_info config "$table_kernel")" SUPERVISOR=/sbin/supervisor "$@" \
		>"$dir/make-vars"
	: >"$dir/build.log"
	# shellcheck disable=SC2046 # no words or one
	fixture_make "$name" build "$dir/build/modlatch" $(arch_make_vars) || return 1
	[ "$GUEST_ARCH" = amd64 ] && return 0
	# A cross-built shim cannot run here; a copy for this machine, with the same table and
	# choices, answers --print for the fixture.
	fixture_make "$name" host "$dir/host/modlatch" CC=cc STATIC=
}

# fixture_print NAME: the fixture's table and build choices (modlatch --print).
fixture_print() {
	if [ "$GUEST_ARCH" = amd64 ]; then
		"$FIXTURES/$1/build/modlatch" --print
	else
		"$FIXTURES/$1/host/modlatch" --print
	fi
}

# fixture_rootfs NAME [SUPERVISOR_SCRIPT]: lays out $FIXTURES/NAME/rootfs, the guest's own files:
# BusyBox, the outsider module uncompressed at /lib/modules/outsider.ko, and the supervisor script
# as /sbin/supervisor (default: the generic guest checks). modlatch and the table's module files
# are not in it: make initramfs adds them (fixture_initramfs), or fixture_pinned for a case that
# changes them or boots from a disk.
fixture_rootfs() {
	local name=$1 script=${2:-$GUEST/supervisor.sh}
	local root=$FIXTURES/$name/rootfs applet
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,etc,mnt,lib/modules}
	install -m 0755 "$(arch_busybox)" "$root/bin/busybox"
	# The host's BusyBox lists the applets: both are Debian's busybox-static of one release.
	for applet in $(/bin/busybox --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	install -m 0755 "$script" "$root/sbin/supervisor"
	local outsider
	outsider=$(module_file "$(kernel_modules_dir "${BOOT_KERNEL:-$KERNEL}")" "$OUTSIDER")
	case "$outsider" in
	*.xz) xz -dc "$outsider" >"$root/lib/modules/outsider.ko" ;;
	*) cp "$outsider" "$root/lib/modules/outsider.ko" ;;
	esac
}

# fixture_pinned NAME: adds what make initramfs would to the rootfs, modlatch as /init and every
# module file of the table (from the tree it was built from), for a case that damages them or
# packs the rootfs otherwise (fixture_pack, fixture_disk).
fixture_pinned() {
	local name=$1 root=$FIXTURES/$1/rootfs tree release rel
	tree=$(cat "$FIXTURES/$name/tree-path")
	release=$(fixture_print "$name" | sed -n 's/^kernel //p')
	install -m 0755 "$FIXTURES/$name/build/modlatch" "$root/init"
	for rel in $(fixture_print "$name" | sed -n 's/.* path=\([^ ]*\).*/\1/p'); do
		install -D -m 0644 "$tree/$rel" "$root/lib/modules/$release/$rel"
	done
}

# fixture_overlay NAME: copies rootfs-overlay/ into the rootfs, as a user does.
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

# flip_byte FILE OFFSET: changes one byte of FILE in place.
flip_byte() {
	local byte
	byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the byte
	printf "\\$(printf %o $((byte ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# fixture_initramfs NAME [MAKE_VAR=VALUE ...]: the fixture's initramfs as a user builds it: `make
# initramfs` for its build (modlatch as /init, the table's module files, /dev/console) with the
# rootfs as INITRAMFS_OVERLAY, uncompressed (the MAKE_VARs may say otherwise), copied to
# $FIXTURES/NAME/initramfs.cpio for fixture_boot.
fixture_initramfs() {
	local name=$1 dir=$FIXTURES/$1
	shift
	rm -f "$dir/initramfs.cpio"
	# shellcheck disable=SC2046 # no words or one
	fixture_make "$name" build initramfs $(arch_make_vars) INITRAMFS_OVERLAY="$dir/rootfs" \
		INITRAMFS_COMPRESSION=none "$@" && cp "$dir/build/initramfs.cpio" "$dir/initramfs.cpio"
}

# fixture_pack NAME: packs the rootfs as it is into $FIXTURES/NAME/initramfs.cpio, for the cases
# make initramfs refuses: a module file of the table damaged or replaced (after fixture_pinned).
fixture_pack() {
	local name=$1
	(cd "$FIXTURES/$name/rootfs" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$FIXTURES/$name/initramfs.cpio"
}

# fixture_disk NAME: turns the rootfs into $FIXTURES/NAME/disk.img, the ext4 root filesystem
# of an appliance that boots from disk: modlatch as /sbin/init, empty mount points, no /init.
# The fixture then has no initramfs unless fixture_stage adds one.
fixture_disk() {
	local dir=$FIXTURES/$1 root=$FIXTURES/$1/rootfs
	fixture_pinned "$1" || return 1
	mv "$root/init" "$root/sbin/init"
	mkdir -p "$root"/{dev,proc,sys,run}
	rm -f "$dir/initramfs.cpio" "$dir/disk.img"
	mkfs.ext4 -q -F -L root -d "$root" "$dir/disk.img" 64M
}

# fixture_stage NAME MODULE...: an initramfs for $FIXTURES/NAME that loads MODULE... with what
# they need (as modprobe orders them, decompressed for BusyBox's insmod), mounts /dev/vda
# read-only, moves its /dev and /proc there and switch_roots to the disk's /sbin/init (its /init
# is tests/boot/guest/stage.sh). It is the storage stage an appliance needs when its disk driver
# is a module; it runs before modlatch, while module loading is open, and is as trusted as the
# kernel it ships with.
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
	install -m 0755 "$GUEST/stage.sh" "$stage/init"
	(cd "$stage" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$FIXTURES/$name/initramfs.cpio"
}

# fixture_workload_initramfs NAME SCRIPT: the initramfs of a workload guest, in two parts the
# kernel unpacks one after the other: Debian's workload root (scripts/guestroot.sh, cached), then
# `make initramfs` of the fixture's build with SCRIPT as the supervisor in its overlay. The root
# has a merged /usr (/lib and /sbin are links), so the second part writes below usr/ and never
# replaces a link of the first: the workload builds with TARGET_MODULES=/usr/lib/modules
# (fixture_workload). The root stays a part of its own rather than an overlay: it is some 200 MB
# with device nodes and hard links, packed once for every boot, where an overlay would be copied
# and packed again for each.
fixture_workload_initramfs() {
	local name=$1 script=$2 dir=$FIXTURES/$1 base
	base=$(sh "$REPO/scripts/guestroot.sh" cpio) || return 1
	rm -rf "$dir/overlay" "$dir/initramfs.cpio"
	mkdir -p "$dir/overlay/usr/sbin"
	install -m 0755 "$script" "$dir/overlay/usr/sbin/supervisor"
	fixture_make "$name" build initramfs INITRAMFS_OVERLAY="$dir/overlay" \
		INITRAMFS_COMPRESSION=none || return 1
	cat "$base" "$dir/build/initramfs.cpio" >"$dir/initramfs.cpio"
}
