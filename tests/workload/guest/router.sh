#!/bin/bash
# SPDX-License-Identifier: MIT
# The router workload: modlatch execs this as PID 1 after the latch, in an appliance built from
# etc/router.list with Debian's own tools. The root namespace is the router; the LAN host, the
# WAN host and a LACP switch are network namespaces joined to it by veth pairs. Every promise of
# the list is one step, and every step prints one line:
#   CHECK step=NAME ok
#   CHECK step=NAME failed: <the line in which the failing tool says why>
# A step that fails does not stop the others. At the end: the modules in /proc/modules (nothing
# may have been loaded since the latch), the module requests refused after the latch (the build
# records them), "CHECK done", and power off.
#
# After the latch the kernel's module requests fail silently, so a module missing from the list
# shows only as the tool's own error ("Error: Unknown device type.", "Could not process rule: No
# such file or directory"); that is the text a failed step reports.
#
# Addresses (documentation ranges only; there is no NIC, nothing leaves the guest):
#   LAN    br-lan 192.0.2.1/24 2001:db8:1::1/64     lan host 192.0.2.2 2001:db8:1::2
#   WAN    rwan0  203.0.113.1/24 2001:db8:2::1/64   wan host 203.0.113.2 2001:db8:2::2
#   VLAN 20 on the WAN link     198.51.100.0/28     router .1, wan host .2
#   bond (to the switch)        198.51.100.16/28    router .17, switch .18
#   WireGuard (to the wan host) 198.51.100.32/28    router .33, wan host .34
#   tun                         198.51.100.48/28    router .49
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# must CMD...: one command of a step, bounded in time. It prints what the command printed; when
# the command fails, only the line that says why, and it fails. That line is the last one that
# starts with "Error" (nft and ip go on to echo the command and mark it with ^^^), else the last
# one that sounds like an error (ip6tables adds "Perhaps ... needs to be upgraded."), else the
# last line (ping's statistics), else how the command ended. Daemons never run under must: its
# command substitution would wait for them.
must() {
	local out rc
	out=$(timeout 60 "$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		[ -z "$out" ] || printf '%s\n' "$out"
		return 0
	fi
	out=$(printf '%s\n' "$out" | grep '^Error' | tail -n 1 | grep . ||
		printf '%s\n' "$out" | grep -i -E "error|can't|cannot|no such|unknown|invalid|fail" |
		tail -n 1 | grep . || printf '%s\n' "$out" | grep . | tail -n 1)
	echo "${out:-$1 exited with status $rc}"
	return 1
}

# fail TEXT: a step's own verdict when every tool succeeded but the result is wrong.
fail() {
	echo "$*"
	return 1
}

# step NAME: runs check_NAME in this shell (the steps build on each other's interfaces) and
# prints its CHECK line.
step() {
	local name=$1 why
	if "check_$name" >/run/step.out 2>&1; then
		echo "CHECK step=$name ok"
	else
		why=$(grep . /run/step.out | tail -n 1)
		echo "CHECK step=$name failed: ${why:-no output}"
	fi
}

# packets FAMILY TABLE CHAIN TEXT: the packet counter of the first rule of the chain that
# contains TEXT (empty if there is none).
packets() {
	nft list chain "$1" "$2" "$3" | grep -F -- "$4" |
		sed -n 's/.*counter packets \([0-9]*\) .*/\1/p' | head -n 1
}

# rises BEFORE AFTER WHAT: fails unless a counter went up.
rises() {
	[ "${2:-0}" -gt "${1:-0}" ] || fail "$3 did not rise (${1:-none} before, ${2:-none} after)"
}

# wait_for WHAT CMD...: runs CMD until it succeeds, 50 tries 0.2 s apart; fails naming WHAT.
# Under TCG a daemon or a protocol (LACP) may take a while to come up.
wait_for() {
	local what=$1 n=0
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -lt 50 ] || fail "gave up waiting for $what" || return
		sleep 0.2
	done
}

# listens NS PORT: something listens on TCP PORT in namespace NS (- for the router).
listens() {
	if [ "$1" = - ]; then ss -Htln; else ip netns exec "$1" ss -Htln; fi | grep -q ":$2 "
}

# serve NS: busybox httpd on port 80 of namespace NS, whose page is the namespace's name.
serve() {
	mkdir -p "/srv/$1"
	echo "$1" >"/srv/$1/index.html"
	ip netns exec "$1" busybox httpd -f -p 80 -h "/srv/$1" </dev/null >/dev/null 2>&1 &
	wait_for "$1's web server" listens "$1" 80
}

