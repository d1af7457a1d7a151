#!/bin/sh
# SPDX-License-Identifier: MIT
# The supervisor of the record loop: two workload steps that need modules, then what modlatch
# recorded, in the file and in the kernel log, and power off.
#   wireguard-link  a WireGuard link: the kernel asks for rtnl-link-wireguard
#   ip6-port-rule   the IPv6 filter rule everyone writes first, with ip6tables-legacy: it runs
#                   kernel.modprobe itself for ip6_tables when that is missing (libxtables), and
#                   the kernel asks for the table and the tcp match
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

# step NAME COMMAND...: "CHECK step=NAME ok", or failed with the last line the command printed.
step() {
	name=$1
	shift
	if out=$("$@" 2>&1); then
		echo "CHECK step=$name ok"
	else
		echo "CHECK step=$name failed: $(echo "$out" | grep . | tail -n 1)"
	fi
}

wireguard_link() { ip link add wg0 type wireguard && wg show wg0; }
ip6_port_rule() {
	ip6tables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT &&
		ip6tables-legacy -L INPUT -n | grep -q 'tcp dpt:22'
}

step wireguard-link wireguard_link
step ip6-port-rule ip6_port_rule
echo "CHECK refused=$(tr '\n' , 2>/dev/null </run/modlatch/refused)"
# The kernel's own log, as a user would save it with dmesg, for modlatch-gen --requests.
dmesg | grep 'modlatch: refused module='
echo "CHECK done"
busybox poweroff -f
