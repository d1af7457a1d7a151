#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Hand-off to the supervisors of rootfs-overlay/: s6 (Debian's s6-svscan, copied into the image
# with its shared libraries) and BusyBox init. Each runs as PID 1 after the latch.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

# s6_image ROOTFS NAME: s6 with the overlay's example service and its logger, plus a test-only
# "checker" service that kills the example, watches s6 restart it, and powers off.
s6_image() {
	local root=$1
	fixture_overlay "$2" || return 1
	fixture_programs "$2" /usr/bin/s6-svscan /usr/bin/s6-supervise /usr/bin/s6-log \
		/usr/bin/s6-svstat /usr/bin/s6-svok
	mkdir -p "$root/etc/s6/service/checker"
	cat >"$root/etc/s6/service/checker/run" <<-'SCRIPT'
		#!/bin/sh
		exec >/dev/console 2>&1
		pid_of() { s6-svstat -p /run/service/example; }
		for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(pid_of)" -gt 0 ] 2>/dev/null && break; sleep 1; done
		first=$(pid_of)
		echo "CHECK pid1=$(cat /proc/1/comm)"
		echo "CHECK example-up=$(s6-svstat -o up /run/service/example)"
		kill -KILL "$first"
		for i in 1 2 3 4 5 6 7 8 9 10; do
			second=$(pid_of)
			[ "$second" -gt 0 ] 2>/dev/null && [ "$second" != "$first" ] && break
			sleep 1
		done
		echo "CHECK restarted=$([ "$second" -gt 0 ] && [ "$second" != "$first" ] && echo yes)"
		sleep 1
		echo "CHECK log-started=$(grep -c 'example: started' /run/log/example/current)"
		echo "CHECK modules_disabled=$(cat /proc/sys/kernel/modules_disabled)"
		poweroff -f
	SCRIPT
	chmod +x "$root/etc/s6/service/checker/run"
}

# busybox_init_image ROOTFS NAME: BusyBox init with the overlay's inittab and rcS, plus a
# test-only S99 script.
busybox_init_image() {
	local root=$1
	fixture_overlay "$2" || return 1
	ln -s ../bin/busybox "$root/sbin/init"
	cat >"$root/etc/init.d/S99check" <<-'SCRIPT'
		#!/bin/sh
		echo "CHECK pid1-exe=$(readlink /proc/1/exe)"
		echo "CHECK pid1-cmdline=$(tr '\0' ' ' </proc/1/cmdline | sed 's/ *$//')"
		echo "CHECK sysinit-parent=$(cut -d' ' -f4 /proc/$PPID/stat)"
		echo "CHECK modules_disabled=$(cat /proc/sys/kernel/modules_disabled)"
		echo "CHECK insmod=$(insmod /lib/modules/outsider.ko 2>&1)"
		poweroff -f
	SCRIPT
	chmod +x "$root/etc/init.d/S99check"
}

setup_file() {
	fixture s6 "$REPO/etc/demo.list" SUPERVISOR=s6 --edit s6_image &&
		fixture busybox-init "$REPO/etc/demo.list" SUPERVISOR=busybox-init --edit busybox_init_image
}

@test "[$RUN] s6: modlatch execs the overlay's boot script and s6-svscan becomes PID 1" {
	run modlatch_lines s6
	assert_line 'modlatch: exec /etc/s6/boot'
	assert_line --regexp '^modlatch: summary .* latched=yes '
	run check_lines s6
	assert_line 'pid1=s6-svscan'
	assert_line 'modules_disabled=1'
}

@test "[$RUN] s6: the example service runs and its logger writes to /run" {
	run check_lines s6
	assert_line 'example-up=true'
	assert_line --regexp '^log-started=[1-9]'
}

@test "[$RUN] s6: a killed service is restarted by s6" {
	run check_lines s6
	assert_line 'restarted=yes'
	run check_lines s6
	assert_line --regexp '^log-started=[2-9]'
}

@test "[$RUN] BusyBox init: it is PID 1 after the latch and runs its sysinit line" {
	run modlatch_lines busybox-init
	assert_line 'modlatch: exec /sbin/init'
	run check_lines busybox-init
	assert_line 'pid1-exe=/bin/busybox'
	assert_line 'pid1-cmdline=init'
	assert_line 'sysinit-parent=1'
	assert_line 'modules_disabled=1'
}

@test "[$RUN] BusyBox init: a module load in rcS fails with EPERM" {
	run check_lines busybox-init
	assert_line "insmod=insmod: can't insert '/lib/modules/outsider.ko': Operation not permitted"
}