# fetch NS URL EXPECTED [CURL_OPTION...]: curl from a namespace must get EXPECTED.
fetch() {
	local ns=$1 url=$2 expected=$3 got
	shift 3
	got=$(must ip netns exec "$ns" curl -sS --max-time 10 "$@" "$url") || fail "$got" || return
	[ "$got" = "$expected" ] || fail "curl $url from $ns: got '$got', expected '$expected'"
}

# ping_from NS ADDRESS: three pings from a namespace (or the router, -), at least one answered.
ping_from() {
	if [ "$1" = - ]; then
		must ping -c 3 -i 0.2 -W 2 "$2"
	else
		must ip netns exec "$1" ping -c 3 -i 0.2 -W 2 "$2"
	fi
}

# --- Steps. Each sets up what it proves, then proves it with traffic. ---

# The LAN host, the WAN host and the switch (of the bonding step) are namespaces. The LAN and WAN
# hosts are joined to the router by a veth pair each; the WAN side is addressed here, the LAN
# side in the bridge step.
check_netns() {
	local ns
	for ns in lan wan sw; do
		must ip netns add "$ns" || return
		must ip -n "$ns" link set lo up || return
	done
	must ip link add rlan0 type veth peer name lan0 netns lan || return
	must ip link add rwan0 type veth peer name wan0 netns wan || return
	must ip addr add 203.0.113.1/24 dev rwan0 || return
	must ip addr add 2001:db8:2::1/64 dev rwan0 nodad || return
	must ip link set rwan0 up || return
	must ip -n wan addr add 203.0.113.2/24 dev wan0 || return
	must ip -n wan addr add 2001:db8:2::2/64 dev wan0 nodad || return
	must ip -n wan link set wan0 up || return
	# IPv6 is routed, not translated: the WAN host knows the LAN prefix. For IPv4 it has no
	# route back to the LAN, so only NAT can answer it.
	must ip -n wan -6 route add 2001:db8:1::/64 via 2001:db8:2::1 || return
	ping_from wan 203.0.113.1
}

# The LAN is a bridge whose port is the LAN host's veth.
check_bridge() {
	local port
	must ip link add br-lan type bridge || return
	must ip link set rlan0 master br-lan || return
	must ip link set rlan0 up || return
	must ip addr add 192.0.2.1/24 dev br-lan || return
	must ip addr add 2001:db8:1::1/64 dev br-lan nodad || return
	must ip link set br-lan up || return
	must ip -n lan addr add 192.0.2.2/24 dev lan0 || return
	must ip -n lan addr add 2001:db8:1::2/64 dev lan0 nodad || return
	must ip -n lan link set lan0 up || return
	must ip -n lan route add default via 192.0.2.1 || return
	must ip -n lan -6 route add default via 2001:db8:1::1 || return
	ping_from lan 192.0.2.1 || return
	port=$(must bridge link show dev rlan0) || fail "$port" || return
	echo "$port" | grep -q 'master br-lan' || fail "rlan0 is not a port of br-lan: $port"
}

# Plain IPv4 routing, while the WAN host is given a route back for this step only.
check_forward_ipv4() {
	local rc
	must sysctl -w net.ipv4.ip_forward=1 || return
	must ip -n wan route add 192.0.2.0/24 via 203.0.113.1 || return
	ping_from lan 203.0.113.2
	rc=$?
	must ip -n wan route del 192.0.2.0/24 via 203.0.113.1 || return
	return $rc
}

# IPv6 routing both ways, ping and HTTP.
check_forward_ipv6() {
	must sysctl -w net.ipv6.conf.all.forwarding=1 || return
	ping_from lan 2001:db8:2::2 || return
	fetch lan 'http://[2001:db8:2::2]/' wan || return
	fetch wan 'http://[2001:db8:1::2]/' lan
}

# Source NAT: the WAN host has no route to the LAN, yet the LAN host gets its page.
check_masquerade() {
	must nft add table ip nat || return
	must nft add chain ip nat postrouting '{ type nat hook postrouting priority srcnat; }' || return
	must nft add rule ip nat postrouting oifname rwan0 masquerade || return
	fetch lan http://203.0.113.2/ wan || return
	ping_from lan 203.0.113.2
}

