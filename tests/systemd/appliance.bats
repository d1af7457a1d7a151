#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The bookworm ext4 boot of ext4.bats with the appliance's own work under systemd: Debian's
# nftables.service loads the host's ruleset (tests/systemd/appliance/etc/nftables.conf) at boot,
# and web.service runs a podman container (netavark, crun, overlay storage, cgroups through
# systemd) whose published port answers a client in another network namespace, joined to the
# host by a veth pair. Every step is asserted with the tool's own output
# (tests/systemd/guest/appliance.sh). The boot checks are ext4.bats's, asserted again on this
# boot. The root with podman is Debian 12's: this file runs on the 6.1 kernel (KERNEL=bookworm).

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture
load systemd

NAME=systemd-appliance

setup_file() {
	[ "$KERNEL" = bookworm ] || {
		echo "appliance.bats boots the bookworm root (podman), on KERNEL=bookworm; not $KERNEL" >&2
		return 1
	}
	QEMU_MEM=2048 BOOT_TIMEOUT=900 systemd_case "$NAME" ext4 --appliance \
		--part appliance.sh --part outsider.sh
}

@test "[$RUN] systemd-ext4: modlatch latches, then mounts /dev/vda read-write and execs /sbin/init" {
	assert_ext4_root "$NAME"
}

@test "[$RUN] systemd-ext4: PID 1 is Debian's systemd" {
	assert_systemd_pid1 "$NAME"
}

@test "[$RUN] systemd-ext4: modules_disabled is 1 and modlatch's report is in journalctl -k" {
	assert_latch_in_journal "$NAME"
}

@test "[$RUN] systemd-ext4: systemd reaches running with no failed unit, podman's units included" {
	assert_running "$NAME"
}

@test "[$RUN] systemd-ext4: no error in the journal is about a module" {
	assert_no_module_errors "$NAME"
}

@test "[$RUN] systemd-ext4: appliance: nftables.service is enabled and active after boot" {
	assert_step "$NAME" nftables-service
}

@test "[$RUN] systemd-ext4: appliance: nft lists the host's ruleset: input policy drop, established, lo, tcp 8080, a counter" {
	assert_step "$NAME" nftables-ruleset
}

@test "[$RUN] systemd-ext4: appliance: a client namespace is joined to the host by a veth pair" {
	assert_step "$NAME" client-link
}

@test "[$RUN] systemd-ext4: appliance: web.service runs the container; podman publishes 8080 on overlay, systemd cgroups, netavark" {
	assert_step "$NAME" web-service
	run grep -F '  web-service| graph driver overlay, cgroup manager systemd, network backend netavark' \
		"$FIXTURES/$NAME/serial.log"
	assert_success
}

@test "[$RUN] systemd-ext4: appliance: the published port answers the client (curl)" {
	assert_step "$NAME" web-publish
}

@test "[$RUN] systemd-ext4: appliance: a port the ruleset does not open is dropped for the client and counted" {
	assert_step "$NAME" input-drop
}

@test "[$RUN] systemd-ext4: with CAP_SYS_MODULE, systemd-modules-load runs and succeeds on Debian's empty list" {
	assert_modules_load_ran "$NAME"
}

@test "[$RUN] systemd-ext4: a modules-load.d name the table lacks (nlmon) fails systemd-modules-load, named" {
	assert_outsider_named "$NAME"
}

@test "[$RUN] systemd-ext4: with the name gone and the failure reset, no unit is failed" {
	assert_step "$NAME" outsider-cleanup
}
