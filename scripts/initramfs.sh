#!/bin/sh
# SPDX-License-Identifier: MIT
# The steps of `make initramfs`; the Makefile passes its variables in the environment (B, GEN,
# MODULES_DIR, KCONFIG, TARGET_MODULES, INITRAMFS_OVERLAY, INITRAMFS_COMPRESSION,
# SOURCE_DATE_EPOCH).
#
#   initramfs.sh vars             checks the variables and prints what the archive depends on
#                                 beyond its files (the overlay as a listing), for make to compare
#   initramfs.sh cpio OUT         writes OUT: modlatch as /init, the table's module files at
#                                 TARGET_MODULES/<release>/<path>, /dev/console, the overlay
#   initramfs.sh compress IN OUT  IN compressed as INITRAMFS_COMPRESSION says, to OUT
#
# What the archive holds and why:
#   - /init: $B/modlatch (0755).
#   - Exactly the module files the table pins, no more: $B/table.files, written by the same
#     modlatch-gen run as the table (--files), names them with their SHA-256, and the staged copies
#     are checked against it, so a tree changed after the table was built is refused here rather
#     than at boot. They go where the shim opens them, TARGET_MODULES/<release>/<path> (0644,
#     directories 0755). <release> is MODULES_DIR's last component, as for the generator.
#   - /dev (0755) and /dev/console, a character device 5,1 (0600), as in the kernel's own built-in
#     initramfs: the kernel opens /dev/console for init's standard input and output before any
#     init runs and before anything is mounted; without it, it says "unable to open an initial
#     console" and init starts with no descriptors 0 to 2. (Debian's kernels carry the built-in
#     one and would supply it; a kernel built with CONFIG_INITRAMFS_SOURCE would not.)
#   - No /proc, /sys or /run: modlatch creates each mount point before it mounts there.
#   - INITRAMFS_OVERLAY's tree, with its modes, merged over the above: its directories may be
#     ours (lib, dev), but it may not replace /init, /dev/console or a module file, nor turn one of
#     our directories into a link (the module files would then land wherever it points).
# The archive itself is written by `modlatch-gen --cpio` (gen/cpio.c says why not GNU cpio):
# sorted, owned by 0:0, every entry dated SOURCE_DATE_EPOCH, by default the time of the last
# commit of this source tree, or 0 outside a git work tree. Nothing is left half-written: OUT
# appears whole or not at all.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd -P)
B=${B:-build}
GEN=${GEN:-$B/modlatch-gen}
TARGET_MODULES=${TARGET_MODULES:-/lib/modules}
INITRAMFS_COMPRESSION=${INITRAMFS_COMPRESSION:-gzip}
me="make initramfs"
die() {
	echo "$me: $*" >&2
	exit 1
}

# The compressor of each INITRAMFS_COMPRESSION, with the kernel option that unpacks it. Each is
# pinned to one thread: xz and zstd split their output differently with more, so the bytes would
# depend on the machine. xz as the kernel's own initramfs build calls it (crc32: the kernel checks
# no other; a 1 MiB dictionary: it allocates the dictionary while it unpacks).
compressor() {
	case ${INITRAMFS_COMPRESSION:-} in
	gzip) echo "CONFIG_RD_GZIP .gz gzip -n -9 -c" ;;
	zstd) echo "CONFIG_RD_ZSTD .zst zstd -q -19 -T1 -c" ;;
	xz) echo "CONFIG_RD_XZ .xz xz --check=crc32 --lzma2=dict=1MiB -T1 -c" ;;
	none) echo "- -" ;;
	*) die "INITRAMFS_COMPRESSION='${INITRAMFS_COMPRESSION:-}': expected gzip, zstd, xz or none" ;;
	esac
}

# The kernel must take an initramfs at all, and unpack this one.
check_kconfig() {
	[ -n "${KCONFIG:-}" ] || return 0
	[ -r "$KCONFIG" ] || die "KCONFIG=$KCONFIG: cannot read it"
	for option in CONFIG_BLK_DEV_INITRD "$1"; do
		[ "$option" = - ] || grep -qx "$option=y" "$KCONFIG" ||
			die "INITRAMFS_COMPRESSION=$INITRAMFS_COMPRESSION: $KCONFIG lacks $option=y," \
				"so the kernel could not unpack the initramfs (choose a compression it has, or none)"
	done
}

# SOURCE_DATE_EPOCH, or the last commit's time when this tree is the top of a git work tree (an
# unpacked release inside another project's work tree must not take that project's time), or 0.
epoch() {
	if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
		echo "$SOURCE_DATE_EPOCH"
	elif top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null) &&
		[ "$(cd "$top" && pwd -P)" = "$src" ] && git -C "$src" log -1 --format=%ct 2>/dev/null; then
		:
	else
		echo 0
	fi
}

check_epoch() {
	case $1 in
	'' | *[!0-9]*) die "SOURCE_DATE_EPOCH='$1': expected seconds since 1970" ;;
	esac
	if [ "${#1}" -gt 10 ] || [ "$1" -gt 4294967295 ]; then
		die "SOURCE_DATE_EPOCH=$1: the cpio format holds times up to 4294967295 (2106)"
	fi
}

