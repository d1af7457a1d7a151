#!/bin/sh
# SPDX-License-Identifier: MIT
# The commands of the Buildroot package, kept out of modlatch.mk so that tests/buildroot.bats
# runs the same ones. The project is three directories up from this script.
#
#   build.sh build OUT ROOT RELEASE [MAKE_VARIABLE=VALUE ...]
#       table from ROOT/lib/modules/RELEASE, shim for the target and a copy for this machine
#   build.sh install OUT ROOT PATH
#       the target shim as ROOT/PATH
#   build.sh check OUT ROOT KCONFIG fail|warn
#       ROOT's module files against the table, then the image audit
#
# Environment: MAKE (default make), DEPMOD (default depmod), HOSTCC (default cc).
set -eu

src=$(cd "$(dirname "$0")/../../.." && pwd)
MAKE=${MAKE:-make}
DEPMOD=${DEPMOD:-depmod}
HOSTCC=${HOSTCC:-cc}

die() {
	echo "modlatch: $*" >&2
	exit 1
}

build() {
	[ $# -ge 3 ] || die "usage: build.sh build OUT ROOT RELEASE [VARIABLE=VALUE ...]"
	out=$1 tree=$2/lib/modules/$3 release=$3
	shift 3
	if [ -z "$release" ] || [ ! -d "$tree" ]; then
		die "no modules tree at $tree: the kernel needs CONFIG_MODULES=y and its modules installed"
	fi
	# Buildroot runs depmod on the target only when it finalizes it, after every package, but
	# the generator needs modules.dep now. A private copy gets it, so the target tree stays as
	# the kernel installed it.
	rm -rf "$out/modules"
	mkdir -p "$out/modules/lib/modules"
	cp -a "$tree" "$out/modules/lib/modules/"
	"$DEPMOD" -a -b "$out/modules" "$release"
	moddir=$out/modules/lib/modules/$release
	$MAKE -C "$src" B="$out/target" MODULES_DIR="$moddir" "$@" "$out/target/modlatch"
	# The image check runs on the build machine, whose architecture may not be the target's.
	# A copy of the shim built for this machine, with the same table and choices, runs the
	# target's own --verify code. It is linked dynamically: the machine may have no static libc.
	$MAKE -C "$src" B="$out/host" MODULES_DIR="$moddir" "$@" CC="$HOSTCC" CFLAGS=-O2 \
		LDFLAGS= STATIC= "$out/host/modlatch"
	cmp "$out/target/table.c" "$out/host/table.c" ||
		die "the host copy's table differs from the target's"
}

install_shim() {
	[ $# -eq 3 ] || die "usage: build.sh install OUT ROOT PATH"
	# install, not cp: where BusyBox left a link to itself, the link is replaced, not written
	# through.
	install -D -m 0755 "$1/target/modlatch" "$2$3"
}

check() {
	[ $# -eq 4 ] || die "usage: build.sh check OUT ROOT KCONFIG fail|warn"
	out=$1 root=$2 kconfig=$3 policy=$4
	"$out/host/modlatch" --verify "$root" ||
		die "module files in $root differ from the table built into modlatch (FAIL lines above)"
	rc=0
	"$out/target/modlatch-gen" --audit "$root" -k "$kconfig" || rc=$?
	case $rc/$policy in
	0/*) ;;
	1/warn) echo "modlatch: WARNING: the image audit found windows (above);" \
		"BR2_PACKAGE_MODLATCH_AUDIT_FATAL is off, so the image is made anyway" >&2 ;;
	1/*) die "the image audit found windows (above): close them, or turn" \
		"BR2_PACKAGE_MODLATCH_AUDIT_FATAL off to accept them" ;;
	*) die "the image audit could not run (status $rc)" ;;
	esac
}

command=${1:-}
[ $# -gt 0 ] && shift
case $command in
build) build "$@" ;;
install) install_shim "$@" ;;
check) check "$@" ;;
*) die "usage: build.sh build|install|check ..." ;;
esac
