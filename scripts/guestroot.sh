#!/bin/sh
# SPDX-License-Identifier: MIT
# The guests' root filesystems: Debian's own packages, built with mmdebstrap and cached outside
# git like the kernels.
#
#   guestroot.sh fetch [ROOT]   build ROOT once (the workload root is also packed as cpio)
#   guestroot.sh cpio           path of the workload root packed as a cpio archive
#   guestroot.sh dir [ROOT]     path of the unpacked ROOT (to read or copy, never to change)
#
# ROOT is one of:
#   workload          (the default) Debian 12 with a container engine and the network tools an
#                     appliance runs. The workload boots pack it as the lower part of their
#                     initramfs. It carries no modprobe, insmod or depmod: the kernel execs the
#                     image's /sbin/modprobe for its own requests even before PID 1 starts, and an
#                     appliance latched by modlatch has nothing to load with anyway.
#   systemd-bookworm  Debian 12 booted by its own systemd 252 (systemd-sysv, udev, dbus, kmod)
#                     with podman, netavark, nftables and iptables: the root of
#                     tests/systemd/ on the 6.1 kernel. A real Debian root, kmod included:
#                     /sbin/init is a link to /lib/systemd/systemd, and /lib a link to usr/lib.
#   systemd-trixie    Debian 13 booted by its own systemd 257, with udev, dbus, kmod, iproute2
#                     and nftables: the root of tests/systemd/ on the 6.12 kernel.
#   package-bookworm  Debian 12 booted by its own systemd, with what the modlatch package
#                     depends on (cpio, gcc, kmod, make, musl-tools) and what a kernel package
#                     needs (linux-base), but neither: tests/debian/ installs both into a copy,
#                     with dpkg, as an administrator would, and boots the images the hook writes.
#   package-trixie    Debian 13 with the same, and what building the package needs (debhelper,
#                     libkmod-dev, pkg-config): tests/debian/ builds the package there, installs
#                     it and the 6.12 kernel package, and checks the image the hook writes.
# The systemd roots start no getty (serial-getty@ttyS0 and getty@tty1 are masked, so nothing
# writes over a test's console output) and no first-boot wizard (systemd-firstboot is masked),
# and their /etc/machine-id is empty: each boot makes its own.
#
# Every root has a fixed SOURCE_DATE_EPOCH. The cache key is this file's hash, so any change of
# this file builds new roots: of a package list, but also of a message or a path in it.
set -eu

cache=${MODLATCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modlatch}
root=${2:-workload}
case "$root" in
workload)
	suite=bookworm
	name=bookworm
	packages="podman netavark crun conmon golang-github-containers-common iptables nftables
iproute2 wireguard-tools ipvsadm conntrack curl iputils-ping procps lynis busybox-static"
	;;
systemd-bookworm)
	suite=bookworm
	name=$root
	packages="systemd-sysv udev dbus kmod iproute2 nftables iptables podman netavark crun conmon
golang-github-containers-common curl busybox-static procps"
	;;
systemd-trixie)
	suite=trixie
	name=$root
	packages="systemd-sysv udev dbus kmod iproute2 nftables procps"
	;;
package-bookworm)
	suite=bookworm
	name=$root
	packages="systemd-sysv udev dbus kmod linux-base e2fsprogs procps cpio gcc make musl-tools"
	;;
package-trixie)
	suite=trixie
	name=$root
	packages="systemd-sysv kmod linux-base cpio gcc make musl-tools build-essential debhelper libkmod-dev
pkg-config"
	;;
*)
	echo "guestroot.sh: unknown root '$root': expected workload, systemd-bookworm, systemd-trixie," \
		"package-bookworm or package-trixie" >&2
	exit 1
	;;
esac

die() {
	echo "guestroot.sh: $*" >&2
	exit 1
}

key=$(sha256sum "$0" | cut -c1-12)
dir=$cache/roots/$name-$key

build() {
	command -v mmdebstrap >/dev/null || die "mmdebstrap is missing: run scripts/deps.sh"
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "guestroot.sh: building the $root root ($suite) in $dir" >&2
	# What each root changes after the packages are in (the hooks expand $1, the root's path).
	# shellcheck disable=SC2016
	case "$root" in
	workload)
		set -- --customize-hook='rm -f "$1"/sbin/modprobe "$1"/sbin/insmod "$1"/sbin/depmod "$1"/sbin/rmmod "$1"/usr/sbin/modprobe "$1"/usr/sbin/insmod "$1"/usr/sbin/depmod "$1"/usr/sbin/rmmod'
		;;
	*)
		set -- --customize-hook='for unit in serial-getty@ttyS0.service getty@tty1.service systemd-firstboot.service; do ln -sf /dev/null "$1/etc/systemd/system/$unit"; done' \
			--customize-hook=': >"$1/etc/machine-id"; rm -f "$1/var/lib/dbus/machine-id"'
		;;
	esac
	# shellcheck disable=SC2086,SC2016 # one word per package; the hooks expand $1 themselves
	SOURCE_DATE_EPOCH=1700000000 mmdebstrap --mode=root --variant=minbase \
		--include="$(echo $packages | tr ' ' ',')" \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		"$@" \
		--customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
		"$suite" "$dir/root" >"$dir/mmdebstrap.log" 2>&1 ||
		die "mmdebstrap failed; see $dir/mmdebstrap.log"
	# What went in, for a reader of a test log: the same names and versions give the same root.
	# shellcheck disable=SC2016 # dpkg-query's own format
	chroot "$dir/root" dpkg-query -W -f '${Package} ${Version}\n' >"$dir/packages.txt"
	if [ "$root" = workload ]; then
		(cd "$dir/root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$dir/root.cpio"
	fi
	touch "$dir/.done"
}

built() {
	[ -e "$dir/.done" ] || die "no $root root yet: run scripts/guestroot.sh fetch $root"
}

case "${1:-}" in
fetch) [ -e "$dir/.done" ] || build ;;
cpio)
	[ "$root" = workload ] || die "only the workload root is packed as cpio"
	built && echo "$dir/root.cpio"
	;;
dir) built && echo "$dir/root" ;;
*) die "usage: guestroot.sh fetch|dir [workload|systemd-bookworm|systemd-trixie|package-bookworm|package-trixie], guestroot.sh cpio" ;;
esac