# Destination NAT: the router's WAN port 8080 leads to the LAN host's web server.
check_port_forward() {
	must nft add table ip nat || return
	must nft add chain ip nat prerouting '{ type nat hook prerouting priority dstnat; }' || return
	must nft add rule ip nat prerouting iifname rwan0 tcp dport 8080 dnat to 192.0.2.2:80 || return
	fetch wan http://203.0.113.1:8080/ lan
}

# The filter table the later steps add to.
nft_filter() {
	must nft add table inet router || return
	must nft add chain inet router forward '{ type filter hook forward priority filter; }' || return
	must nft add chain inet router input '{ type filter hook input priority filter; }' || return
	must nft add chain inet router prerouting '{ type filter hook prerouting priority -150; }'
}

# Connection tracking in nftables: the established/related rule counts the replies of a NATed
# fetch.
check_ct_state() {
	local before after
	nft_filter || return
	must nft add rule inet router forward ct state established,related counter accept || return
	before=$(packets inet router forward 'established,related')
	fetch lan http://203.0.113.2/ wan || return
	after=$(packets inet router forward 'established,related')
	rises "$before" "$after" 'the ct state established,related counter'
}

# Connection tracking seen by conntrack(8): the LAN host's fetch from the WAN host, with the
# reply going to the router's WAN address (masquerade).
check_conntrack_list() {
	local flows
	flows=$(must conntrack -L -p tcp -s 192.0.2.2 -d 203.0.113.2) || fail "$flows" || return
	echo "$flows" | grep -q 'dport=80 .*src=203.0.113.2 dst=203.0.113.1 ' ||
		fail "conntrack -L shows no masqueraded flow from 192.0.2.2: $(echo "$flows" | head -n 1)"
}

# hold FROM PORT: a TCP connection from the LAN host (lan) or the router (-) to a busybox nc
# listening on the WAN host's PORT. A megabyte goes through it, then it stays open (idle) until
# the guest powers off.
hold() {
	local from=()
	[ "$1" = - ] || from=(ip netns exec "$1")
	sleep 600 | ip netns exec wan busybox nc -l -p "$2" >/dev/null 2>&1 &
	wait_for "a listener on the WAN host's port $2" listens wan "$2" || return
	{ head -c 1000000 /dev/zero; sleep 600; } |
		"${from[@]}" busybox nc 203.0.113.2 "$2" >/dev/null 2>&1 &
}

# offloaded PORT: conntrack lists the flow to PORT as [OFFLOAD].
offloaded() { conntrack -L -p tcp --dport "$1" 2>/dev/null | grep -q OFFLOAD; }

# Flow offload: a flowtable on both sides and a rule that adds TCP flows to it. A long-lived
# connection from the LAN to the WAN host is then marked [OFFLOAD] in the conntrack table.
check_flow_offload() {
	local flows
	nft_filter || return
	must nft add flowtable inet router ft \
		'{ hook ingress priority filter; devices = { br-lan, rwan0 }; }' || return
	must nft insert rule inet router forward meta l4proto tcp counter flow add @ft || return
	hold lan 5002 || return
	flows=$(must conntrack -L -p tcp --dport 5002) || fail "$flows" || return
	wait_for 'an offloaded flow' offloaded 5002 ||
		fail "no offloaded flow: $(conntrack -L -p tcp --dport 5002 2>/dev/null | head -n 1)"
}

# Reverse-path filter with nft fib: a packet on the WAN side claiming a LAN source is dropped
# and counted; the WAN host's own address still gets through.
check_fib() {
	local before after
	nft_filter || return
	must nft add rule inet router prerouting \
		iifname rwan0 fib saddr . iif oif missing counter drop || return
	must ip -n wan addr add 192.0.2.99/32 dev wan0 || return
	before=$(packets inet router prerouting 'fib saddr')
	ip netns exec wan ping -c 2 -i 0.2 -W 1 -I 192.0.2.99 203.0.113.1 >/dev/null 2>&1
	after=$(packets inet router prerouting 'fib saddr')
	rises "$before" "$after" 'the fib reverse-path drop counter' || return
	ping_from wan 203.0.113.1
}

# refused NS URL: curl from NS is refused at once (its status 7, "could not connect"); a
# dropped packet would have run into the time limit (28) instead.
refused() {
	local out rc
	out=$(ip netns exec "$1" curl -sS --max-time 10 "$2" 2>&1)
	rc=$?
	[ $rc -eq 7 ] || fail "curl $2 from $1 (status $rc): $out"
}

