#!/bin/sh
# SPDX-License-Identifier: MIT
# modlatch-update-initramfs: builds the boot image of an installed kernel, /boot/initrd.img-VERSION,
# from the settings in /etc/modlatch: modlatch, its table for that kernel's modules tree, and the
# module files the table pins. `make install-initramfs-tool` installs it (the Debian package);
# the kernel hooks (kernel-hook.sh) call it; modlatch-update-initramfs(8)
# is its manual.
#
#   modlatch-update-initramfs -k VERSION|all [-b DIR] [-v]   build and check, then replace
#   modlatch-update-initramfs -d -k VERSION [-b DIR]          delete the image
#   modlatch-update-initramfs -c                              check the settings only
#
# The image appears whole or not at all. It is built in a directory of its own under TMPDIR
# (default /var/tmp),
# copied beside the old one as IMAGE.new and synced, then checked: unpacked, its /init must be
# the shim just built, name this kernel, and pass `--verify` against the image's own module files
# (and, with ROOT, find the supervisor in this root); the shim must also pass `--verify` against
# the kernel's tree. Only then is IMAGE.new renamed over IMAGE and the directory synced. Any
# failure removes IMAGE.new, keeps IMAGE as it was, names the cause (the settings file and line,
# the list line, the path) and exits 1.
#
# Exit status: 0 done; 1 failed (for -k all: at least one kernel failed, each is named);
# 2 usage; 3 not configured yet (the settings name no root and no overlay, so there is nothing
# an image could boot; the package's postinst says so and goes on).
set -eu

# make install-initramfs-tool writes the installed paths here.
src=@datadir@/modlatch/src
gen=@bindir@/modlatch-gen
etc=@sysconfdir@/modlatch

me=modlatch-update-initramfs
conf=$etc/modlatch.conf
# The settings of modlatch.conf: the build variables of doc/build.md that an installed kernel's
# image takes, plus LIST. Nothing else is passed to make.
SETTINGS="LIST SUPERVISOR FALLBACK_SHELL ON_FATAL ON_MODULE_FAILURE ON_INTEGRITY_FAILURE \
ON_FOREIGN_MODULE ALLOW_FOREIGN KILL_OTHERS HANDOFF ON_EXIT STOP_TIMEOUT LOAD_DEADLINE LOAD \
MAX_THREADS SHA256 ALSO_LATCH AFTER_LATCH ROOT ROOT_FSTYPE ROOT_MODE ROOT_WAIT VERITY \
VERITY_ON_CORRUPTION INITRAMFS_COMPRESSION INITRAMFS_OVERLAY"

say() { echo "$me: $*" >&2; }
die() {
	say "$*"
	exit 1
}
usage() {
	echo "usage: $me -k VERSION|all [-b DIR] [-v] | -d -k VERSION [-b DIR] | -c" >&2
	exit 2
}

# --- the settings ---

# trim TEXT: TEXT without the blanks around it.
trim() {
	set -- "${1#"${1%%[![:space:]]*}"}"
	printf '%s' "${1%"${1##*[![:space:]]}"}"
}

is_setting() {
	case " $SETTINGS " in
	*" $1 "*) return 0 ;;
	*) return 1 ;;
	esac
}

# setting_line NAME: the line of modlatch.conf that sets NAME, or nothing.
setting_line() { eval "printf '%s' \"\${line_$1:-}\""; }

# read_settings: each NAME=value line of modlatch.conf into value_NAME and line_NAME. A value
# may be quoted, "..." or '...', and holds no quote, backslash, $ or `: it is passed as written.
read_settings() {
	[ -r "$conf" ] || die "$conf: cannot read it (the package installs it; see modlatch.conf(5))"
	n=0
	while IFS= read -r raw || [ -n "$raw" ]; do
		n=$((n + 1))
		line=$(trim "$raw")
		case $line in
		'' | '#'*) continue ;;
		*=*) ;;
		*) die "$conf:$n: expected NAME=value, not '$line'" ;;
		esac
		name=${line%%=*} value=${line#*=}
		case $name in
		*[[:space:]]*) die "$conf:$n: '$line': no blanks around '=' (NAME=value)" ;;
		esac
		is_setting "$name" || die "$conf:$n: '$name' is not a setting; modlatch.conf(5) lists them"
		case $value in
		\"*\" | \'*\') value=${value#?} value=${value%?} ;;
		esac
		case $value in
		*[\"\'\\\$\`]* | *[[:cntrl:]]*)
			die "$conf:$n: $name: a value holds no quote, backslash, \$ or \` (it is taken as written)"
			;;
		esac
		first=$(setting_line "$name")
		[ -z "$first" ] || die "$conf:$n: $name is set again (first on line $first)"
		eval "line_$name=\$n value_$name=\$value"
	done <"$conf"
}

# value NAME [DEFAULT]: the setting's value, or DEFAULT.
value() { eval "printf '%s' \"\${value_$1:-${2:-}}\""; }

