#!/bin/sh
# SPDX-License-Identifier: MIT
# The workload guests' root filesystem: Debian's own packages (a container engine and the
# network tools an appliance runs), built with mmdebstrap and cached outside git like the
# kernels. The workload boots pack it as the lower part of their initramfs.
#
#   guestroot.sh fetch   build the root once, and pack it as a cpio archive
#   guestroot.sh cpio    path of the packed root
#   guestroot.sh dir     path of the unpacked root (to read, never to change)
#
# The root is Debian 12 (bookworm), the release this project is built on, with fixed
# SOURCE_DATE_EPOCH. It carries no modprobe, insmod or depmod: the kernel execs the image's
# /sbin/modprobe for its own requests even before PID 1 starts, and an appliance latched by
# modlatch has nothing to load with anyway. The cache key is this file's hash, so any change of
# this file builds a new root: of the package list, but also of a message or a path in it.
set -eu

cache=${MODLATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modlatch}
suite=bookworm
packages="podman netavark crun conmon golang-github-containers-common iptables nftables
iproute2 wireguard-tools ipvsadm conntrack curl iputils-ping procps lynis busybox-static"

die() {
	echo "guestroot.sh: $*" >&2
	exit 1
}

key=$(sha256sum "$0" | cut -c1-12)
dir=$cache/roots/$suite-$key

build() {
	command -v mmdebstrap >/dev/null || die "mmdebstrap is missing: run scripts/deps.sh"
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "guestroot.sh: building the $suite workload root in $dir" >&2
	# shellcheck disable=SC2086,SC2016 # one word per package; the hooks expand $1 themselves
	SOURCE_DATE_EPOCH=1700000000 mmdebstrap --mode=root --variant=minbase \
		--include="$(echo $packages | tr ' ' ',')" \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--customize-hook='rm -f "$1"/sbin/modprobe "$1"/sbin/insmod "$1"/sbin/depmod "$1"/sbin/rmmod "$1"/usr/sbin/modprobe "$1"/usr/sbin/insmod "$1"/usr/sbin/depmod "$1"/usr/sbin/rmmod' \
		--customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
		"$suite" "$dir/root" >"$dir/mmdebstrap.log" 2>&1 ||
		die "mmdebstrap failed; see $dir/mmdebstrap.log"
	# What went in, for a reader of a test log: the same names and versions give the same root.
	# shellcheck disable=SC2016 # dpkg-query's own format
	chroot "$dir/root" dpkg-query -W -f '${Package} ${Version}\n' >"$dir/packages.txt"
	(cd "$dir/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$dir/root.cpio"
	touch "$dir/.done"
}

built() {
	[ -e "$dir/.done" ] || die "no root yet: run scripts/guestroot.sh fetch"
}

case "${1:-}" in
fetch) [ -e "$dir/.done" ] || build ;;
cpio) built && echo "$dir/root.cpio" ;;
dir) built && echo "$dir/root" ;;
*) die "usage: guestroot.sh fetch|cpio|dir" ;;
esac
