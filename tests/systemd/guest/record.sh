# SPDX-License-Identifier: MIT
# shellcheck shell=sh disable=SC2034 # STEPS is read by check.sh, which sources this part
# A part of the boot check (check.sh), on a build with AFTER_LATCH=record whose table lacks
# vxlan: a VXLAN link from the root makes the kernel ask for rtnl-link-vxlan after the latch;
# the request fails, and modlatch's helper (/run/modlatch/helper) names it in the kernel log and
# in /run/modlatch/refused. Reported: every name in the record, and modlatch's lines of
# journalctl -k afterwards, the log a user would give modlatch-gen --requests.
STEPS="vxlan-refused"

vxlan_refused() {
	if ip link add vx0 type vxlan id 42 dstport 4789 dev lo; then
		fail "ip link add vx0 type vxlan: a VXLAN link was made, but vxlan is not in the table"
	fi
	grep -qx rtnl-link-vxlan /run/modlatch/refused ||
		fail "/run/modlatch/refused: no rtnl-link-vxlan in: $(tr '\n' ' ' </run/modlatch/refused 2>&1)"
	each refused cat /run/modlatch/refused
	# journald may read the helper's line a moment after the request failed.
	tries=0
	until journalctl -b -k -o short-monotonic --no-pager | grep -q ' modlatch: refused module=rtnl-link-vxlan after latch'; do
		tries=$((tries + 1))
		[ "$tries" -lt 20 ] || fail "journalctl -k: no 'modlatch: refused module=rtnl-link-vxlan after latch' after 10 s"
		sleep 0.5
	done
	each klog_after sh -c "journalctl -b -k -o short-monotonic --no-pager | grep ' modlatch: '"
}