# at NAME: "modlatch.conf:LINE: " for a setting from the file, else nothing.
at() {
	line=$(setting_line "$1")
	[ -z "$line" ] || printf '%s:%s: ' "$conf" "$line"
}

# check_settings: what the build would only find late, named with its line: the files the
# settings name, and whether there is anything to boot at all.
check_settings() {
	list=$(value LIST "$etc/modules.list")
	{ [ -f "$list" ] && [ -r "$list" ]; } || die "$(at LIST)LIST=$list: no such file, or not readable"
	verity=$(value VERITY)
	[ -z "$verity" ] || [ -f "$verity" ] || die "$(at VERITY)VERITY=$verity: no such file"
	overlay=$(value INITRAMFS_OVERLAY)
	[ -z "$overlay" ] || [ -d "$overlay" ] ||
		die "$(at INITRAMFS_OVERLAY)INITRAMFS_OVERLAY=$overlay: not a directory"
	if [ -z "$(value ROOT)" ] && [ -z "$overlay" ]; then
		say "$conf: no ROOT (the disk modlatch mounts and hands over to) and no" \
			"INITRAMFS_OVERLAY (a tree that holds the supervisor), so an image would have nothing" \
			"to run; set one (modlatch.conf(5), doc/debian.md), then run $me -k all"
		exit 3
	fi
}

# make_settings: "NAME=value" for each setting the file sets, one per line: make's arguments.
make_settings() {
	for name in $SETTINGS; do
		[ -z "$(setting_line "$name")" ] || printf '%s=%s\n' "$name" "$(value "$name")"
	done
}

# explain: the build's messages, with what names a setting prefixed by its file and line, and
# without make's own lines about its temporary files.
explain() {
	while IFS= read -r msg; do
		case $msg in
		"make: *** "* | "make["*"]: *** "* | "modlatch-gen: "*" not written") continue ;;
		"mkconfig: "* | "make initramfs: "*)
			text=${msg#*: } name=${text%%[=:]*}
			if is_setting "$name" && [ -n "$(setting_line "$name")" ]; then
				msg="$(at "$name")$text"
			fi
			;;
		esac
		printf '%s\n' "$msg"
	done
}

# --- one kernel's image ---

# run_make LOG TARGET... : make in the installed build, for this kernel, with the settings.
run_make() {
	log=$1
	shift
	settings=$(make_settings) || return 1
	(
		# One word per line, NAME=value, never globbed.
		set -f
		IFS='
'
		# shellcheck disable=SC2086
		set -- "$@" $settings
		IFS=' '
		# WERROR= : a newer compiler's new warning must not stop a kernel's update.
		make -s -C "$src" B="$work/build" GEN="$gen" LIST="$list" MODULES_DIR="$tree" \
			KCONFIG="$kconfig" SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-0}" WERROR= "$@"
	) >"$log" 2>&1
}

suffix() {
	case $(value INITRAMFS_COMPRESSION gzip) in
	gzip) echo .gz ;;
	zstd) echo .zst ;;
	xz) echo .xz ;;
	*) echo "" ;;
	esac
}

decompress() {
	case $(value INITRAMFS_COMPRESSION gzip) in
	gzip) gzip -dc ;;
	zstd) zstd -qdc ;;
	xz) xz -dc ;;
	*) cat ;;
	esac
}

# fail_kernel MESSAGE: names what failed, removes IMAGE.new, keeps the image, ends this kernel.
fail_kernel() {
	say "kernel $version: $*"
	rm -f "$new"
	if [ -e "$image" ]; then
		say "kernel $version: $image is unchanged"
	else
		say "kernel $version: no image was written"
	fi
	return 1
}

# check_image: IMAGE.new, unpacked, is what was built, for this kernel, and passes --verify.
check_image() {
	unpacked=$work/unpacked
	mkdir "$unpacked" || return 1
	# dev/console is a device node; the check needs none and may not be allowed to make one.
	decompress <"$new" | (cd "$unpacked" && cpio -i -d --quiet --no-absolute-filenames \
		-f 'dev/console') 2>"$work/cpio.err" ||
		fail_kernel "$new: cannot unpack it: $(cat "$work/cpio.err")" || return 1
	cmp -s "$unpacked/init" "$work/build/modlatch" ||
		fail_kernel "$new: its /init is not the modlatch just built" || return 1
	case $("$unpacked/init" --version) in
	*"(kernel $version, "*) ;;
	*) fail_kernel "$new: its /init names another kernel: $("$unpacked/init" --version)" || return 1 ;;
	esac
	# The image's module files; with ROOT, the supervisor in this root, as the boot finds it.
	set -- "$unpacked"
	[ -z "$(value ROOT)" ] || set -- "$unpacked" /
	"$unpacked/init" --verify "$@" >"$work/verify-image.log" 2>&1 ||
		fail_kernel "$new: modlatch --verify of the image failed:" \
			"$(grep -v '^ok ' "$work/verify-image.log")" || return 1
	# The kernel's own tree: still the files the table pins.
	"$work/build/modlatch" --verify / >"$work/verify-tree.log" 2>&1 ||
		fail_kernel "$tree changed while the image was built: modlatch --verify / failed:" \
			"$(grep -v '^ok ' "$work/verify-tree.log")" || return 1
}