# Reject: the router's web server answers the LAN, while the WAN gets a TCP reset (IPv4) and
# an ICMPv6 administratively-prohibited (IPv6, icmpx) for the same port.
check_reject() {
	nft_filter || return
	mkdir -p /srv/router && echo router >/srv/router/index.html
	busybox httpd -f -p 8081 -h /srv/router </dev/null >/dev/null 2>&1 &
	wait_for "the router's web server" listens - 8081 || return
	must nft add rule inet router input iifname rwan0 meta nfproto ipv4 tcp dport 8081 \
		counter reject with tcp reset || return
	must nft add rule inet router input iifname rwan0 meta nfproto ipv6 tcp dport 8081 \
		counter reject with icmpx type admin-prohibited || return
	fetch lan http://192.0.2.1:8081/ router || return
	refused wan http://203.0.113.1:8081/ || return
	refused wan 'http://[2001:db8:2::1]:8081/' || return
	rises 0 "$(packets inet router input 'tcp reset')" 'the tcp reset counter' || return
	rises 0 "$(packets inet router input 'admin-prohibited')" 'the icmpx counter'
}

# An 802.1Q subinterface on the WAN link, as an ISP's VLAN would be.
check_vlan() {
	must ip link add link rwan0 name rwan0.20 type vlan id 20 || return
	must ip -n wan link add link wan0 name wan0.20 type vlan id 20 || return
	must ip addr add 198.51.100.1/28 dev rwan0.20 || return
	must ip -n wan addr add 198.51.100.2/28 dev wan0.20 || return
	must ip link set rwan0.20 up || return
	must ip -n wan link set wan0.20 up || return
	ping_from - 198.51.100.2 || return
	grep -q 'VID: 20' /proc/net/vlan/rwan0.20 || fail "/proc/net/vlan/rwan0.20 has no VID 20"
}

# Bonding with the list's parameters (mode=802.3ad miimon=100 max_bonds=0): no bond exists until
# one is made, and a bond made without options takes the mode and the MII interval from the
# module. Its partner is an 802.3ad bond on the switch; LACP must agree before traffic flows.
check_bonding() {
	[ ! -e /sys/class/net/bond0 ] || fail "bond0 exists although max_bonds=0" || return
	must ip link add rb0 type veth peer name sb0 netns sw || return
	must ip link add rb1 type veth peer name sb1 netns sw || return
	must ip link add bond0 type bond lacp_rate fast || return
	must ip -n sw link add bond0 type bond mode 802.3ad miimon 100 lacp_rate fast || return
	must ip link set rb0 master bond0 || return
	must ip link set rb1 master bond0 || return
	must ip -n sw link set sb0 master bond0 || return
	must ip -n sw link set sb1 master bond0 || return
	must ip addr add 198.51.100.17/28 dev bond0 || return
	must ip -n sw addr add 198.51.100.18/28 dev bond0 || return
	must ip link set bond0 up || return
	must ip -n sw link set bond0 up || return
	grep -q '^Bonding Mode: IEEE 802.3ad Dynamic link aggregation$' /proc/net/bonding/bond0 ||
		fail "bond0: $(grep '^Bonding Mode' /proc/net/bonding/bond0)" || return
	grep -q '^MII Polling Interval (ms): 100$' /proc/net/bonding/bond0 ||
		fail "bond0: $(grep '^MII Polling' /proc/net/bonding/bond0)" || return
	# LACP (fast rate: a PDU a second) has to agree before the ports distribute.
	wait_for 'LACP' ping -c 1 -W 1 198.51.100.18
	ping_from - 198.51.100.18 || return
	# Both links in the one aggregator the switch agreed to.
	grep -Eq '^\s+Number of ports: 2$' /proc/net/bonding/bond0 ||
		fail "bond0: $(grep -m 1 'Number of ports' /proc/net/bonding/bond0)"
}

# keypair NAME: a WireGuard key pair made by wg in /run/wg/NAME and /run/wg/NAME.pub.
keypair() {
	local key
	mkdir -p /run/wg && chmod 700 /run/wg
	key=$(must wg genkey) || fail "$key" || return
	echo "$key" >"/run/wg/$1"
	key=$(must wg pubkey <"/run/wg/$1") || fail "$key" || return
	echo "$key" >"/run/wg/$1.pub"
}

