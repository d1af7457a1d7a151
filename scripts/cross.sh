#!/bin/sh
# SPDX-License-Identifier: MIT
# Cross-building the shim with Debian's cross gcc and Debian's own musl for the target
# architecture, fetched into the cache (no dpkg --add-architecture; the host is not changed).
#
#   cross.sh fetch CROSS     download musl-dev and busybox-static for CROSS, write the specs
#   cross.sh cc CROSS        the compiler command for make's CC
#   cross.sh specs CROSS     the gcc specs file that points the cross gcc at that musl
#   cross.sh busybox CROSS   the static BusyBox of CROSS (for boot test images)
#
# CROSS is a GNU architecture name: aarch64. The packages come from bookworm, the suite whose
# cross gcc (gcc-aarch64-linux-gnu) deps.sh installs. The cache is $MODLATCH_CACHE, by default
# ~/.cache/modlatch.
set -eu

cache=${MODLATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modlatch}
command=${1:-}
cross=${2:-}
suite=bookworm

die() {
	echo "cross.sh: $*" >&2
	exit 1
}

case "$cross" in
aarch64) arch=arm64 ;;
*) die "CROSS='$cross': expected aarch64" ;;
esac
apt_dir=$cache/apt/$suite-$arch
dir=$cache/cross/$cross
# shellcheck source=scripts/apt.sh
. "$(dirname "$0")/apt.sh"

# Debian's musl-gcc.specs names /usr/...; the same file with the paths of the unpacked copy,
# and able to link a static PIE (musl-specs.sh).
write_specs() {
	sh "$(dirname "$0")/musl-specs.sh" "$dir/musl/usr/lib/$cross-linux-musl/musl-gcc.specs" \
		-e "s|/usr/include/$cross-linux-musl|$dir/musl/usr/include/$cross-linux-musl|g" \
		-e "s|/usr/lib/$cross-linux-musl|$dir/musl/usr/lib/$cross-linux-musl|g" \
		>"$dir/musl-gcc.specs.tmp"
	mv "$dir/musl-gcc.specs.tmp" "$dir/musl-gcc.specs"
}

# The packages once; the specs each time, so that a change of musl-specs.sh reaches them.
fetch() {
	if [ ! -e "$dir/.done" ]; then
		update_lists || die "cannot fetch the $suite $arch package lists"
		mkdir -p "$dir"
		apt_unpack musl-dev "$dir/musl" || die "cannot fetch musl-dev for $arch"
		apt_unpack busybox-static "$dir/busybox" || die "cannot fetch busybox-static for $arch"
		touch "$dir/.done"
	fi
	write_specs
}

case "$command" in
fetch) fetch ;;
cc) echo "$cross-linux-gnu-gcc -specs=$dir/musl-gcc.specs" ;;
specs) echo "$dir/musl-gcc.specs" ;;
busybox) echo "$dir/busybox/bin/busybox" ;;
*) die "usage: cross.sh fetch|cc|specs|busybox CROSS" ;;
esac
