#!/bin/sh
# SPDX-License-Identifier: MIT
# The container-host workload (tests/workload/container-host.bats). modlatch execs this script
# as PID 1 after the latch, in an image made of Debian's own container engine and network tools
# and the modules of etc/container-host.list. Each step puts one promise of the list to work
# with the tool a container host uses for it, and prints one line:
#   CHECK step=NAME ok
#   CHECK step=NAME failed: <the tool's own last words>
# A failure never stops the run. At the end: the modules in /proc/modules, the module requests
# modlatch refused after the latch (built with AFTER_LATCH=record), the time taken, "CHECK done",
# and power off.
#
# Each step runs as "$0 step FUNCTION ARG..." in a child under timeout(1) with set -eu, so a
# failed command ends its step with the command's own error as the last line of the step's log,
# and a hung one cannot hold up the rest.

# The outside link, TEST-NET-2: the host's end and the outside world's. The outside world has
# no route to any container or LAN subnet, so only NAT brings its answers back.
OUT_HOST=198.51.100.1
OUT_PEER=198.51.100.2
# podman's default network (netavark's bridge podman0).
PODMAN_NET=10.88.0.0/16
IMAGE=localhost/modlatch-busybox
WEB_PAGE=modlatch-web
LAN_PAGE=modlatch-lan
LOGS=/run/workload
STEP_TIMEOUT=300

# --- helpers, for the steps ---

fail() {
	echo "$*" >&2
	exit 1
}

# expect WANT COMMAND...: runs COMMAND; fails with its error, or if its output lacks WANT.
expect() {
	want=$1
	shift
	got=$("$@")
	case "$got" in
	*"$want"*) ;;
	*) fail "$1: expected '$want' in the output, got '$(echo "$got" | tr '\n' ' ')'" ;;
	esac
}

# fetch URL: an HTTP GET. The server may still be starting, so a refused connection is tried
# again; a timeout is too, but only five times, so that a lost path costs a minute at most.
fetch() {
	curl -sS --connect-timeout 5 --max-time 10 --retry 5 --retry-connrefused --retry-delay 1 "$1"
}

# fetch_from NS URL: the same from network namespace NS.
fetch_from() { ip netns exec "$1" "$0" step fetch "$2"; }

# container_get URL_HOST PATH: an HTTP GET from a new container. BusyBox's nc, as Debian's
# static BusyBox 1.35 wget dies of SIGSEGV before it sends anything.
container_get() {
	podman run --rm "$IMAGE" sh -c \
		'printf "GET $2 HTTP/1.0\r\nHost: $1\r\n\r\n" | nc -w 20 "$1" 80' sh "$1" "$2"
}

# web_ip: the address of the web container on podman's bridge (podman_publish starts it).
web_ip() {
	web=$(podman inspect -f '{{.NetworkSettings.IPAddress}}' web)
	[ -n "$web" ] || fail "podman inspect: the web container has no address; it did not start"
	echo "$web"
}

# pair NS1 NS2 NET: two new namespaces joined by a veth pair, both ends named u0, with
# addresses NET.1/24 and NET.2/24 (no address when NET is empty).
pair() {
	ip netns add "$1"
	ip netns add "$2"
	ip link add u0 netns "$1" type veth peer name u0 netns "$2"
	for ns in "$1" "$2"; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set u0 up
	done
	[ -z "$3" ] && return 0
	ip -n "$1" addr add "$3.1/24" dev u0
	ip -n "$2" addr add "$3.2/24" dev u0
}

# ping_from NS ADDRESS: ICMP echo across; any reply of three counts (the first may wait for
# ARP or a handshake).
ping_from() { ip netns exec "$1" ping -n -c 3 -W 5 "$2"; }

# counted NFT_CHAIN_ARGS...: fails unless the chain's counter rule saw a packet.
counted() {
	nft list chain "$@" | grep -q 'counter packets [1-9]' ||
		fail "nft: no packet counted in chain $*: $(nft list chain "$@" | tr -s '\n\t' '  ')"
}

