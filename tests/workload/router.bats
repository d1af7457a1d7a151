#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The router workload: an appliance built from etc/router.list still does a router's job after
# the latch, with Debian's own tools (nft, ip, tc, wg, conntrack, ss, iptables, ip6tables, curl,
# busybox).
# One boot; the guest (tests/workload/guest/router.sh) is the router, its LAN and WAN hosts and a
# LACP switch are network namespaces. Every step of the guest is one test here, and a failed step
# fails with the tool's own error. Afterwards /proc/modules holds exactly the table: nothing was
# loaded on the way, and the list is what the workload needs.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

NAME=workload-router

setup_file() {
	# AFTER_LATCH=record: every module the kernel asks for after the latch is named in
	# /run/modlatch/refused, where the guest reads it.
	QEMU_MEM=1024 BOOT_TIMEOUT=600 fixture_workload "$NAME" "$REPO/etc/router.list" \
		"$REPO/tests/workload/guest/router.sh" AFTER_LATCH=record
}

# sse4_2: whether the guest's CPU has SSE4.2, which crc32c-intel needs (QEMU_CPU=max has it).
sse4_2() { check_lines "$NAME" | grep -qx 'sse4_2=yes'; }

@test "[$RUN] router: the table loads, the latch holds and the workload runs to its end" {
	local optional_failed=1
	sse4_2 && optional_failed=0
	run modlatch_lines "$NAME"
	assert_line --regexp \
		"^modlatch: summary .* failed=0 optional_failed=$optional_failed latched=yes release=match "
	run check_lines "$NAME"
	assert_line 'done'
}

@test "[$RUN] router: after the workload, /proc/modules holds exactly the table's modules" {
	run check_lines "$NAME"
	assert_line "proc_modules=$(table_loaded "$NAME")"
}

@test "[$RUN] router: the kernel asked for no module after the latch (none refused and recorded)" {
	run modlatch_lines "$NAME"
	assert_line 'modlatch: after_latch=record helper=/init names=/run/modlatch/refused'
	run check_lines "$NAME"
	assert_line 'refused='
}

@test "[$RUN] router: LAN and WAN hosts are network namespaces joined to the router by veth" {
	assert_step "$NAME" netns
}

@test "[$RUN] router: the LAN side is a bridge the LAN host reaches the router through" {
	assert_step "$NAME" bridge
}

@test "[$RUN] router: IPv4 is forwarded between LAN and WAN" {
	assert_step "$NAME" forward_ipv4
}

@test "[$RUN] router: IPv6 is forwarded both ways between LAN and WAN" {
	assert_step "$NAME" forward_ipv6
}

@test "[$RUN] router: nftables masquerade lets the LAN host reach a WAN host with no route back" {
	assert_step "$NAME" masquerade
}

@test "[$RUN] router: an nftables port forward (dnat) takes the WAN host to a LAN web server" {
	assert_step "$NAME" port_forward
}

@test "[$RUN] router: the counter of a ct state established,related rule rises" {
	assert_step "$NAME" ct_state
}

@test "[$RUN] router: conntrack -L shows the LAN host's masqueraded flow" {
	assert_step "$NAME" conntrack_list
}

@test "[$RUN] router: a flowtable and a flow add @ft rule offload a forwarded TCP flow" {
	assert_step "$NAME" flow_offload
}

@test "[$RUN] router: an nft fib reverse-path rule drops a spoofed LAN source arriving on the WAN" {
	assert_step "$NAME" fib
}

@test "[$RUN] router: nft reject answers the WAN with a TCP reset and an icmpx admin-prohibited" {
	assert_step "$NAME" reject
}

@test "[$RUN] router: an 802.1Q VLAN subinterface on the WAN link carries traffic" {
	assert_step "$NAME" vlan
}

@test "[$RUN] router: a bond made without options is 802.3ad with miimon 100 (the list's parameters) and carries traffic" {
	assert_step "$NAME" bonding
}

@test "[$RUN] router: a WireGuard tunnel with keys made by wg carries traffic to the WAN host" {
	assert_step "$NAME" wireguard
}

@test "[$RUN] router: ip tuntap makes a tun device" {
	assert_step "$NAME" tun
}

@test "[$RUN] router: tc mirred redirects the WAN link's ingress into an ifb device" {
	assert_step "$NAME" ifb_mirred
}

@test "[$RUN] router: an htb qdisc with a u32 filter shapes the WAN egress and counts the traffic" {
	assert_step "$NAME" shaping_htb
}

@test "[$RUN] router: a cake qdisc on the LAN egress passes traffic and counts it" {
	assert_step "$NAME" shaping_cake
}

@test "[$RUN] router: with tcp_congestion_control=bbr, ss -ti shows a connection using bbr" {
	assert_step "$NAME" bbr
}

@test "[$RUN] router: nft: a named set, a verdict map into a log and reject chain, limit rate, a dnat port map and redirect see the LAN host's traffic" {
	assert_step "$NAME" nft_rules
}

@test "[$RUN] router: iptables-legacy: the filter and nat rules people write are taken and see traffic" {
	assert_step "$NAME" iptables_legacy
}

@test "[$RUN] router: iptables-nft: the filter and nat rules people write are taken and see traffic" {
	assert_step "$NAME" iptables_nft
}

@test "[$RUN] router: ip6tables-legacy: the filter rules people write are taken and see traffic" {
	assert_step "$NAME" ip6tables_legacy
}

@test "[$RUN] router: ip6tables-nft: the filter rules people write are taken and see traffic" {
	assert_step "$NAME" ip6tables_nft
}

@test "[$RUN] router: crc32c-intel (optional) loads and serves crc32c where the CPU has SSE4.2" {
	if sse4_2; then
		run modlatch_lines "$NAME"
		assert_line --regexp '^modlatch: module=crc32c_intel result=loaded '
		assert_step "$NAME" crc32c
	else
		run modlatch_lines "$NAME"
		assert_line --regexp '^modlatch: module=crc32c_intel result=optional-failed step=finit_module errno=ENODEV '
	fi
}
