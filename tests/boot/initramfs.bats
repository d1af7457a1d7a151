#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# make initramfs as a user boots it: the demo list, the generic guest checks as the overlay,
# gzip-compressed, and QEMU given nothing but the kernel and build/initramfs.cpio.gz (no other
# archive, no disk). The kernel unpacks it, modlatch loads every module of the table, latches and
# hands off to the supervisor from the overlay.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

NAME=initramfs-gz

setup_file() {
	fixture_build "$NAME" "$REPO/etc/demo.list" &&
		fixture_rootfs "$NAME" &&
		fixture_initramfs "$NAME" INITRAMFS_COMPRESSION=gzip || return 1
	# Only the compressed archive boots: the fixture's uncompressed copy is not given to QEMU.
	rm -f "$FIXTURES/$NAME/initramfs.cpio"
	INITRD=$FIXTURES/$NAME/build/initramfs.cpio.gz fixture_boot "$NAME" && boot_times "$NAME"
}

@test "[$RUN] QEMU boots the kernel and make initramfs's gzip archive, and nothing else" {
	local cmdline=$FIXTURES/$NAME/qemu.cmdline
	run grep -c -x -e -initrd -e -kernel -e -drive -e -hda -e -cdrom "$cmdline"
	assert_output 2
	run grep -A1 -x -- -initrd "$cmdline"
	assert_line "$FIXTURES/$NAME/build/initramfs.cpio.gz"
	# gzip's magic, and the same bytes as the archive it compresses.
	[ "$(od -An -tx1 -N2 "$FIXTURES/$NAME/build/initramfs.cpio.gz" | tr -d ' ')" = 1f8b ]
	gzip -dc "$FIXTURES/$NAME/build/initramfs.cpio.gz" | cmp - "$FIXTURES/$NAME/build/initramfs.cpio"
}

@test "[$RUN] every module of the table loads, and /proc/modules is exactly the table" {
	local count
	count=$(table_loaded "$NAME" | tr , '\n' | grep -c .)
	run modlatch_lines "$NAME"
	for module in $(table_loaded "$NAME" | tr , ' '); do
		assert_line --regexp "^modlatch: module=$module result=loaded "
	done
	assert_line --regexp "^modlatch: summary loaded=$count already=0 builtin=[0-9]+ absent=0 failed=0 optional_failed=0 latched=yes release=match "
	assert_equal "$(check_lines "$NAME" | sed -n 's/^loaded=//p' | LC_ALL=C sort | paste -sd, -)" \
		"$(table_loaded "$NAME")"
}

@test "[$RUN] the latch is confirmed and holds for the supervisor" {
	assert_equal "$(summary_field "$NAME" latched)" yes
	run modlatch_lines "$NAME"
	assert_line 'modlatch: latch modules_disabled=1 probe=EPERM confirmed'
	run check_lines "$NAME"
	assert_line 'modules_disabled=1'
	assert_line "insmod=insmod: can't insert '/lib/modules/outsider.ko': Operation not permitted"
}

@test "[$RUN] the supervisor from the overlay runs as PID 1 to its end" {
	run modlatch_lines "$NAME"
	assert_line 'modlatch: exec /sbin/supervisor'
	run check_lines "$NAME"
	assert_line 'pid=1'
	assert_line 'done'
}
