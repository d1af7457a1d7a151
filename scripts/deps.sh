#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian packages that building modlatch and running its tests need. As root it
# installs what is missing; otherwise it prints the one command to run.
set -eu

packages="gcc make libc6-dev musl-tools libkmod-dev pkg-config kmod bats bats-support
bats-assert qemu-system-x86 busybox-static cpio xz-utils s6 e2fsprogs file
clang-14 libclang-rt-14-dev llvm qemu-system-arm qemu-user gcc-aarch64-linux-gnu mmdebstrap
clang-format shellcheck git mandoc cryptsetup-bin erofs-utils fdisk debhelper lintian"

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086 # one word per package
apt-get install -y -q --no-install-recommends $missing >&2