# WireGuard between the router and the WAN host, keys made here.
check_wireguard() {
	local key=/run/wg
	keypair router || return
	keypair wan || return
	must ip link add wg0 type wireguard || return
	must ip -n wan link add wg0 type wireguard || return
	must wg set wg0 listen-port 51820 private-key "$key/router" peer "$(cat "$key/wan.pub")" \
		allowed-ips 198.51.100.34/32 endpoint 203.0.113.2:51820 || return
	must ip netns exec wan wg set wg0 listen-port 51820 private-key "$key/wan" \
		peer "$(cat "$key/router.pub")" allowed-ips 198.51.100.33/32 endpoint 203.0.113.1:51820 ||
		return
	must ip addr add 198.51.100.33/28 dev wg0 || return
	must ip -n wan addr add 198.51.100.34/28 dev wg0 || return
	must ip link set wg0 up || return
	must ip -n wan link set wg0 up || return
	ping_from - 198.51.100.34 || return
	[ "$(wg show wg0 latest-handshakes | cut -f2)" -gt 0 ] || fail "wg0: no handshake"
}

# A tun device as a VPN daemon would create it.
check_tun() {
	must ip tuntap add dev tun0 mode tun || return
	must ip addr add 198.51.100.49/28 dev tun0 || return
	must ip link set tun0 up || return
	ip -d link show tun0 | grep -q 'tun type tun' || fail "tun0: $(ip -d link show tun0 | tail -n 1)"
}

# Ingress redirection: everything the WAN link receives goes through ifb-wan (where ingress
# shaping would sit), by a u32 match-all filter with a mirred action. The module made ifb0 and
# ifb1 when it loaded (numifbs=2); this step makes its own by name, over netlink.
check_ifb_mirred() {
	local before after
	must ip link add ifb-wan type ifb || return
	must ip link set ifb-wan up || return
	must tc qdisc add dev rwan0 handle ffff: ingress || return
	must tc filter add dev rwan0 parent ffff: protocol all prio 1 u32 match u32 0 0 \
		action mirred egress redirect dev ifb-wan || return
	before=$(cat /sys/class/net/ifb-wan/statistics/tx_packets)
	ping_from wan 203.0.113.1 || return
	after=$(cat /sys/class/net/ifb-wan/statistics/tx_packets)
	rises "$before" "$after" "ifb-wan's packet count"
}

