#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Cases 2, 3 and 4 in one boot: the image is damaged after the table was built: one byte of xor
# and one byte of garp changed, macvlan (required) and veth (optional) removed. (Case 11, the
# other kernel's module under a pinned name, can no longer be built: modlatch-gen checks each
# module's vermagic against the release, tests/gen.bats.) make initramfs refuses to pack a module
# file that is not the one pinned, so these cases pack their rootfs themselves (fixture_pack).

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

setup_file() {
	local tree release list=$BATS_FILE_TMPDIR/faults.list
	tree=$(fixture_tree faults kernel/crypto/xor.ko kernel/net/bridge/br_netfilter.ko \
		kernel/net/bridge/bridge.ko kernel/net/802/stp.ko kernel/net/llc/llc.ko \
		kernel/net/8021q/8021q.ko kernel/net/802/garp.ko kernel/net/802/mrp.ko \
		kernel/drivers/net/macvlan.ko kernel/drivers/net/veth.ko \
		kernel/drivers/net/dummy.ko) || return 1
	release=$(kernel_release)
	printf '%s\n' xor br_netfilter 8021q macvlan '?veth' 'dummy numdummies=3' >"$list"
	# Built to continue after an integrity failure, so the supervisor can check what loaded.
	TREE=$tree fixture_build faults "$list" ON_INTEGRITY_FAILURE=continue || return 1
	fixture_rootfs faults && fixture_pinned faults || return 1
	cat >"$FIXTURES/faults/rootfs/sbin/case-checks" <<-'SCRIPT'
		#!/bin/sh
		echo "CHECK dummy-links=$(ls /sys/class/net | grep -c '^dummy')"
	SCRIPT
	chmod +x "$FIXTURES/faults/rootfs/sbin/case-checks"
	local mods=$FIXTURES/faults/rootfs/lib/modules/$release
	flip_byte "$(module_file "$mods" kernel/crypto/xor.ko)" 200
	flip_byte "$(module_file "$mods" kernel/net/802/garp.ko)" 300
	rm "$(module_file "$mods" kernel/drivers/net/macvlan.ko)"
	rm "$(module_file "$mods" kernel/drivers/net/veth.ko)"
	fixture_pack faults && fixture_boot faults || return 1
	# The default build on an image with one byte of bridge changed.
	fixture_build tampered "$REPO/etc/demo.list" || return 1
	fixture_rootfs tampered && fixture_pinned tampered || return 1
	flip_byte "$(module_file "$FIXTURES/tampered/rootfs/lib/modules/$release" \
		kernel/net/bridge/bridge.ko)" 400
	fixture_pack tampered && fixture_boot tampered || return 1
	# A FIFO and a link to /dev/zero at two module paths: either would hang a reader forever.
	fixture_build hostile "$REPO/etc/demo.list" || return 1
	fixture_rootfs hostile && fixture_pinned hostile || return 1
	local mods=$FIXTURES/hostile/rootfs/lib/modules/$release xor bridge
	xor=$(module_file "$mods" kernel/crypto/xor.ko)
	bridge=$(module_file "$mods" kernel/net/bridge/bridge.ko)
	rm "$xor" "$bridge"
	mkfifo "$xor"
	ln -s /dev/zero "$bridge"
	fixture_pack hostile && BOOT_TIMEOUT=120 fixture_boot hostile
}

@test "[$RUN] a module with one byte changed is refused by its hash and named" {
	run modlatch_lines faults
	assert_line --regexp '^modlatch: module=xor result=failed step=sha256 us=[0-9]+$'
	assert_line --regexp '^modlatch: module=garp result=failed step=sha256 us=[0-9]+$'
	run check_lines faults
	refute_line 'loaded=xor'
	refute_line 'loaded=garp'
}

@test "[$RUN] what needs a refused module is not tried, and names it" {
	run modlatch_lines faults
	assert_line 'modlatch: module=8021q result=failed step=dependency needs=garp'
	run check_lines faults
	refute_line 'loaded=8021q'
}

@test "[$RUN] the modules around the damage load" {
	run check_lines faults
	for module in llc stp bridge br_netfilter mrp dummy; do
		assert_line "loaded=$module"
	done
}

@test "[$RUN] a required module missing from the image fails with ENOENT" {
	run modlatch_lines faults
	assert_line --regexp '^modlatch: module=macvlan result=failed step=open errno=ENOENT us=[0-9]+$'
}

@test "[$RUN] an optional module missing from the image is an allowed failure" {
	run modlatch_lines faults
	assert_line --regexp '^modlatch: module=veth result=optional-failed step=open errno=ENOENT us=[0-9]+$'
}

@test "[$RUN] module parameters reach the kernel: numdummies=3 makes three dummy links" {
	run check_lines faults
	assert_line 'dummy-links=3'
}

@test "[$RUN] the summary counts the damage and the latch still holds" {
	run modlatch_lines faults
	assert_line --regexp '^modlatch: summary loaded=6 already=0 builtin=0 absent=0 failed=4 optional_failed=1 latched=yes release=match total_ms=[0-9]+ finit_ms=[0-9]+ threads=[0-9]+ start_us=[0-9]+ latch_us=[0-9]+$'
	assert_line 'modlatch: integrity_failed=2'
	assert_line 'modlatch: 4 module(s) failed; handing off anyway, as built (continue)'
	run check_lines faults
	assert_line 'modules_disabled=1'
	assert_line "insmod=insmod: can't insert '/lib/modules/outsider.ko': Operation not permitted"
}

@test "[$RUN] by default a module file that is not the one pinned stops the machine after the latch" {
	run fixture_print tampered
	assert_line 'on_integrity_failure halt'
	run modlatch_lines tampered
	assert_line --regexp '^modlatch: module=bridge result=failed step=sha256 us=[0-9]+$'
	assert_line --regexp '^modlatch: latch modules_disabled=1 probe=EPERM confirmed$'
	assert_line 'modlatch: integrity_failed=1'
	assert_line --partial 'a module file is not the one pinned (ON_INTEGRITY_FAILURE=halt)'
	refute_line --partial 'exec /sbin/supervisor'
	run check_lines tampered
	assert_output ''
}

@test "[$RUN] a FIFO or a device at a module path is refused unread, and the machine stops" {
	run modlatch_lines hostile
	assert_line --regexp '^modlatch: module=xor result=failed step=type us=[0-9]+$'
	assert_line --regexp '^modlatch: module=bridge result=failed step=type us=[0-9]+$'
	assert_line 'modlatch: module=br_netfilter result=failed step=dependency needs=bridge'
	assert_line --regexp '^modlatch: latch modules_disabled=1 probe=EPERM confirmed$'
	assert_line 'modlatch: integrity_failed=2'
	assert_line --partial 'a module file is not the one pinned (ON_INTEGRITY_FAILURE=halt)'
}
