#!/bin/sh
# Debian's real kernels for the tests, cached outside git.
#
#   kernel.sh fetch [FLAVOUR]        download and unpack (once), run depmod on the tree
#   kernel.sh modules-dir [FLAVOUR]  <root>/lib/modules/<release> of the cached kernel
#   kernel.sh vmlinuz [FLAVOUR]      its kernel image
#   kernel.sh release [FLAVOUR]      its release string
#
# FLAVOUR names Debian's meta package linux-image-FLAVOUR (default cloud-amd64). It is followed
# to the versioned package it depends on, and to that package's -unsigned twin when there is one,
# so the ABI number is never written down here. The cache is $MODLATCH_CACHE, by default
# ~/.cache/modlatch.
set -eu

cache=${MODLATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modlatch}/kernels
command=${1:-}
flavour=${2:-cloud-amd64}
meta=linux-image-$flavour

die() {
	echo "kernel.sh: $*" >&2
	exit 1
}

have_candidate() {
	apt-cache show "$1" >/dev/null 2>&1
}

resolve_package() {
	if ! have_candidate "$meta"; then
		[ "$(id -u)" -eq 0 ] || die "apt knows no $meta; run apt-get update as root"
		apt-get update -q >&2
		have_candidate "$meta" || die "no package $meta in the configured archive"
	fi
	versioned=$(apt-cache depends "$meta" | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
	[ -n "$versioned" ] || die "$meta depends on no versioned linux-image package"
	if have_candidate "$versioned-unsigned"; then
		echo "$versioned-unsigned"
	else
		echo "$versioned"
	fi
}

fetch() {
	package=$(resolve_package)
	version=$(apt-cache show "$package" | sed -n 's/^Version: //p' | head -n 1)
	dir=$cache/${package}_$version
	if [ ! -e "$dir/.done" ]; then
		echo "kernel.sh: fetching $package $version into $dir" >&2
		rm -rf "$dir"
		mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt-get download "$package=$version" >&2) ||
			die "apt-get download $package=$version failed"
		dpkg -x "$dir"/deb/*.deb "$dir/root"
		rm -rf "$dir/deb"
		release=$(ls "$dir/root/lib/modules")
		[ "$(echo "$release" | wc -l)" -eq 1 ] || die "expected one release in $dir/root/lib/modules"
		# The packages carry no modules.dep; modlatch-gen needs one.
		depmod -b "$dir/root" "$release"
		echo "$release" > "$dir/release"
		touch "$dir/.done"
	fi
	ln -sfn "${package}_$version" "$cache/$flavour"
}

current() {
	dir=$cache/$flavour
	[ -e "$dir/.done" ] || die "no cached $meta; run: tests/lib/kernel.sh fetch $flavour"
	release=$(cat "$dir/release")
}

case "$command" in
fetch) mkdir -p "$cache" && fetch ;;
modules-dir) current && echo "$(cd "$dir" && pwd -P)/root/lib/modules/$release" ;;
vmlinuz) current && echo "$(cd "$dir" && pwd -P)/root/boot/vmlinuz-$release" ;;
release) current && echo "$release" ;;
*) die "usage: kernel.sh fetch|modules-dir|vmlinuz|release [FLAVOUR]" ;;
esac
