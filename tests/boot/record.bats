#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# AFTER_LATCH=record: once the latch holds, the kernel's module helper is modlatch itself, and
# every module the kernel then asks for is named in the kernel log and in /run/modlatch/refused,
# loaded by nobody. Two boots: the helper where the build says it is (/init), and a build that
# names a path that is not modlatch, where the helper must stay empty.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

# request_checks ROOTFS NAME: after the latch the case asks the kernel for a filesystem nothing
# provides (fs-xfs), twice, and for a socket family (net-pf-15, AF_KEY).
request_checks() {
	fixture_guest_tool "$2" socket "$GUEST/socket.c" || return 1
	cat >"$1/sbin/case-checks" <<-'SCRIPT'
		#!/bin/sh
		mkdir -p /mnt/xfs
		echo "CHECK mount-xfs=$(mount -t xfs /dev/null /mnt/xfs 2>&1)"
		mount -t xfs /dev/null /mnt/xfs 2>/dev/null
		echo "CHECK socket-af-key=$(/sbin/socket 15)"
		echo "CHECK record-dir=$([ -d /run/modlatch ] && echo present || echo absent)"
		echo "CHECK refused=$(tr '\n' , </run/modlatch/refused)"
		echo "CHECK kmsg-refused=$(dmesg -r | grep -c '^<12>.*modlatch: refused module=fs-xfs after latch')"
		echo "CHECK loaded-after=$(cut -d' ' -f1 /proc/modules | sort | tr '\n' ,)"
	SCRIPT
	chmod +x "$1/sbin/case-checks"
}

setup_file() {
	fixture record "$REPO/etc/demo.list" AFTER_LATCH=record --edit request_checks &&
		fixture record-elsewhere "$REPO/etc/demo.list" AFTER_LATCH=record \
			AFTER_LATCH_HELPER=/sbin/modlatch --edit request_checks
}

@test "$RUN: the report says the helper records requests, and where" {
	run modlatch_lines record
	assert_line "modlatch: after_latch=record helper=/init names=/run/modlatch/refused"
	assert_equal "$(summary_field record latched)" yes
}

@test "$RUN: after the latch kernel.modprobe is modlatch itself" {
	run check_lines record
	assert_line "modprobe=[/init]"
}

@test "$RUN: a request after the latch loads nothing and fails as before" {
	run check_lines record
	assert_line "mount-xfs=mount: mounting /dev/null on /mnt/xfs failed: No such device"
	assert_line "socket-af-key=EAFNOSUPPORT"
	assert_equal "$(check_lines record | sed -n 's/^loaded-after=//p')" \
		"$(check_lines record | sed -n 's/^loaded=//p' | sort | tr '\n' ,)"
}

@test "$RUN: each request is named once in /run/modlatch/refused, in the order asked" {
	run check_lines record
	assert_line "record-dir=present"
	assert_line "refused=fs-xfs,net-pf-15,"
}

# <12>: facility user (1), level warning (4), as the kernel keeps a line written to /dev/kmsg.
# xfs is asked for twice; the line is written when the name is first kept, so that asking
# again and again cannot fill the kernel log.
@test "$RUN: each name is a warning line in the kernel log, once, however often it is asked" {
	run check_lines record
	assert_line "kmsg-refused=1"
}

@test "$RUN: a helper path that is not modlatch leaves the helper empty, and says so" {
	run modlatch_lines record-elsewhere
	assert_line --regexp '^modlatch: after_latch=record: /sbin/modlatch is not this program \(ENOENT\)$'
	assert_line "modlatch: after_latch=blank: module requests after the latch will not be named"
	run check_lines record-elsewhere
	assert_line "modprobe=[]"
	assert_line "record-dir=absent"
	assert_line "mount-xfs=mount: mounting /dev/null on /mnt/xfs failed: No such device"
	assert_line "done"
}