# sent DEV [CLASS]: packets a qdisc (or an htb class) sent.
sent() {
	if [ $# -eq 2 ]; then tc -s class show dev "$1" classid "$2"; else tc -s qdisc show dev "$1"; fi |
		sed -n 's/^ *Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -n 1
}

# HTB on the WAN egress, with a u32 filter putting ICMP to the WAN host in its own class.
check_shaping_htb() {
	local before after
	must tc qdisc add dev rwan0 root handle 1: htb default 10 || return
	must tc class add dev rwan0 parent 1: classid 1:10 htb rate 100mbit || return
	must tc class add dev rwan0 parent 1: classid 1:20 htb rate 10mbit || return
	must tc filter add dev rwan0 parent 1: protocol ip prio 1 u32 \
		match ip dst 203.0.113.2/32 match ip protocol 1 0xff flowid 1:20 || return
	before=$(sent rwan0 1:20)
	ping_from - 203.0.113.2 || return
	after=$(sent rwan0 1:20)
	rises "$before" "$after" 'htb class 1:20'
}

# CAKE on the LAN egress: the WAN host's fetch through the port forward passes it.
check_shaping_cake() {
	local before after
	must tc qdisc add dev br-lan root cake bandwidth 100mbit || return
	before=$(sent br-lan)
	fetch wan http://203.0.113.1:8080/ lan || return
	after=$(sent br-lan)
	rises "$before" "$after" "cake's sent packets"
}

# uses_bbr PORT: ss -ti shows the router's connection to the WAN host's PORT using bbr.
uses_bbr() { ss -tin dst "203.0.113.2:$1" | grep -q bbr; }

# BBR: the router's own TCP connections use it once it is the default.
check_bbr() {
	local info
	must sysctl -w net.ipv4.tcp_congestion_control=bbr || return
	hold - 5001 || return
	info=$(must ss -tin dst 203.0.113.2:5001) || fail "$info" || return
	wait_for 'a connection using bbr' uses_bbr 5001 ||
		fail "ss -ti shows no bbr: $(ss -tin dst 203.0.113.2:5001 | tail -n 1)"
}

# --- The rules people write ---

# rule TOOL ARG...: TOOL adds one rule. A refused rule is kept in REFUSED_RULES with every line
# TOOL said about it (its warning and its error, not its pointer to --help), and the step goes
# on to the next rule, so that one run names every rule the list cannot keep.
REFUSED_RULES=()
rule() {
	local out
	out=$(timeout 60 "$@" 2>&1) && return 0
	REFUSED_RULES+=("$*: $(printf '%s\n' "$out" | grep . | grep -v '^Try .*help' | paste -sd' ' -)")
	return 1
}

# rules_kept: fails naming every refused rule, with the tool's own words.
rules_kept() {
	local IFS='|' n=${#REFUSED_RULES[@]}
	[ "$n" -eq 0 ] || fail "$n rule(s) refused: ${REFUSED_RULES[*]}"
}

# xt_count TOOL TABLE CHAIN TEXT: the packet counter of the first rule of the chain whose
# "TOOL -v -x -L" line contains TEXT (empty if there is none).
xt_count() {
	"$1" -t "$2" -L "$3" -n -v -x | awk -v text="$4" 'index($0, text) { print $1; exit }'
}

# xt_rules TOOL: the rules people write for a router's input filter, and for IPv4 its NAT, added
# by TOOL (iptables-legacy, iptables-nft, ip6tables-legacy or ip6tables-nft), then traffic from
# the LAN host that each kind of rule must see: pings (limit), a fetch from the router's web
# server (conntrack), a port that is marked, logged and rejected with a reset, and for IPv4 a
# DNAT to the WAN host's web server and a REDIRECT to the router's own. IPv6 is routed, not
# translated: the list keeps no ip6tables nat table.
xt_rules() {
	local t=$1 icmp=icmp me=192.0.2.1 url
	case $t in ip6*) icmp=ipv6-icmp me=2001:db8:1::1 url='http://[2001:db8:1::1]' ;;
	*) url=http://192.0.2.1 ;; esac
	REFUSED_RULES=()
	rule "$t" -A INPUT -p tcp --dport 22 -j ACCEPT
	rule "$t" -A INPUT -p udp --sport 53 -j ACCEPT
	rule "$t" -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
	rule "$t" -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	rule "$t" -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT
	rule "$t" -A INPUT -p tcp --dport 2222 -m comment --comment ssh-moved -j ACCEPT
	rule "$t" -A INPUT -p "$icmp" -m limit --limit 100/second --limit-burst 100 -j ACCEPT
	rule "$t" -A INPUT -p tcp --dport 8089 -j MARK --set-mark 0x2a
	rule "$t" -A INPUT -m mark --mark 0x2a -j LOG --log-prefix "$t-8089: "
	rule "$t" -A INPUT -p tcp --dport 8089 -j REJECT --reject-with tcp-reset
	if [ $icmp = icmp ]; then
		rule "$t" -t nat -A POSTROUTING -o rwan0 -j MASQUERADE
		rule "$t" -t nat -A POSTROUTING -o rwan0 -p udp -j SNAT --to-source 203.0.113.1
		rule "$t" -t nat -A PREROUTING -i br-lan -p tcp --dport 8085 \
			-j DNAT --to-destination 203.0.113.2:80
		rule "$t" -t nat -A PREROUTING -i br-lan -p tcp --dport 8084 -j REDIRECT --to-ports 8081
	fi
	rules_kept || return
	ping_from lan "$me" || return
	rises 0 "$(xt_count "$t" filter INPUT 'limit: avg')" "$t: the limit rule's counter" || return
	fetch lan "$url:8081/" router || return
	rises 0 "$(xt_count "$t" filter INPUT 'ctstate RELATED,ESTABLISHED')" \
		"$t: the conntrack rule's counter" || return
	refused lan "$url:8089/" || return
	rises 0 "$(xt_count "$t" filter INPUT 'MARK set 0x2a')" "$t: the MARK rule's counter" || return
	rises 0 "$(xt_count "$t" filter INPUT 'mark match 0x2a')" "$t: the LOG rule's counter" || return
	rises 0 "$(xt_count "$t" filter INPUT 'reject-with tcp-reset')" "$t: the REJECT rule's counter" ||
		return
	dmesg | grep -q "$t-8089: IN=br-lan" || fail "$t: no '$t-8089: ' line in the kernel log" ||
		return
	[ $icmp = icmp ] || return 0
	fetch lan http://192.0.2.1:8085/ wan || return
	fetch lan http://192.0.2.1:8084/ router
}

