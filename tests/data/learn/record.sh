#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Records what tests/learn.bats reads: /proc/modules and the module-to-device links in /sys of a
# reference system. The reference is Debian's cloud kernel booted in QEMU (TCG) with a few
# virtio devices and the whole modules tree in its initramfs. Its init does what a stock
# distribution does at boot: kmod's modprobe for every device's modalias (udev's coldplug),
# then for a few modules an administrator would name (a bridge host with VLANs and XFS).
# Nothing of modlatch runs here; its output is data, committed as tests/data/learn/SUITE.*.
#
#   tests/data/learn/record.sh [SUITE]
set -euo pipefail
cd "$(dirname "$0")/../../.."
suite=${1:-bookworm}
out=tests/data/learn
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tree=$(sh scripts/kernel.sh modules-dir "$suite")
release=$(sh scripts/kernel.sh release "$suite")
root=$work/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,lib/modules}
cp -a "$tree" "$root/lib/modules/$release"
install -m 0755 /bin/busybox "$root/bin/busybox"
for applet in sh mount cat find sort xargs poweroff basename echo; do ln -s busybox "$root/bin/$applet"; done
install -D -m 0755 /usr/bin/kmod "$root/sbin/modprobe"
for lib in $(ldd /usr/bin/kmod | grep -o '/[^ ]*'); do
	install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
done
cat >"$root/init" <<'SCRIPT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Three rounds, as drivers create devices of their own (virtio_pci makes virtio0...).
for round in 1 2 3; do
	find /sys/devices -name modalias -exec cat {} + | sort -u | xargs modprobe -a -q -b
done
modprobe -a bridge br_netfilter 8021q veth dummy xfs
echo BEGIN-PROC-MODULES
cat /proc/modules
echo END-PROC-MODULES
echo BEGIN-SYSFS
for driver in /sys/module/*/drivers/*; do
	for device in "$driver"/*; do
		[ -L "$device" ] && [ "$(basename "$device")" != module ] &&
			echo "${driver#/sys/}/$(basename "$device")"
	done
done
echo END-SYSFS
poweroff -f
SCRIPT
chmod +x "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$work/initramfs.cpio"
timeout 600 qemu-system-x86_64 -accel tcg -cpu max -m 1024 -display none -monitor none \
	-no-reboot -serial "file:$work/serial.log" \
	-kernel "$(sh scripts/kernel.sh vmlinuz "$suite")" -initrd "$work/initramfs.cpio" \
	-append "console=ttyS0 panic=-1 loglevel=2" \
	-nic user,model=virtio-net-pci -device virtio-rng-pci -device virtio-balloon-pci \
	-drive "file=$work/initramfs.cpio,if=virtio,format=raw,readonly=on" </dev/null
tr -d '\r' <"$work/serial.log" | sed -n '/^BEGIN-PROC-MODULES$/,/^END-PROC-MODULES$/p' |
	sed '1d;$d' >"$out/$suite.proc-modules"
tr -d '\r' <"$work/serial.log" | sed -n '/^BEGIN-SYSFS$/,/^END-SYSFS$/p' |
	sed '1d;$d' >"$out/$suite.sysfs"
[ -s "$out/$suite.proc-modules" ] || { cat "$work/serial.log" >&2; exit 1; }
echo "$out/$suite.proc-modules: $(wc -l <"$out/$suite.proc-modules") modules"
