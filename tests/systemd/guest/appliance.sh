# SPDX-License-Identifier: MIT
# shellcheck shell=sh disable=SC2034 # STEPS is read by check.sh, which sources this part
# A part of the boot check (check.sh), on the bookworm ext4 boot: the appliance's own work under
# systemd, with Debian's packages and the units of tests/systemd/appliance/. nftables.service has
# loaded /etc/nftables.conf at boot; web.service runs a podman container whose port 80 is
# published on the host's 8080; a client in another network namespace, joined to the host by a
# veth pair, fetches it. The host is 192.0.2.1, the client 192.0.2.2 (TEST-NET-1).
STEPS="nftables-service nftables-ruleset client-link web-service web-publish input-drop"

HOST=192.0.2.1
CLIENT=192.0.2.2
WEB_PAGE="web: served from a podman container"

nftables_service() {
	expect enabled systemctl is-enabled nftables.service
	expect active systemctl is-active nftables.service
}

# The ruleset as nft prints it back from the kernel.
nftables_ruleset() {
	rules=$(nft list table inet filter)
	echo "$rules"
	for want in 'type filter hook input priority filter; policy drop;' \
		'ct state established,related accept' 'iif "lo" accept' 'tcp dport 8080 accept' \
		'counter packets'; do
		echo "$rules" | grep -qF -- "$want" ||
			fail "nft list table inet filter: no '$want' in: $(echo "$rules" | tr -s '\n\t' '  ')"
	done
}

client_link() {
	ip netns add client
	ip link add veth-host type veth peer name eth0 netns client
	ip addr add "$HOST/24" dev veth-host
	ip link set veth-host up
	ip -n client addr add "$CLIENT/24" dev eth0
	ip -n client link set eth0 up
	ip -n client link set lo up
}

# web.service is running and podman publishes the port (the container may still be starting:
# is-system-running does not wait for a Type=simple service's work).
web_service() {
	expect active systemctl is-active web.service
	tries=0
	until podman ps --format '{{.Names}} {{.Ports}}' | grep -q '^web 0.0.0.0:8080->80/tcp'; do
		tries=$((tries + 1))
		[ "$tries" -lt 120 ] || fail "podman ps: no web container publishing 8080 after 240 s: $(podman ps -a --format '{{.Names}} {{.Status}} {{.Ports}}' | tr '\n' ' ')"
		sleep 2
	done
	podman ps --format '{{.Names}} {{.Image}} {{.Ports}}'
	podman info --format 'graph driver {{.Store.GraphDriverName}}, cgroup manager {{.Host.CgroupManager}}, network backend {{.Host.NetworkBackend}}'
}

# The published port answers the client, through netavark's NAT.
web_publish() {
	expect "$WEB_PAGE" ip netns exec client curl -sS --connect-timeout 3 --max-time 10 \
		--retry 20 --retry-delay 2 --retry-all-errors "http://$HOST:8080/"
}

# A port nobody allowed: a server listens on the host at 9090; the host reaches it over
# loopback, the client's connection is dropped by the input policy (curl times out: exit 28)
# and counted.
input_drop() {
	mkdir -p /run/www
	echo "host page" >/run/www/index.html
	busybox httpd -p "$HOST:9090" -h /run/www
	expect "host page" curl -sS --max-time 10 "http://$HOST:9090/"
	rc=0
	ip netns exec client curl -sS --connect-timeout 5 --max-time 8 "http://$HOST:9090/" || rc=$?
	[ "$rc" -eq 28 ] || fail "curl from the client to port 9090: exit $rc, expected 28 (dropped)"
	nft list chain inet filter input | grep -q 'counter packets [1-9].* comment "dropped by the policy"' ||
		fail "nft: the policy's counter saw nothing: $(nft list chain inet filter input | tr -s '\n\t' '  ')"
	nft list chain inet filter input | grep 'counter packets'
}
