#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
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
	# AFTER_LATCH=record: every module the workload makes the kernel ask for is named. About a
	# minute on an idle machine; podman under TCG is slow, and a loaded one doubles it.
	QEMU_MEM=2048 BOOT_TIMEOUT=900 fixture_workload "$NAME" "$REPO/etc/container-host.list" \
		"$REPO/tests/workload/guest/container-host.sh" AFTER_LATCH=record || return 1
	echo "# $RUN $NAME: latched $(summary_field "$NAME" latch_us | awk '{ printf "%.2f", $1 / 1e6 }')" \
		"s after the kernel started; the workload after it $(check_lines "$NAME" |
			sed -n 's/^workload_seconds=//p') s" >&3
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
	assert_line "proc_modules=$(table_loaded "$NAME")"
}

@test "[$RUN] container-host: the workload asked the kernel for no module outside the table" {
	run check_lines "$NAME"
	assert_line 'refused='
	run modlatch_lines "$NAME"
	assert_line 'modlatch: after_latch=record helper=/init names=/run/modlatch/refused'
}

@test "[$RUN] container-host: cgroup2, devpts, /dev/shm, /tmp and the image store are mounted" {
	assert_step "$NAME" mounts
}

@test "[$RUN] container-host: podman is configured without systemd, storage overlay" {
	assert_step "$NAME" podman-config
}

@test "[$RUN] container-host: the outside world answers over a veth link" {
	assert_step "$NAME" outside-link
}

@test "[$RUN] container-host: a BusyBox image is imported (no registry)" {
	assert_step "$NAME" podman-import
}

@test "[$RUN] container-host: iptables is switched to iptables-legacy" {
	assert_step "$NAME" iptables-legacy
}

@test "[$RUN] container-host: iptables-legacy: a published port serves the outside world" {
	assert_step "$NAME" podman-publish-legacy
}

@test "[$RUN] container-host: iptables-legacy: container to container over the bridge" {
	assert_step "$NAME" podman-c2c-legacy
}

@test "[$RUN] container-host: iptables-legacy: a container reaches the outside world masqueraded" {
	assert_step "$NAME" podman-masquerade-legacy
}

@test "[$RUN] container-host: iptables-legacy: netavark's rules use the list's x_tables extensions" {
	assert_step "$NAME" iptables-extensions-legacy
}

@test "[$RUN] container-host: iptables-legacy: bridged traffic passes iptables (br_netfilter)" {
	assert_step "$NAME" bridge-netfilter-legacy
}

@test "[$RUN] container-host: iptables-legacy: containers and rules are gone before the next pass" {
	assert_step "$NAME" podman-cleanup-legacy
}

@test "[$RUN] container-host: iptables is switched to iptables-nft" {
	assert_step "$NAME" iptables-nft
}

@test "[$RUN] container-host: iptables-nft: a published port serves the outside world" {
	assert_step "$NAME" podman-publish-nft
}

@test "[$RUN] container-host: iptables-nft: container to container over the bridge" {
	assert_step "$NAME" podman-c2c-nft
}

@test "[$RUN] container-host: iptables-nft: a container reaches the outside world masqueraded" {
	assert_step "$NAME" podman-masquerade-nft
}

@test "[$RUN] container-host: iptables-nft: netavark's rules use the list's x_tables extensions" {
	assert_step "$NAME" iptables-extensions-nft
}

@test "[$RUN] container-host: iptables-nft: bridged traffic passes iptables (br_netfilter)" {
	assert_step "$NAME" bridge-netfilter-nft
}

@test "[$RUN] container-host: podman stores on overlay and the container's root is an overlay" {
	assert_step "$NAME" overlay-storage
}

@test "[$RUN] container-host: an IPVS service (round robin) in front of a container" {
	assert_step "$NAME" ipvs-rr
}

@test "[$RUN] container-host: an IPVS service (weighted round robin) in front of a container" {
	assert_step "$NAME" ipvs-wrr
}

@test "[$RUN] container-host: an IPVS service (source hashing) in front of a container" {
	assert_step "$NAME" ipvs-sh
}

@test "[$RUN] container-host: iptables-nft: containers and rules are gone afterwards" {
	assert_step "$NAME" podman-cleanup-nft
}

@test "[$RUN] container-host: an nftables NAT ruleset loads (nat chains, masquerade, dnat, ct)" {
	assert_step "$NAME" nft-ruleset
}

@test "[$RUN] container-host: nftables masquerades a LAN toward the outside world" {
	assert_step "$NAME" nft-masquerade
}

@test "[$RUN] container-host: nftables forwards a port of the outside address into the LAN" {
	assert_step "$NAME" nft-dnat
}

@test "[$RUN] container-host: the outside link and the LAN get IPv6, the host a web page of its own" {
	assert_step "$NAME" ipv6
}

@test "[$RUN] container-host: nft: ct state, a named set, fib, meta l4proto, limit rate, a verdict map into log and reject, a dnat port map and redirect see the outside world's traffic" {
	assert_step "$NAME" nft-rules
}

@test "[$RUN] container-host: iptables-legacy: the filter and nat rules people write are taken and see traffic" {
	assert_step "$NAME" rules-iptables-legacy
}

@test "[$RUN] container-host: iptables-nft: the filter and nat rules people write are taken and see traffic" {
	assert_step "$NAME" rules-iptables-nft
}

@test "[$RUN] container-host: ip6tables-legacy: the filter and nat rules people write are taken and see traffic" {
	assert_step "$NAME" rules-ip6tables-legacy
}

@test "[$RUN] container-host: ip6tables-nft: the filter and nat rules people write are taken and see traffic" {
	assert_step "$NAME" rules-ip6tables-nft
}

@test "[$RUN] container-host: a ping reaches an address on a dummy link" {
	assert_step "$NAME" link-dummy
}

@test "[$RUN] container-host: a ping crosses an 802.1Q VLAN" {
	assert_step "$NAME" link-vlan
}

@test "[$RUN] container-host: a ping crosses a macvlan link" {
	assert_step "$NAME" link-macvlan
}

@test "[$RUN] container-host: a ping crosses an ipvlan link" {
	assert_step "$NAME" link-ipvlan
}

@test "[$RUN] container-host: a ping crosses a VXLAN overlay" {
	assert_step "$NAME" link-vxlan
}

@test "[$RUN] container-host: a ping crosses a WireGuard link with keys made in the guest" {
	assert_step "$NAME" link-wireguard
}
