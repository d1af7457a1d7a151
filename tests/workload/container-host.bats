#!/usr/bin/env bats
# The container-host workload: an appliance built from etc/container-host.list still does a
# container host's job after the latch, with Debian's own tools (podman with netavark, crun and
# conmon, iptables in both flavours, nft, ipvsadm, ip, wg). The guest
# (tests/workload/guest/container-host.sh) runs every step once and reports each as a CHECK line;
# every test below asserts one step, and shows the tool's own error when it failed. Each promise
# of the list's comments is exercised by at least one step.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

NAME=workload-container-host

setup_file() {
	sh "$REPO/tests/lib/guestroot.sh" fetch || return 1
	# AFTER_LATCH=record: every module the workload makes the kernel ask for is named.
	fixture_build "$NAME" "$REPO/etc/container-host.list" AFTER_LATCH=record || return 1
	fixture_workload_initramfs "$NAME" "$REPO/tests/workload/guest/container-host.sh" || return 1
	# About a minute on an idle machine; podman under TCG is slow, and a loaded one doubles it.
	QEMU_MEM=2048 BOOT_TIMEOUT=900 fixture_boot "$NAME" || return 1
	boot_times "$NAME"
	echo "# $RUN $NAME: latched $(summary_field "$NAME" latch_us | awk '{ printf "%.2f", $1 / 1e6 }')" \
		"s after the kernel started; the workload after it $(check_lines "$NAME" |
			sed -n 's/^workload_seconds=//p') s" >&3
}

# assert_step STEP: the guest reported STEP ok; otherwise fails with what it reported.
assert_step() {
	local line
	line=$(check_lines "$NAME" | grep "^step=$1 ")
	if [ "$line" != "step=$1 ok" ]; then
		echo "${line:-step=$1 was never reported}; see $FIXTURES/$NAME/serial.log" >&2
		return 1
	fi
}

# Table entries that must be in /proc/modules, sorted: all but the built-in and absent ones.
loadable() {
	fixture_print "$NAME" | grep -v 'flags=[^ ]*\(builtin\|absent\)' |
		sed -n 's/^[0-9]* name=\([^ ]*\).*/\1/p' | LC_ALL=C sort | paste -s -d, -
}

@test "[$RUN] container-host: every module loads and the latch is confirmed" {
	run modlatch_lines "$NAME"
	assert_line --regexp '^modlatch: summary .* failed=0 optional_failed=0 latched=yes release=match '
}

@test "[$RUN] container-host: the workload runs to its end" {
	run check_lines "$NAME"
	assert_line 'done'
}

@test "[$RUN] container-host: after the workload, /proc/modules holds exactly the table" {
	run check_lines "$NAME"
	assert_line "proc_modules=$(loadable)"
}

@test "[$RUN] container-host: the workload asked the kernel for no module outside the table" {
	run check_lines "$NAME"
	assert_line 'refused='
	run modlatch_lines "$NAME"
	assert_line 'modlatch: after_latch=record helper=/init names=/run/modlatch/refused'
}

@test "[$RUN] container-host: cgroup2, devpts, /dev/shm, /tmp and the image store are mounted" {
	assert_step mounts
}

@test "[$RUN] container-host: podman is configured without systemd, storage overlay" {
	assert_step podman-config
}

@test "[$RUN] container-host: the outside world answers over a veth link" {
	assert_step outside-link
}

@test "[$RUN] container-host: a BusyBox image is imported (no registry)" {
	assert_step podman-import
}

@test "[$RUN] container-host: iptables is switched to iptables-legacy" {
	assert_step iptables-legacy
}

@test "[$RUN] container-host: iptables-legacy: a published port serves the outside world" {
	assert_step podman-publish-legacy
}

@test "[$RUN] container-host: iptables-legacy: container to container over the bridge" {
	assert_step podman-c2c-legacy
}

@test "[$RUN] container-host: iptables-legacy: a container reaches the outside world masqueraded" {
	assert_step podman-masquerade-legacy
}

@test "[$RUN] container-host: iptables-legacy: netavark's rules use the list's x_tables extensions" {
	assert_step iptables-extensions-legacy
}

@test "[$RUN] container-host: iptables-legacy: bridged traffic passes iptables (br_netfilter)" {
	assert_step bridge-netfilter-legacy
}

@test "[$RUN] container-host: iptables-legacy: containers and rules are gone before the next pass" {
	assert_step podman-cleanup-legacy
}

@test "[$RUN] container-host: iptables is switched to iptables-nft" {
	assert_step iptables-nft
}

@test "[$RUN] container-host: iptables-nft: a published port serves the outside world" {
	assert_step podman-publish-nft
}

@test "[$RUN] container-host: iptables-nft: container to container over the bridge" {
	assert_step podman-c2c-nft
}

@test "[$RUN] container-host: iptables-nft: a container reaches the outside world masqueraded" {
	assert_step podman-masquerade-nft
}

@test "[$RUN] container-host: iptables-nft: netavark's rules use the list's x_tables extensions" {
	assert_step iptables-extensions-nft
}

@test "[$RUN] container-host: iptables-nft: bridged traffic passes iptables (br_netfilter)" {
	assert_step bridge-netfilter-nft
}

@test "[$RUN] container-host: podman stores on overlay and the container's root is an overlay" {
	assert_step overlay-storage
}

@test "[$RUN] container-host: an IPVS service (round robin) in front of a container" {
	assert_step ipvs-rr
}

@test "[$RUN] container-host: an IPVS service (weighted round robin) in front of a container" {
	assert_step ipvs-wrr
}

@test "[$RUN] container-host: an IPVS service (source hashing) in front of a container" {
	assert_step ipvs-sh
}

@test "[$RUN] container-host: iptables-nft: containers and rules are gone afterwards" {
	assert_step podman-cleanup-nft
}

@test "[$RUN] container-host: an nftables NAT ruleset loads (nat chains, masquerade, dnat, ct)" {
	assert_step nft-ruleset
}

@test "[$RUN] container-host: nftables masquerades a LAN toward the outside world" {
	assert_step nft-masquerade
}

@test "[$RUN] container-host: nftables forwards a port of the outside address into the LAN" {
	assert_step nft-dnat
}

@test "[$RUN] container-host: a ping reaches an address on a dummy link" {
	assert_step link-dummy
}

@test "[$RUN] container-host: a ping crosses an 802.1Q VLAN" {
	assert_step link-vlan
}

@test "[$RUN] container-host: a ping crosses a macvlan link" {
	assert_step link-macvlan
}

@test "[$RUN] container-host: a ping crosses an ipvlan link" {
	assert_step link-ipvlan
}

@test "[$RUN] container-host: a ping crosses a VXLAN overlay" {
	assert_step link-vxlan
}

@test "[$RUN] container-host: a ping crosses a WireGuard link with keys made in the guest" {
	assert_step link-wireguard
}
