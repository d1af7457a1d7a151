#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The disk root filesystem: modlatch is /sbin/init on an ext4 image, as on an appliance that
# boots from disk with root= rather than from an initramfs. Two ways to reach it:
#   virtio: Debian's kernels build virtio_blk as a module, so a storage stage in an initramfs
#     loads it (and on 6.1 the virtio core and PCI transport), mounts /dev/vda, moves /dev and
#     /proc there and switch_roots; modlatch finds both mounted.
#   nvme: the NVMe driver is built in, so there is no initramfs: the kernel mounts the disk and
#     starts modlatch first, with nothing mounted and no console open (no devtmpfs automount).
# Both must keep every promise of the initramfs boots.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

# Where / is mounted from, and the stage's modules as /proc/modules names them.
disk_checks() {
	cat >"$FIXTURES/$1/rootfs/sbin/case-checks" <<-'SCRIPT'
		#!/bin/sh
		echo "CHECK root=$(awk '$2 == "/" { print $3, $4 }' /proc/mounts | cut -d, -f1)"
		echo "CHECK root-device=$(grep -c '^/dev/vda \|^/dev/root \|^/dev/nvme0n1 ' /proc/mounts)"
	SCRIPT
	chmod +x "$FIXTURES/$1/rootfs/sbin/case-checks"
}

setup_file() {
	fixture_build virtio "$REPO/etc/demo.list" || return 1
	fixture_rootfs virtio && disk_checks virtio && fixture_disk virtio
	fixture_stage virtio virtio_blk virtio_pci
	fixture_boot virtio -drive "file=$FIXTURES/virtio/disk.img,if=virtio,format=raw" || return 1

	fixture_build nvme "$REPO/etc/demo.list" || return 1
	fixture_rootfs nvme && disk_checks nvme && fixture_disk nvme
	BOOT_APPEND="root=/dev/nvme0n1 rootfstype=ext4 ro" fixture_boot nvme \
		-drive "file=$FIXTURES/nvme/disk.img,if=none,id=root,format=raw" \
		-device nvme,serial=modlatch,drive=root
}

# The storage stage's modules, by their /proc/modules names.
stage_modules() {
	local f
	for f in "$FIXTURES/virtio/stage/stage"/*.ko; do
		f=$(basename "$f" .ko)
		echo "${f#*-}"
	done
}

@test "[$RUN] virtio: after the storage stage, modlatch as /sbin/init loads the table and latches" {
	run modlatch_lines virtio
	assert_line --regexp '^modlatch: summary loaded=5 already=0 builtin=0 absent=0 failed=0 optional_failed=0 latched=yes release=match '
	assert_line 'modlatch: exec /sbin/supervisor'
	run check_lines virtio
	assert_line 'pid=1'
	assert_line 'root=ext4 ro'
	assert_line 'root-device=1'
}

@test "[$RUN] virtio: it keeps the /dev and /proc the stage moved over, and mounts the rest" {
	run modlatch_lines virtio
	assert_line 'modlatch: /dev is already mounted; kept'
	assert_line 'modlatch: /proc is already mounted; kept'
	run check_lines virtio
	for fs in "devtmpfs /dev" "proc /proc" "sysfs /sys" "tmpfs /run"; do
		assert_line "mounted=$fs 1"
	done
}

@test "[$RUN] virtio: /proc/modules holds the stage's drivers and the table, nothing else" {
	[ -n "$(stage_modules)" ]
	local loaded expected
	loaded=$(check_lines virtio | sed -n 's/^loaded=//p' | sort)
	expected=$({ stage_modules; table_order virtio; } | sort)
	[ "$loaded" = "$expected" ]
}

@test "[$RUN] virtio: afterwards nothing loads, not even as root" {
	run check_lines virtio
	assert_line 'modules_disabled=1'
	assert_line "insmod=insmod: can't insert '/lib/modules/outsider.ko': Operation not permitted"
	assert_line 'write0=sh: write error: Invalid argument'
	assert_line 'modprobe=[]'
}

@test "[$RUN] nvme: with no initramfs modlatch is the first program, mounts everything itself" {
	run modlatch_lines nvme
	refute_line --partial 'already mounted'
	assert_line --regexp '^modlatch: summary loaded=5 already=0 builtin=0 absent=0 failed=0 optional_failed=0 latched=yes release=match '
	run check_lines nvme
	assert_line 'pid=1'
	assert_line 'root=ext4 ro'
	assert_line 'root-device=1'
	for fs in "devtmpfs /dev" "proc /proc" "sysfs /sys" "tmpfs /run"; do
		assert_line "mounted=$fs 1"
	done
	[ "$(check_lines nvme | sed -n 's/^loaded=//p' | sort)" = "$(table_order nvme | sort)" ]
	assert_line "insmod=insmod: can't insert '/lib/modules/outsider.ko': Operation not permitted"
	assert_line 'modules_disabled=1'
}