# check_xt TOOL: xt_rules, then the rules are flushed whatever happened, so that they cannot
# stand in the way of the next tool's.
check_xt() {
	local rc
	xt_rules "$1"
	rc=$?
	"$1" -t filter -F INPUT >/dev/null 2>&1
	case $1 in ip6*) ;; *) "$1" -t nat -F >/dev/null 2>&1 ;; esac
	return $rc
}

check_iptables_legacy() { check_xt iptables-legacy; }
check_iptables_nft() { check_xt iptables-nft; }
check_ip6tables_legacy() { check_xt ip6tables-legacy; }
check_ip6tables_nft() { check_xt ip6tables-nft; }

# nft_rules: the nftables rules people write beyond the steps above: a named set, a verdict
# map into a chain that logs and rejects, a limit, and NAT by a port map (dnat) and to the
# router's own server (redirect), with traffic from the LAN host for each.
nft_rules() {
	must nft -f - <<-'EOF' || return
		table inet rules {
			set lan_hosts { type ipv4_addr; elements = { 192.0.2.2 } }
			map port_verdicts { type inet_service : verdict; elements = { 8099 : jump refuse } }
			chain refuse {
				log prefix "nft-refuse-8099: " counter reject with tcp reset
			}
			chain input {
				type filter hook input priority filter - 10;
				ip saddr @lan_hosts counter
				meta l4proto icmp limit rate 100/second counter accept
				tcp dport vmap @port_verdicts
			}
			chain prerouting {
				type nat hook prerouting priority dstnat - 10;
				iifname "br-lan" dnat ip addr . port to tcp dport map { 8086 : 203.0.113.2 . 80 }
				iifname "br-lan" tcp dport 8087 redirect to :8081
			}
		}
	EOF
	ping_from lan 192.0.2.1 || return
	rises 0 "$(packets inet rules input 'limit rate')" 'the limit rate counter' || return
	rises 0 "$(packets inet rules input '@lan_hosts')" 'the @lan_hosts set counter' || return
	refused lan http://192.0.2.1:8099/ || return
	rises 0 "$(packets inet rules refuse 'reject')" "the verdict map's reject counter" || return
	dmesg | grep -q 'nft-refuse-8099: IN=br-lan' ||
		fail "nft log: no 'nft-refuse-8099: ' line in the kernel log" || return
	fetch lan http://192.0.2.1:8086/ wan || return
	fetch lan http://192.0.2.1:8087/ router
}

# check_nft_rules: nft_rules, then its table goes, whatever happened.
check_nft_rules() {
	local rc
	nft_rules
	rc=$?
	nft delete table inet rules >/dev/null 2>&1
	return $rc
}

# crc32c-intel is optional: on a CPU with SSE4.2 the kernel's crypto API must offer it.
check_crc32c() {
	grep -qw sse4_2 /proc/cpuinfo || fail "this CPU has no SSE4.2" || return
	grep -q '^driver *: crc32c-intel$' /proc/crypto || fail "/proc/crypto has no crc32c-intel"
}

ip link set lo up
echo "CHECK sse4_2=$(grep -qw sse4_2 /proc/cpuinfo && echo yes || echo no)"
step netns
serve lan
serve wan
step bridge
step forward_ipv4
step forward_ipv6
step masquerade
step port_forward
step ct_state
step conntrack_list
step flow_offload
step fib
step reject
step vlan
step bonding
step wireguard
step tun
step ifb_mirred
step shaping_htb
step shaping_cake
step bbr
step nft_rules
step iptables_legacy
step iptables_nft
step ip6tables_legacy
step ip6tables_nft
step crc32c
echo "CHECK proc_modules=$(cut -d' ' -f1 /proc/modules | sort | paste -sd, -)"
# Built with AFTER_LATCH=record, modlatch keeps the name of every module the kernel asked for
# after the latch here, one a line; the list is complete when there are none.
echo "CHECK refused=$(paste -sd, - </run/modlatch/refused 2>/dev/null)"
echo "CHECK done"
echo o >/proc/sysrq-trigger
sleep 10