# --- setup steps ---

setup_mounts() {
	mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate cgroup2 /sys/fs/cgroup
	mkdir -p /dev/pts /dev/shm /var/lib/containers
	mount -t devpts -o nosuid,noexec,newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
	mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
	mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
	# The image store on a filesystem of its own, as on a real host's /var/lib/containers.
	mount -t tmpfs -o mode=0700 tmpfs /var/lib/containers
	ip link set lo up
}

# podman without systemd: cgroups by hand, events to a file. The root filesystem is the
# initramfs, which pivot_root(2) cannot move, so the runtime chroots into the container.
# The graph driver is named, so that podman fails rather than falling back to vfs.
setup_podman() {
	mkdir -p /etc/containers
	cat >/etc/containers/containers.conf <<-'EOF'
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		runtime = "crun"
		no_pivot_root = true
		[network]
		network_backend = "netavark"
	EOF
	cat >/etc/containers/storage.conf <<-'EOF'
		[storage]
		driver = "overlay"
		graphroot = "/var/lib/containers/storage"
		runroot = "/run/containers/storage"
	EOF
}

# The outside world: a namespace behind a veth link, serving a page that tells the address
# the request came from.
setup_outside() {
	ip netns add outside
	ip link add veth-out type veth peer name eth0 netns outside
	ip addr add "$OUT_HOST/24" dev veth-out
	ip link set veth-out up
	ip -n outside addr add "$OUT_PEER/24" dev eth0
	ip -n outside link set eth0 up
	ip -n outside link set lo up
	mkdir -p /srv/outside/cgi-bin
	echo outside >/srv/outside/index.html
	cat >/srv/outside/cgi-bin/addr <<-'EOF'
		#!/bin/sh
		printf 'Content-Type: text/plain\r\n\r\nremote=%s\n' "$REMOTE_ADDR"
	EOF
	chmod 0755 /srv/outside/cgi-bin/addr
	ip netns exec outside busybox httpd -p "$OUT_PEER:80" -h /srv/outside
	expect "remote=$OUT_HOST" fetch "http://$OUT_PEER/cgi-bin/addr"
}

# No registry: the image is a tar of a BusyBox root, imported.
podman_import() {
	rm -rf /tmp/image
	mkdir -p /tmp/image/bin /tmp/image/etc /tmp/image/www /tmp/image/tmp
	cp /usr/bin/busybox /tmp/image/bin/busybox
	for applet in sh httpd nc printf awk; do ln -s busybox "/tmp/image/bin/$applet"; done
	echo "$WEB_PAGE" >/tmp/image/www/index.html
	tar -C /tmp/image -cf /tmp/image.tar .
	podman import --change 'CMD=["/bin/sh"]' /tmp/image.tar "$IMAGE"
}

# --- the podman steps, run once per iptables flavour ---

# use_iptables legacy|nft: the flavour netavark's iptables and ip6tables calls reach.
use_iptables() {
	update-alternatives --quiet --set iptables "/usr/sbin/iptables-$1"
	update-alternatives --quiet --set ip6tables "/usr/sbin/ip6tables-$1"
	case "$1" in legacy) want=legacy ;; nft) want=nf_tables ;; esac
	expect "($want)" iptables -V
}

# podman_publish legacy|nft: a container serving HTTP on a published port, fetched from the
# outside world, through netavark's rules in that flavour of iptables.
podman_publish() {
	podman run -d --name web -p 8080:80 "$IMAGE" httpd -f -p 80 -h /www
	expect "$WEB_PAGE" fetch_from outside "http://$OUT_HOST:8080/"
	"iptables-$1-save" -t nat | grep -q -- '-j NETAVARK-HOSTPORT-DNAT' ||
		fail "iptables-$1-save: netavark's rules are not there"
}

