#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# modlatch as the whole initramfs: the initramfs holds modlatch and the table's module files and
# nothing else; modlatch loads the storage driver, dm-verity and the filesystem from the table,
# latches, and only then waits for the disk, mounts it (verified, with VERITY=) and switches to
# it; the supervisor runs from the disk. No other stage exists.
#   verity:    ROOT=/dev/vda on erofs under dm-verity, its root hash pinned at build time
#   tampered:  one byte of the supervisor changed on the disk after the pinning
#   wronghash: the pinned root hash is not the disk's
#   nodisk:    no disk attached: the wait ends at ROOT_WAIT and the machine stops
#   ext4:      plain ROOT=/dev/vda on ext4, no verity
#   label:     ROOT=PARTLABEL=appliance-root: an erofs partition of a GPT disk, no verity
#   twin-last, twin-first: the label case's image with a second disk whose partition has the same
#              name, attached after or before the first: both named, neither used, the machine stops
#   ext4 also lays its disk out as Debian does: merged /usr, the supervisor reached through an
#   absolute link and a link to a directory, both resolved in the disk, not in the initramfs;
#   and it records module requests after the latch (AFTER_LATCH=record): the root's are named
#   label also drops CAP_SYS_MODULE from the supervisor's bounding set (ALSO_LATCH=sys_module) and
#   names what the root's modules-load.d asks for that the table lacks
#   dangling:  the supervisor is a link to a file the disk does not have: named, and the machine
#              stops before anything of the disk runs
#   slowdisk:  the verity disk appears but answers at 2 KiB/s (QEMU's throttling): ROOT_WAIT
#              bounds the whole root step, not only the wait for the device, and the machine stops

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

LIST=$REPO/etc/disk-root.list

# What the disk root holds: the fixture's rootfs (modlatch and the table's modules are not in it:
# they are in the initramfs), with the mount points modlatch moves in, and the root checks.
disk_tree() {
	local root=$FIXTURES/$1/rootfs disk=$FIXTURES/$1/disk-root
	rm -rf "$disk"
	cp -a "$root" "$disk"
	mkdir -p "$disk"/{dev,proc,sys,run}
	cat >"$disk/sbin/case-checks" <<-'SCRIPT'
		#!/bin/sh
		echo "CHECK uptime=$(cut -d' ' -f1 /proc/uptime)"
		echo "CHECK root=$(awk '$2 == "/" { r = $1 " " $3 " " $4 } END { print r }' /proc/mounts | cut -d, -f1)"
		echo "CHECK dm-name=$(cat /sys/block/dm-0/dm/name 2>/dev/null || echo none)"
		echo "CHECK write=$(touch /written 2>&1)"
		# CAP_SYS_MODULE (bit 16) in PID 1's bounding set: ALSO_LATCH=sys_module drops it.
		echo "CHECK cap_sys_module=$(( 0x$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/1/status) >> 16 & 1 ))"
		# A module the root asks the kernel for after the switch: xfs, which no table here has.
		mount -t xfs none /mnt 2>/dev/null
		echo "CHECK refused=$(tr '\n' ' ' 2>/dev/null </run/modlatch/refused)"
		dmesg | sed -n 's/^\[[^]]*\] \(modlatch: refused .*\)/CHECK kmsg=\1/p'
	SCRIPT
	chmod +x "$disk/sbin/case-checks"
	[ -z "${DISK_EDIT:-}" ] || "$DISK_EDIT" "$disk"
}

# The supervisor where a merged-/usr distribution keeps its init: /sbin/supervisor is the
# absolute link /lib/appliance/supervisor, and /lib/appliance the link usr/lib/appliance. In
# the initramfs neither path exists.
usr_merged_supervisor() {
	mkdir -p "$1/usr/lib/appliance"
	mv "$1/sbin/supervisor" "$1/usr/lib/appliance/supervisor"
	ln -s ../usr/lib/appliance "$1/lib/appliance"
	ln -s /lib/appliance/supervisor "$1/sbin/supervisor"
}

