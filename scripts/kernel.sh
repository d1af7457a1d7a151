#!/bin/sh
# SPDX-License-Identifier: MIT
# Debian's real kernels for the tests, cached outside git.
#
#   kernel.sh fetch [SUITE [ARCH]]        download and unpack (once), run depmod on the tree
#   kernel.sh modules-dir [SUITE [ARCH]]  <root>/lib/modules/<release> of the cached kernel
#   kernel.sh vmlinuz [SUITE [ARCH]]      its kernel image
#   kernel.sh config [SUITE [ARCH]]       its kernel config
#   kernel.sh release [SUITE [ARCH]]      its release string
#   kernel.sh deb [SUITE [ARCH]]          the package file itself, to install in a Debian root
#
# SUITE is a Debian release (bookworm: the 6.1 kernel, trixie: 6.12; default bookworm) and
# ARCH a Debian architecture (default amd64). The package lists come from a private apt state
# in the cache, so the host's own sources do not matter and are never changed. The meta package
# linux-image-cloud-ARCH is followed to the versioned package it depends on, and to that
# package's -unsigned twin when there is one, so no ABI number is written down here. The cache
# is $MODLATCH_CACHE, by default ~/.cache/modlatch.
set -eu

cache=${MODLATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modlatch}
command=${1:-}
suite=${2:-bookworm}
arch=${3:-amd64}
meta=linux-image-cloud-$arch
name=$suite-$arch
apt_dir=$cache/apt/$name

die() {
	echo "kernel.sh: $*" >&2
	exit 1
}

# shellcheck source=scripts/apt.sh
. "$(dirname "$0")/apt.sh"

resolve_package() {
	# shellcheck disable=SC2046
	versioned=$(apt-cache $(apt_options) depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
	[ -n "$versioned" ] || die "$meta in $suite depends on no versioned linux-image package"
	# shellcheck disable=SC2046
	if apt-cache $(apt_options) show "$versioned-unsigned" >/dev/null 2>&1; then
		echo "$versioned-unsigned"
	else
		echo "$versioned"
	fi
}

unpack() {
	dir=$1
	rm -rf "$dir"
	apt_unpack "$package=$version" "$dir/root" "$dir/package.deb" ||
		die "apt-get download $package=$version failed"
	# Newer packages install under /usr only (merged /usr); the image's /lib points there.
	[ -e "$dir/root/lib" ] || ln -s usr/lib "$dir/root/lib"
	release=$(ls "$dir/root/lib/modules")
	[ "$(echo "$release" | wc -l)" -eq 1 ] || die "expected one release in $dir/root/lib/modules"
	# The packages carry no modules.dep; modlatch-gen needs one.
	depmod -b "$dir/root" "$release"
	echo "$release" >"$dir/release"
	touch "$dir/.done"
}

fetch() {
	if ! update_lists; then
		[ -e "$cache/kernels/$name/.done" ] || die "cannot fetch the $suite package lists"
		echo "kernel.sh: offline; using the cached $name kernel" >&2
		return 0
	fi
	package=$(resolve_package)
	# shellcheck disable=SC2046
	version=$(apt-cache $(apt_options) show "$package" | sed -n 's/^Version: //p' | head -n 1)
	dir=$cache/kernels/${package}_${version}_$arch
	if [ ! -e "$dir/.done" ] || [ ! -e "$dir/package.deb" ]; then
		echo "kernel.sh: fetching $package $version ($suite, $arch)" >&2
		unpack "$dir"
	fi
	ln -sfn "$(basename "$dir")" "$cache/kernels/$name"
}

current() {
	dir=$cache/kernels/$name
	[ -e "$dir/.done" ] || die "no cached $suite $arch kernel; run: scripts/kernel.sh fetch $suite $arch"
	dir=$(cd "$dir" && pwd -P)
	release=$(cat "$dir/release")
}

case "$command" in
fetch) mkdir -p "$cache/kernels" && fetch ;;
modules-dir) current && echo "$dir/root/lib/modules/$release" ;;
vmlinuz) current && echo "$dir/root/boot/vmlinuz-$release" ;;
config) current && echo "$dir/root/boot/config-$release" ;;
release) current && echo "$release" ;;
deb) current && echo "$dir/package.deb" ;;
*) die "usage: kernel.sh fetch|modules-dir|vmlinuz|config|release|deb [SUITE [ARCH]]" ;;
esac