# Container to container over the bridge.
podman_c2c() {
	ip=$(web_ip)
	expect "$WEB_PAGE" container_get "$ip" /
}

# A container reaches the outside world, which has no route back to the containers: the
# answer names the host's address, so the request was masqueraded.
podman_masquerade() {
	expect "remote=$OUT_HOST" container_get "$OUT_PEER" /cgi-bin/addr
}

# br_netfilter: traffic between two containers on the same bridge passes iptables' FORWARD
# chain, where a counting rule sees it.
bridge_netfilter() {
	sysctl -q -w net.bridge.bridge-nf-call-iptables=1
	ip=$(web_ip)
	iptables -I FORWARD -s "$PODMAN_NET" -d "$ip" -p tcp --dport 80 -m comment --comment bridged
	expect "$WEB_PAGE" container_get "$ip" /
	n=$(iptables -L FORWARD -n -v -x | awk '/bridged/ { print $1 }')
	iptables -D FORWARD -s "$PODMAN_NET" -d "$ip" -p tcp --dport 80 -m comment --comment bridged
	[ "${n:-0}" -gt 0 ] || fail "iptables: the FORWARD rule counted ${n:-no} bridged packets"
}

# iptables_extensions legacy|nft: netavark's rules use every x_tables extension the list loads
# for iptables users. With iptables-nft, those it does not turn into native expressions run
# inside nftables through nft_compat; the step's log names them.
iptables_extensions() {
	rules=$("iptables-$1-save")
	for ext in '-m tcp' '-m addrtype' '-m conntrack' '-m mark' '-m comment' '-j MARK' '-j DNAT' \
		'-j MASQUERADE'; do
		echo "$rules" | grep -q -e " $ext\( \|\$\)" || fail "iptables-$1-save: no '$ext' in netavark's rules"
	done
	[ "$1" = legacy ] && return 0
	compat=$(nft --debug=netlink list ruleset |
		sed -n 's/.*\[ \(match\|target\) name \([^ ]*\) .*/\1 \2/p' | sort -u | paste -s -d, -)
	[ -n "$compat" ] || fail "nft: no rule runs an x_tables extension (nft_compat)"
	echo "through nft_compat: $compat"
}

# podman's image store is overlay, and so is the container's root.
overlay_storage() {
	expect overlay podman info --format '{{.Store.GraphDriverName}}'
	# shellcheck disable=SC2016 # awk's fields
	expect overlay podman exec web awk '$2 == "/" { print $3 }' /proc/mounts
}

# ipvs SCHEDULER PORT: an IPVS virtual service on the host's outside address, NAT to the web
# container, fetched from the outside world.
ipvs() {
	ip=$(web_ip)
	ipvsadm -A -t "$OUT_HOST:$2" -s "$1"
	ipvsadm -a -t "$OUT_HOST:$2" -r "$ip:80" -m
	expect "$WEB_PAGE" fetch_from outside "http://$OUT_HOST:$2/"
	# IPVS's own connection table holds the fetch (its statistics lag by two seconds).
	ipvsadm -L -n -c | grep -q " $OUT_HOST:$2  *$ip:80" ||
		fail "ipvsadm: no connection to $OUT_HOST:$2 through $ip:80: $(ipvsadm -L -n -c | tr -s '\n ' '  ')"
}

# podman_cleanup: nothing of this pass may help the next: no containers, no IPVS service, and
# no rule left in either flavour's tables.
podman_cleanup() {
	podman rm -a -f -t 0
	ipvsadm -C
	# netavark uses the filter and nat tables; touching others would ask for their modules.
	for table in filter nat; do
		iptables-legacy -t "$table" -F
		iptables-legacy -t "$table" -X
	done
	nft flush ruleset
	rules=$(iptables-legacy-save | grep -c '^-A' || true)
	[ "$rules" -eq 0 ] || fail "iptables-legacy: $rules rules left"
	[ -z "$(nft list ruleset)" ] || fail "nft: rules left: $(nft list ruleset | tr -s '\n\t' '  ')"
}