# What a root gives systemd-modules-load to load: modules of the table (two spellings), one the
# kernel has built in, one nobody has, and a packaged file that /etc masks with /dev/null.
modules_load_d() {
	mkdir -p "$1/etc/modules-load.d" "$1/usr/lib/modules-load.d"
	printf '%s\n' '# the appliance' erofs '  dm-verity  # the verity target' ipv6 '' nlmon \
		>"$1/etc/modules-load.d/appliance.conf"
	echo vxlan >"$1/usr/lib/modules-load.d/packaged.conf"
	ln -s /dev/null "$1/etc/modules-load.d/packaged.conf"
}

# The same links, to nothing: the disk lacks the file they lead to.
dangling_supervisor() {
	usr_merged_supervisor "$1"
	rm "$1/usr/lib/appliance/supervisor"
}

# root_initramfs NAME: make initramfs with no overlay: modlatch as /init, the table's module
# files and /dev/console, nothing else.
root_initramfs() { fixture_initramfs "$1" INITRAMFS_OVERLAY=; }

# root_case NAME FSTYPE DISK_KIND [MAKE_VAR=VALUE ...]: builds the disk root of the demo checks
# as FSTYPE (erofs or ext4), pinned for verity when DISK_KIND is verity or gpt-labelled when it
# is gpt, then modlatch with ROOT and the MAKE_VARs, and its initramfs. Boots nothing.
root_case() {
	local name=$1 fstype=$2 kind=$3 dir=$FIXTURES/$1
	shift 3
	fixture_build "$name" "$LIST" || return 1
	fixture_rootfs "$name" && disk_tree "$name" || return 1
	rm -f "$dir/fs.img" "$dir/disk.img"
	case "$fstype" in
	erofs) mkfs.erofs "$dir/fs.img" "$dir/disk-root" >"$dir/mkfs.log" 2>&1 ;;
	ext4) mkfs.ext4 -q -F -d "$dir/disk-root" "$dir/fs.img" 64M ;;
	esac || return 1
	truncate -s %4096 "$dir/fs.img"
	case "$kind" in
	verity) sh "$REPO/scripts/verity.sh" "$dir/fs.img" "$dir/disk.img" "$dir/verity" || return 1 ;;
	gpt)
		local size
		size=$(stat -c %s "$dir/fs.img")
		truncate -s $((size + 2 * 1024 * 1024)) "$dir/disk.img"
		echo "start=2048, size=$((size / 512)), name=appliance-root" |
			sfdisk -q --label gpt "$dir/disk.img" || return 1
		dd if="$dir/fs.img" of="$dir/disk.img" bs=1M seek=1 conv=notrunc status=none
		;;
	*) cp "$dir/fs.img" "$dir/disk.img" ;;
	esac
	fixture_build "$name" "$LIST" ROOT_FSTYPE="$fstype" "$@" || return 1
	root_initramfs "$name"
}

# What the guest's /proc/modules held, as table_loaded writes the table: sorted, comma-separated.
proc_modules() { check_lines "$1" | sed -n 's/^loaded=//p' | LC_ALL=C sort | paste -sd, -; }

disk() { echo "-drive" "file=$FIXTURES/$1/disk.img,if=virtio,format=raw"; }