# build_one VERSION: the image of one kernel, or a failure that keeps the old one.
build_one() {
	version=$1 tree=/lib/modules/$1 kconfig=/boot/config-$1
	image=$bootdir/initrd.img-$version new=$bootdir/initrd.img-$version.new
	[ -d "$tree" ] || fail_kernel "$tree: no such directory: the kernel's modules are not" \
		"installed (is its package?)" || return 1
	for index in modules.dep modules.dep.bin; do
		[ -f "$tree/$index" ] || fail_kernel "$tree/$index: missing: run depmod $version" ||
			return 1
	done
	[ -r "$kconfig" ] || kconfig=""
	# Not /tmp: it may be mounted noexec, and the check runs the image's /init.
	work=$(mktemp -d "${TMPDIR:-/var/tmp}/$me.XXXXXX") || fail_kernel "cannot make a" \
		"directory in ${TMPDIR:-/var/tmp}" || return 1
	ok=0
	build_in_work || ok=$?
	rm -rf "$work"
	return "$ok"
}

build_in_work() {
	[ -z "$verbose" ] || say "kernel $version: building in $work"
	if ! run_make "$work/build.log" initramfs; then
		explain <"$work/build.log" >&2
		fail_kernel "the image was not built" || return 1
	fi
	[ -z "$verbose" ] || cat "$work/build.log" >&2
	built=$work/build/initramfs.cpio$(suffix)
	rm -f "$new"
	cp "$built" "$new" 2>"$work/cp.err" && sync "$new" 2>>"$work/cp.err" ||
		fail_kernel "$(sed 's/^cp: //' "$work/cp.err")" || return 1
	check_image || return 1
	mv -f "$new" "$image" && sync "$bootdir" ||
		fail_kernel "cannot rename $new to $image" || return 1
	modules=$(wc -l <"$work/build/table.files")
	say "kernel $version: wrote $image ($modules module files, $(stat -c %s "$image") bytes," \
		"checked)"
	post_update
}

# post_update: the hooks of /etc/initramfs/post-update.d, as initramfs-tools runs them, so that
# a boot loader that copies images elsewhere (systemd-boot, flash-kernel) copies this one too.
post_update() {
	hooks=/etc/initramfs/post-update.d
	[ "$bootdir" = /boot ] && [ -d "$hooks" ] || return 0
	run-parts --exit-on-error --arg="$version" --arg="$image" "$hooks" >&2 ||
		fail_kernel "$image was written, but a hook of $hooks failed" || return 1
}

delete_one() {
	image=$bootdir/initrd.img-$1
	[ -e "$image" ] || [ -e "$image.new" ] || return 0
	rm -f "$image" "$image.new" || return 1
	say "kernel $1: removed $image"
}

# Every installed kernel: each /boot/vmlinuz-VERSION (vmlinux- on some architectures).
installed_kernels() {
	find /boot -maxdepth 1 \( -name 'vmlinuz-*' -o -name 'vmlinux-*' \) -printf '%f\n' |
		sed 's/^vmlinu[xz]-//' | LC_ALL=C sort -u
}

# --- the command ---

kernel="" bootdir=/boot delete="" verbose="" check_only=""
while getopts k:b:dvc option; do
	case $option in
	k) kernel=$OPTARG ;;
	b) bootdir=$OPTARG ;;
	d) delete=yes ;;
	v) verbose=yes ;;
	c) check_only=yes ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || usage
if [ -n "$check_only" ]; then
	[ -z "$kernel$delete" ] || usage
else
	[ -n "$kernel" ] || usage
fi
[ -z "$delete" ] || [ "$kernel" != all ] || usage
case $kernel in
*/* | .*) die "-k $kernel: not a kernel version" ;;
esac

lock() {
	[ -d "$bootdir" ] || die "$bootdir: not a directory"
	# One run at a time per directory: the image's .new file is this run's alone.
	exec 9<"$bootdir"
	flock -w 600 9 || die "$bootdir: another $me held it for 600 s"
}

if [ -n "$delete" ]; then
	lock
	delete_one "$kernel"
	exit
fi

read_settings
check_settings
[ -z "$check_only" ] || {
	say "$conf: settings ok"
	exit 0
}
lock

if [ "$kernel" = all ]; then
	# shellcheck disable=SC2046 # one word per kernel
	set -- $(installed_kernels)
	[ $# -gt 0 ] || say "no kernel in /boot (no vmlinuz-VERSION): nothing to build"
else
	set -- "$kernel"
fi
failed=""
for version in "$@"; do
	build_one "$version" || failed="$failed $version"
done
[ -z "$failed" ] || die "failed for kernel(s):$failed; their old images are kept"