# --- nftables NAT ---

# A LAN namespace behind the host, with a web server; the host masquerades the LAN toward the
# outside world and forwards port 8090 of its outside address to the LAN's server.
nft_ruleset() {
	sysctl -q -w net.ipv4.ip_forward=1
	ip netns add lan
	ip link add lan-h type veth peer name eth0 netns lan
	ip addr add 10.108.0.1/24 dev lan-h
	ip link set lan-h up
	ip -n lan addr add 10.108.0.2/24 dev eth0
	ip -n lan link set eth0 up
	ip -n lan link set lo up
	ip -n lan route add default via 10.108.0.1
	mkdir -p /srv/lan
	echo "$LAN_PAGE" >/srv/lan/index.html
	ip netns exec lan busybox httpd -p 10.108.0.2:80 -h /srv/lan
	nft -f - <<-EOF
		table ip lan_nat {
			chain post {
				type nat hook postrouting priority srcnat;
				ip saddr 10.108.0.0/24 oifname "veth-out" counter masquerade
			}
			chain pre {
				type nat hook prerouting priority dstnat;
				iifname "veth-out" tcp dport 8090 counter dnat to 10.108.0.2:80
			}
			chain forward {
				type filter hook forward priority filter; policy drop;
				ct state established,related accept
				iifname "lan-h" oifname "veth-out" accept
				ct status dnat counter accept
			}
		}
	EOF
}

nft_masquerade() {
	expect "remote=$OUT_HOST" fetch_from lan "http://$OUT_PEER/cgi-bin/addr"
	counted ip lan_nat post
}

nft_dnat() {
	expect "$LAN_PAGE" fetch_from outside "http://$OUT_HOST:8090/"
	counted ip lan_nat pre
}

# --- the rules people write, in each iptables binary and in nft ---

# The outside link and the LAN get IPv6 too (documentation prefixes), for ip6tables' traffic;
# the LAN host serves its page on port 81 for both families.
OUT_HOST6=2001:db8:5::1
OUT_PEER6=2001:db8:5::2
LAN_HOST6=2001:db8:6::2

setup_ipv6() {
	sysctl -q -w net.ipv6.conf.all.forwarding=1
	ip addr add "$OUT_HOST6/64" dev veth-out nodad
	ip -n outside addr add "$OUT_PEER6/64" dev eth0 nodad
	ip addr add 2001:db8:6::1/64 dev lan-h nodad
	ip -n lan addr add "$LAN_HOST6/64" dev eth0 nodad
	ip -n lan -6 route add default via 2001:db8:6::1
	ip netns exec lan busybox httpd -p 81 -h /srv/lan
	# The host's own page, where REDIRECT and redirect lead.
	mkdir -p /srv/host
	echo host >/srv/host/index.html
	busybox httpd -p 8070 -h /srv/host
	expect host fetch_from outside "http://[$OUT_HOST6]:8070/"
}

# rule TOOL ARG...: TOOL adds one rule. A refused rule is named on stderr with every line TOOL
# said about it (not its pointer to --help) and kept in REFUSED_RULES; the step goes on, so
# that one run names every rule the list cannot keep, and rules_kept fails with them all.
REFUSED_RULES=
rule() {
	if said=$("$@" 2>&1); then return 0; fi
	said="$*: $(printf '%s\n' "$said" | grep . | grep -v '^Try .*help' | paste -s -d' ' -)"
	echo "refused: $said" >&2
	REFUSED_RULES="$REFUSED_RULES${REFUSED_RULES:+|}$said"
}

rules_kept() {
	[ -z "$REFUSED_RULES" ] ||
		fail "$(echo "$REFUSED_RULES" | tr '|' '\n' | grep -c .) rule(s) refused: $REFUSED_RULES"
}