setup_file() {
	root_case verity erofs verity ROOT=/dev/vda VERITY="$FIXTURES/verity/verity" || return 1
	# shellcheck disable=SC2046 # the drive option is two words
	fixture_boot verity $(disk verity) && boot_times verity

	root_case tampered erofs verity ROOT=/dev/vda VERITY="$FIXTURES/tampered/verity" || return 1
	# One byte of the supervisor script, in the data area, after the pinning.
	local at
	at=$(grep -obUa 'CHECK pid=' "$FIXTURES/tampered/disk.img" | head -n 1 | cut -d: -f1)
	[ -n "$at" ] && [ "$at" -lt "$(stat -c %s "$FIXTURES/tampered/fs.img")" ] || return 1
	printf 'X' | dd of="$FIXTURES/tampered/disk.img" bs=1 seek="$at" conv=notrunc status=none
	# shellcheck disable=SC2046
	fixture_boot tampered $(disk tampered)

	# The disk is right; the hash the build pinned is not its hash (every digit moved on by one).
	root_case wronghash erofs verity ROOT=/dev/vda VERITY="$FIXTURES/wronghash/verity" || return 1
	sed '/^VERITY_ROOT_HASH=/y/0123456789abcdef/123456789abcdef0/' \
		"$FIXTURES/wronghash/verity" >"$FIXTURES/wronghash/pinned"
	fixture_build wronghash "$LIST" ROOT_FSTYPE=erofs ROOT=/dev/vda \
		VERITY="$FIXTURES/wronghash/pinned" && root_initramfs wronghash || return 1
	# shellcheck disable=SC2046
	fixture_boot wronghash $(disk wronghash)

	root_case nodisk ext4 plain ROOT=/dev/vda ROOT_WAIT=3 || return 1
	fixture_boot nodisk

	DISK_EDIT=usr_merged_supervisor root_case ext4 ext4 plain ROOT=/dev/vda \
		AFTER_LATCH=record || return 1
	# shellcheck disable=SC2046
	fixture_boot ext4 $(disk ext4)

	root_case slowdisk erofs verity ROOT=/dev/vda ROOT_WAIT=3 \
		VERITY="$FIXTURES/slowdisk/verity" || return 1
	fixture_boot slowdisk -drive \
		"file=$FIXTURES/slowdisk/disk.img,if=virtio,format=raw,throttling.bps-total=2048"

	DISK_EDIT=dangling_supervisor root_case dangling ext4 plain ROOT=/dev/vda || return 1
	# shellcheck disable=SC2046
	fixture_boot dangling $(disk dangling)

	DISK_EDIT=modules_load_d root_case label erofs gpt ROOT=PARTLABEL=appliance-root \
		ALSO_LATCH=sys_module || return 1
	# shellcheck disable=SC2046
	fixture_boot label $(disk label)

	# A second disk with a partition of the same name, attached after the appliance's disk or
	# before it: its supervisor differs by one byte (it prints PID= where the real one prints
	# pid=), so that whichever ran would show.
	cp "$FIXTURES/label/disk.img" "$FIXTURES/label/twin.img"
	at=$(grep -obUa 'CHECK pid=' "$FIXTURES/label/twin.img" | head -n 1 | cut -d: -f1)
	[ -n "$at" ] || return 1
	printf 'CHECK PID=' | dd of="$FIXTURES/label/twin.img" bs=1 seek="$at" conv=notrunc status=none
	local twin="file=$FIXTURES/label/twin.img,if=virtio,format=raw"
	mkdir -p "$FIXTURES/twin-last" "$FIXTURES/twin-first"
	# shellcheck disable=SC2046
	INITRD=$FIXTURES/label/initramfs.cpio fixture_boot twin-last $(disk label) -drive "$twin"
	# shellcheck disable=SC2046
	INITRD=$FIXTURES/label/initramfs.cpio fixture_boot twin-first -drive "$twin" $(disk label)
}

@test "[$RUN] verity: the initramfs holds modlatch and the table's module files, nothing else" {
	local release
	release=$(fixture_print verity | sed -n 's/^kernel //p')
	# Its files, and what is neither a file nor a directory.
	run bash -c "cpio -itv --quiet <'$FIXTURES/verity/initramfs.cpio' | awk '!/^d/ { print \$NF }' |
		LC_ALL=C sort"
	expected=$( (echo init
		echo dev/console
		fixture_print verity | sed -n "s|.* path=\\([^ ]*\\).*|lib/modules/$release/\\1|p") |
		LC_ALL=C sort)
	assert_output "$expected"
}