check_overlay() {
	[ -z "${INITRAMFS_OVERLAY:-}" ] || [ -d "$INITRAMFS_OVERLAY" ] ||
		die "INITRAMFS_OVERLAY=$INITRAMFS_OVERLAY: not a directory"
}

print_vars() {
	spec=$(compressor)
	# shellcheck disable=SC2086 # the option is the first word
	set -- $spec
	check_kconfig "$1"
	time=$(epoch)
	check_epoch "$time"
	check_overlay
	echo "compression=$INITRAMFS_COMPRESSION"
	echo "kconfig=${KCONFIG:-}"
	echo "modules_dir=$MODULES_DIR"
	echo "target_modules=$TARGET_MODULES"
	echo "source_date_epoch=$time"
	echo "overlay=${INITRAMFS_OVERLAY:-}"
	# The overlay as make cannot see it: every entry's name, type, mode, size, time and link.
	if [ -n "${INITRAMFS_OVERLAY:-}" ]; then
		printf 'overlay_listing='
		find "$INITRAMFS_OVERLAY" -printf '%P\t%y\t%m\t%s\t%T@\t%l\n' | LC_ALL=C sort |
			sha256sum | cut -d' ' -f1
	fi
}

# stage_own STAGE: modlatch, the table's module files and /dev, checked against the pins.
stage_own() {
	stage=$1 files=$(cd "$B" && pwd -P)/table.files
	moddir=${TARGET_MODULES#/}/$(basename "$MODULES_DIR")
	install -m 0755 "$B/modlatch" "$stage/init"
	mkdir -m 0755 "$stage/dev"
	[ -s "$files" ] || return 0
	while read -r _ path; do
		install -D -m 0644 "$MODULES_DIR/$path" "$stage/$moddir/$path"
	done <"$files"
	(cd "$stage/$moddir" && sha256sum --quiet --strict -c "$files" >&2) ||
		die "the files above in $MODULES_DIR are not the ones $B/table.c pins: the tree changed" \
			"after the table was built; rebuild it (rm $B/table.c, then make initramfs again)"
}

# check_overlay_against STAGE: the overlay adds to our entries; it replaces none of them.
check_overlay_against() {
	overlay=$INITRAMFS_OVERLAY
	# Parents before children: a directory of ours that is a link in the overlay is named before
	# anything below it is looked at through that link.
	(cd "$1" && find . -mindepth 1 -printf '%y %P\n' && echo "c dev/console") | LC_ALL=C sort -k2 |
		while read -r type name; do
			[ -e "$overlay/$name" ] || [ -L "$overlay/$name" ] || continue
			case $type/$name in
			d/*) ;;
			*/init) what="modlatch" ;;
			*/dev/console) what="the console" ;;
			*) what="a module file the table pins" ;;
			esac
			[ "$type" = d ] || die "INITRAMFS_OVERLAY=$overlay: it has $name, which would replace" \
				"/$name, $what"
			if [ -L "$overlay/$name" ] || [ ! -d "$overlay/$name" ]; then
				die "INITRAMFS_OVERLAY=$overlay: $name must be a directory there (modlatch's" \
					"files go below it), not a link or a file"
			fi
		done || exit 1
}

write_cpio() {
	[ $# -eq 1 ] || die "usage: initramfs.sh cpio OUT"
	out=$1
	time=$(epoch)
	check_epoch "$time"
	check_overlay
	umask 022
	stage=$(mktemp -d "$B/initramfs.stage.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	stage_own "$stage"
	if [ -n "${INITRAMFS_OVERLAY:-}" ]; then
		check_overlay_against "$stage"
		cp -a "$INITRAMFS_OVERLAY/." "$stage/"
	fi
	"$GEN" --cpio --mtime "$time" --node dev/console:0600:c:5:1 "$stage" "$out"
	# A compressed copy of an older archive must not be taken for this one.
	rm -f "$out.gz" "$out.zst" "$out.xz"
	echo "initramfs: $out: $(cd "$stage" && find . -mindepth 1 | wc -l) entries and" \
		"/dev/console, $(stat -c %s "$out") bytes, dated $time"
}

write_compressed() {
	[ $# -eq 2 ] || die "usage: initramfs.sh compress IN OUT"
	spec=$(compressor)
	# shellcheck disable=SC2086 # the option, the suffix, the command and its options
	set -- "$1" "$2" $spec
	in=$1 out=$2 option=$3 suffix=$4
	shift 4
	[ "$out" = "$in$suffix" ] || die "$out: INITRAMFS_COMPRESSION=$INITRAMFS_COMPRESSION writes $in$suffix"
	check_kconfig "$option"
	"$@" <"$in" >"$out.tmp" || {
		rm -f "$out.tmp"
		die "$1 failed"
	}
	mv "$out.tmp" "$out"
	echo "initramfs: $out: $INITRAMFS_COMPRESSION, $(stat -c %s "$out") bytes"
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
vars) print_vars "$@" ;;
cpio) write_cpio "$@" ;;
compress) write_compressed "$@" ;;
*) die "usage: initramfs.sh vars|cpio OUT|compress IN OUT" ;;
esac