# xt_count TOOL TABLE CHAIN TEXT: the packet counter of the first rule whose "TOOL -v -x -L"
# line contains TEXT; fails unless it counted a packet.
xt_count() {
	n=$("$1" -t "$2" -L "$3" -n -v -x | awk -v text="$4" 'index($0, text) { print $1; exit }')
	[ "${n:-0}" -gt 0 ] || fail "$1: the rule with '$4' in $2 $3 counted ${n:-no} packets"
}

# refused_from NS URL: curl from NS is refused at once (status 7, "could not connect"); a
# dropped packet would have run into the time limit (28) instead.
refused_from() {
	rc=0
	ip netns exec "$1" curl -sS --max-time 10 "$2" >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 7 ] || fail "curl $2 from $1: status $rc, not 7 (connection refused)"
}

# xt_rules TOOL: the rules people write on a container host, added by TOOL (iptables-legacy,
# iptables-nft, ip6tables-legacy or ip6tables-nft) to the filter and nat tables, then traffic
# from the outside world that each kind must see: pings (limit), a fetch from the host
# (conntrack), a port that is marked, logged and rejected with a reset, a DNAT to the LAN
# host's web server and a REDIRECT to the host's own. The rules are flushed afterwards.
xt_rules() {
	rc=0
	"$0" step xt_rules_try "$1" || rc=$?
	"$1" -t filter -F INPUT >/dev/null 2>&1 || true
	"$1" -t nat -F >/dev/null 2>&1 || true
	return $rc
}

xt_rules_try() {
	t=$1
	case $t in
	ip6*) icmp=ipv6-icmp out=$OUT_HOST6 host="[$OUT_HOST6]" lan=$LAN_HOST6 to="[$LAN_HOST6]:81" ;;
	*) icmp=icmp out=$OUT_HOST host=$OUT_HOST lan=10.108.0.2 to=10.108.0.2:81 ;;
	esac
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
	rule "$t" -t nat -A POSTROUTING -o veth-out -s "$lan" -j MASQUERADE
	rule "$t" -t nat -A POSTROUTING -o veth-out -p udp -j SNAT --to-source "$out"
	rule "$t" -t nat -A PREROUTING -i veth-out -p tcp --dport 8085 \
		-j DNAT --to-destination "$to"
	rule "$t" -t nat -A PREROUTING -i veth-out -p tcp --dport 8084 -j REDIRECT --to-ports 8070
	rules_kept
	ping_from outside "$out" >/dev/null
	xt_count "$t" filter INPUT 'limit: avg'
	expect host fetch_from outside "http://$host:8070/"
	xt_count "$t" filter INPUT 'ctstate RELATED,ESTABLISHED'
	refused_from outside "http://$host:8089/"
	xt_count "$t" filter INPUT 'MARK set 0x2a'
	xt_count "$t" filter INPUT 'mark match 0x2a'
	xt_count "$t" filter INPUT 'reject-with tcp-reset'
	dmesg | grep -q "$t-8089: IN=veth-out" || fail "$t: no '$t-8089: ' line in the kernel log"
	expect "$LAN_PAGE" fetch_from outside "http://$host:8085/"
	expect host fetch_from outside "http://$host:8084/"
}

# nft_rules: the nftables rules people write beyond NAT: ct state, meta l4proto, a named set,
# a verdict map into a chain that logs and rejects, limit, fib, and NAT by a port map (dnat) and
# to the host's own server (redirect), with traffic from the outside world for each.
nft_rules() {
	rc=0
	"$0" step nft_rules_try || rc=$?
	nft delete table inet rules >/dev/null 2>&1 || true
	return $rc
}