@test "[$RUN] verity: the table is loaded and latched before the disk is touched" {
	run modlatch_lines verity
	assert_line --regexp '^modlatch: summary .* failed=0 optional_failed=[0-9]+ latched=yes '
	# The order of the log is the order of the boot: the latch, then the root.
	local latch root
	latch=$(modlatch_lines verity | grep -n '^modlatch: latch modules_disabled=1 probe=EPERM confirmed' | cut -d: -f1)
	root=$(modlatch_lines verity | grep -n '^modlatch: root: /dev/vda appeared after' | cut -d: -f1)
	[ -n "$latch" ] && [ -n "$root" ] && [ "$latch" -lt "$root" ]
}

@test "[$RUN] verity: the supervisor runs as PID 1 from the verity device, read-only" {
	run modlatch_lines verity
	assert_line --regexp '^modlatch: root: verity /dev/dm-0 over /dev/vda root_hash=[0-9a-f]{64} on_corruption=eio$'
	assert_line --regexp '^modlatch: root: /dev/dm-0 \(erofs, ro\) is / after [0-9]+ms; initramfs freed; next: /sbin/supervisor$'
	assert_line 'modlatch: exec /sbin/supervisor'
	run check_lines verity
	assert_line 'pid=1'
	assert_line 'root=/dev/dm-0 erofs ro'
	assert_line 'dm-name=root'
	assert_line 'write=touch: /written: Read-only file system'
	for fs in "devtmpfs /dev" "proc /proc" "sysfs /sys" "tmpfs /run"; do
		assert_line "mounted=$fs 1"
	done
}

@test "[$RUN] verity: /proc/modules is exactly the table, and nothing loads afterwards" {
	assert_equal "$(proc_modules verity)" "$(table_loaded verity)"
	run check_lines verity
	assert_line 'modules_disabled=1'
	assert_line "insmod=insmod: can't insert '/lib/modules/outsider.ko': Operation not permitted"
	assert_line 'write0=sh: write error: Invalid argument'
}

@test "[$RUN] tampered: a changed byte of the supervisor is never read; nothing from the disk runs" {
	run modlatch_lines tampered
	assert_line --regexp '^modlatch: summary .* latched=yes '
	assert_line --regexp '^modlatch: root: verity /dev/dm-0 over /dev/vda '
	assert_line --regexp '^modlatch: (root: |cannot exec )/sbin/supervisor: EIO$'
	assert_line --regexp '^modlatch: stopping: (no supervisor of the build is on the new root|no supervisor could be executed); powering off$'
	run check_lines tampered
	assert_output ""
}

@test "[$RUN] wronghash: a root hash that is not the disk's is refused before anything is mounted" {
	run modlatch_lines wronghash
	assert_line --regexp '^modlatch: summary .* latched=yes '
	assert_line 'modlatch: verity: the disk does not match the pinned root hash (reading /dev/dm-0: EIO)'
	assert_line 'modlatch: stopping: the verified root could not be opened; powering off'
	refute_line --partial 'is / after'
	run check_lines wronghash
	assert_output ""
}

@test "[$RUN] nodisk: with no disk the wait ends at ROOT_WAIT, naming the device, and the machine stops" {
	run modlatch_lines nodisk
	assert_line --regexp '^modlatch: summary .* latched=yes '
	assert_line 'modlatch: root: no /dev/vda after 3s (ROOT_WAIT)'
	assert_line 'modlatch: stopping: the root device did not appear; powering off'
	run check_lines nodisk
	assert_output ""
}

@test "[$RUN] ext4: plain ROOT= mounts the disk read-only and the supervisor runs from it" {
	run modlatch_lines ext4
	assert_line --regexp '^modlatch: root: /dev/vda \(ext4, ro\) is / after [0-9]+ms; initramfs freed; next: /sbin/supervisor$'
	assert_line 'modlatch: exec /sbin/supervisor'
	refute_line --partial 'root: /sbin/supervisor'
	refute_line --partial 'root: verity'
	run check_lines ext4
	assert_line 'pid=1'
	assert_line 'root=/dev/vda ext4 ro'
	assert_line 'dm-name=none'
	assert_line 'write=touch: /written: Read-only file system'
	assert_equal "$(proc_modules ext4)" "$(table_loaded ext4)"
}