nft_rules_try() {
	nft -f - <<-EOF
		table inet rules {
			set outside_hosts { type ipv4_addr; elements = { $OUT_PEER } }
			map port_verdicts { type inet_service : verdict; elements = { 8099 : jump refuse } }
			chain refuse {
				log prefix "nft-refuse-8099: " counter reject with tcp reset
			}
			chain input {
				type filter hook input priority filter - 10;
				ct state established,related counter accept
				ip saddr @outside_hosts counter
				fib daddr type local meta l4proto icmp limit rate 100/second counter accept
				tcp dport vmap @port_verdicts
			}
			chain prerouting {
				type nat hook prerouting priority dstnat - 10;
				iifname "veth-out" dnat ip addr . port to tcp dport map { 8086 : 10.108.0.2 . 81 }
				iifname "veth-out" tcp dport 8087 redirect to :8070
			}
		}
	EOF
	ping_from outside "$OUT_HOST" >/dev/null
	nft list chain inet rules input | grep -q '@outside_hosts counter packets [1-9]' ||
		fail "nft: the @outside_hosts set counted nothing"
	nft list chain inet rules input | grep -q 'limit rate 100/second counter packets [1-9]' ||
		fail "nft: the fib, l4proto and limit rule counted nothing"
	refused_from outside "http://$OUT_HOST:8099/"
	counted inet rules refuse
	dmesg | grep -q 'nft-refuse-8099: IN=veth-out' ||
		fail "nft log: no 'nft-refuse-8099: ' line in the kernel log"
	expect "$LAN_PAGE" fetch_from outside "http://$OUT_HOST:8086/"
	expect host fetch_from outside "http://$OUT_HOST:8087/"
	nft list chain inet rules input | grep -q 'ct state established,related counter packets [1-9]' ||
		fail "nft: the ct state established,related rule counted nothing"
}

# --- links between namespaces, each crossed by a ping ---

# A service address on a dummy link, reached from another namespace.
link_dummy() {
	pair dm1 dm2 10.101.0
	ip -n dm2 link add dummy0 type dummy
	ip -n dm2 addr add 192.0.2.1/32 dev dummy0
	ip -n dm2 link set dummy0 up
	ip -n dm1 route add 192.0.2.1/32 via 10.101.0.2
	ping_from dm1 192.0.2.1
}

link_vlan() {
	pair vl1 vl2 ""
	for ns in vl1 vl2; do
		ip -n "$ns" link add link u0 name u0.100 type vlan id 100
		ip -n "$ns" link set u0.100 up
	done
	ip -n vl1 addr add 10.102.0.1/24 dev u0.100
	ip -n vl2 addr add 10.102.0.2/24 dev u0.100
	ping_from vl1 10.102.0.2
}

# link_sub macvlan|ipvlan NET: a link of that type on one end of a veth pair, pinging the
# other end through it.
link_sub() {
	pair "$1-a" "$1-b" ""
	case "$1" in
	macvlan) ip -n "$1-b" link add sub0 link u0 type macvlan mode bridge ;;
	ipvlan) ip -n "$1-b" link add sub0 link u0 type ipvlan mode l2 ;;
	esac
	ip -n "$1-b" link set sub0 up
	ip -n "$1-a" addr add "$2.1/24" dev u0
	ip -n "$1-b" addr add "$2.2/24" dev sub0
	ping_from "$1-b" "$2.1"
}

link_vxlan() {
	pair vx1 vx2 10.104.0
	ip -n vx1 link add vx0 type vxlan id 42 remote 10.104.0.2 dstport 4789 dev u0
	ip -n vx2 link add vx0 type vxlan id 42 remote 10.104.0.1 dstport 4789 dev u0
	for n in 1 2; do
		ip -n "vx$n" addr add "10.105.0.$n/24" dev vx0
		ip -n "vx$n" link set vx0 up
	done
	ping_from vx1 10.105.0.2
}