@test "[$RUN] ext4: a module the root asks for after the switch is named in the kernel log and in /run" {
	run modlatch_lines ext4
	assert_line 'modlatch: after_latch=record helper=/run/modlatch/helper names=/run/modlatch/refused'
	run check_lines ext4
	assert_line 'modprobe=[/run/modlatch/helper]'
	assert_line 'refused=fs-xfs '
	assert_line 'kmsg=modlatch: refused module=fs-xfs after latch'
	assert_line 'cap_sys_module=1'
}

@test "[$RUN] verity: without AFTER_LATCH=record the root's requests fail unnamed, and nothing is kept" {
	run check_lines verity
	assert_line 'modprobe=[]'
	assert_line 'refused='
	refute_line --partial 'kmsg='
}

@test "[$RUN] label: ALSO_LATCH=sys_module takes CAP_SYS_MODULE out of the supervisor's bounding set" {
	run modlatch_lines label
	assert_line 'modlatch: latch bset.cap_sys_module=0 confirmed'
	run check_lines label
	assert_line 'cap_sys_module=0'
}

@test "[$RUN] label: each modules-load.d name the table and the kernel lack is named, once, with its file and line" {
	run modlatch_lines label
	assert_line 'modlatch: modules-load: nlmon (/etc/modules-load.d/appliance.conf:6) is not in the table, and systemd will not try it without CAP_SYS_MODULE'
	assert_equal "$(modlatch_lines label | grep -c 'modules-load:')" 1
}

@test "[$RUN] label: ROOT=PARTLABEL= finds the GPT partition by name; erofs mounts from it" {
	run modlatch_lines label
	assert_line --regexp '^modlatch: root: PARTLABEL=appliance-root appeared as /dev/vda1 after [0-9]+ms$'
	assert_line --regexp '^modlatch: root: /dev/vda1 \(erofs, ro\) is / after [0-9]+ms; '
	run check_lines label
	assert_line 'pid=1'
	assert_line 'root=/dev/vda1 erofs ro'
	assert_equal "$(proc_modules label)" "$(table_loaded label)"
}

@test "[$RUN] twin: a second disk with a partition of the same name, last or first: both are named, neither is used, nothing runs" {
	for name in twin-last twin-first; do
		run modlatch_lines "$name"
		assert_line --regexp '^modlatch: summary .* latched=yes '
		assert_line --regexp '^modlatch: root: PARTLABEL=appliance-root names 2 partitions: /dev/vd[ab]1 /dev/vd[ab]1; none is used$'
		assert_line "modlatch: stopping: the root partition's name is not unique; powering off"
		refute_line --partial 'is / after'
		run check_lines "$name"
		assert_output ''
	done
}

@test "[$RUN] dangling: a supervisor link to nothing on the disk is named with its target; nothing runs" {
	run modlatch_lines dangling
	assert_line --regexp '^modlatch: summary .* latched=yes '
	assert_line 'modlatch: root: /sbin/supervisor -> /lib/appliance/supervisor: ENOENT'
	assert_line 'modlatch: stopping: no supervisor of the build is on the new root; powering off'
	refute_line --partial 'is / after'
	refute_line --partial 'exec /sbin/supervisor'
	run check_lines dangling
	assert_output ""
}

@test "[$RUN] slowdisk: a disk too slow to answer stops the machine at ROOT_WAIT, naming what the step was doing" {
	run modlatch_lines slowdisk
	assert_line --regexp '^modlatch: summary .* latched=yes '
	assert_line --regexp '^modlatch: root: still (waiting for the device|checking the verity device|mounting) after 5s \(ROOT_WAIT\)$'
	assert_line 'modlatch: stopping: the root step did not end within ROOT_WAIT; powering off'
	refute_line --partial 'is / after'
	run check_lines slowdisk
	assert_output ""
}