# WireGuard with keys made here, over a veth underlay.
link_wireguard() {
	pair wg1 wg2 10.106.0
	mkdir -m 0700 /run/wg
	for n in 1 2; do
		wg genkey >"/run/wg/key$n"
		wg pubkey <"/run/wg/key$n" >"/run/wg/pub$n"
	done
	for n in 1 2; do
		peer=$((3 - n))
		ip -n "wg$n" link add wg0 type wireguard
		ip netns exec "wg$n" wg set wg0 private-key "/run/wg/key$n" listen-port 51820 \
			peer "$(cat "/run/wg/pub$peer")" allowed-ips "10.107.0.$peer/32" \
			endpoint "10.106.0.$peer:51820"
		ip -n "wg$n" addr add "10.107.0.$n/24" dev wg0
		ip -n "wg$n" link set wg0 up
	done
	ping_from wg1 10.107.0.2
}

# --- the run ---

# last_words LOG: the line of a failed step's log that says why: the last one that names an
# error (nft, netavark and podman follow theirs with context), else the last with any text but
# iptables' pointer to its help.
last_words() {
	{ grep -i 'error' "$1" || grep '[[:alnum:]]' "$1" | grep -v '^Try .*--help'; } |
		tail -n 1 | tr -d '\r'
}

# step NAME FUNCTION [ARG...]: runs one step and prints its CHECK line; a failed step's log
# follows on the console (not as CHECK lines) to read in serial.log.
step() {
	name=$1
	shift
	step_started=$(date +%s)
	timeout "$STEP_TIMEOUT" "$0" step "$@" >"$LOGS/$name" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "CHECK step=$name ok"
	else
		why=$(last_words "$LOGS/$name")
		[ "$rc" -eq 124 ] && why="timed out after ${STEP_TIMEOUT}s; last words: $why"
		echo "CHECK step=$name failed: ${why:-exit status $rc}"
		tail -n 20 "$LOGS/$name" | sed "s/^/  $name| /"
	fi
	echo "CHECK seconds=$name:$(($(date +%s) - step_started))"
}

podman_pass() {
	step "iptables-$1" use_iptables "$1"
	step "podman-publish-$1" podman_publish "$1"
	step "podman-c2c-$1" podman_c2c
	step "podman-masquerade-$1" podman_masquerade
	step "iptables-extensions-$1" iptables_extensions "$1"
	step "bridge-netfilter-$1" bridge_netfilter
}

main() {
	echo "CHECK uptime_start=$(cut -d' ' -f1 /proc/uptime)"
	started=$(date +%s)
	mkdir -p "$LOGS"
	step mounts setup_mounts
	step podman-config setup_podman
	step outside-link setup_outside
	step podman-import podman_import
	podman_pass legacy
	step podman-cleanup-legacy podman_cleanup
	podman_pass nft
	step overlay-storage overlay_storage
	step ipvs-rr ipvs rr 81
	step ipvs-wrr ipvs wrr 82
	step ipvs-sh ipvs sh 83
	step podman-cleanup-nft podman_cleanup
	step nft-ruleset nft_ruleset
	step nft-masquerade nft_masquerade
	step nft-dnat nft_dnat
	step ipv6 setup_ipv6
	step nft-rules nft_rules
	for tool in iptables-legacy iptables-nft ip6tables-legacy ip6tables-nft; do
		step "rules-$tool" xt_rules "$tool"
	done
	step link-dummy link_dummy
	step link-vlan link_vlan
	step link-macvlan link_sub macvlan 10.103.0
	step link-ipvlan link_sub ipvlan 10.109.0
	step link-vxlan link_vxlan
	step link-wireguard link_wireguard
	echo "CHECK proc_modules=$(cut -d' ' -f1 /proc/modules | LC_ALL=C sort | paste -s -d, -)"
	echo "CHECK refused=$(tr '\n' , </run/modlatch/refused 2>/dev/null)"
	echo "CHECK workload_seconds=$(($(date +%s) - started))"
	echo "CHECK uptime_end=$(cut -d' ' -f1 /proc/uptime)"
	echo "CHECK done"
	sync
	busybox poweroff -f
}

case "${1:-}" in
step)
	shift
	set -eu
	"$@"
	;;
*) main ;;
esac
