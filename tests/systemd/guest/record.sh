# SPDX-License-Identifier: MIT
# shellcheck shell=sh disable=SC2034 # STEPS is read by check.sh, which sources this part
# A part of the boot check (check.sh), on a build with AFTER_LATCH=record whose table lacks
# vxlan: a VXLAN link from the root makes the kernel ask for rtnl-link-vxlan after the latch;
# the request fails, and modlatch's helper (/run/modlatch/helper) names it in the kernel log and
# in /run/modlatch/refused. Reported: every name in the record, and modlatch's lines of
# journalctl -k afterwards, the log a user would give modlatch-gen --requests.
STEPS="vxlan-refused refused-unit"

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

# rootfs-overlay's modlatch-refused.service: at the end of the boot only bpf_preload was refused,
# which /etc/modlatch/expected-refusals expects, so it did not fail (the boot was "running");
# the VXLAN request made it fail, naming rtnl-link-vxlan and nothing expected.
refused_unit() {
	tries=0
	until [ "$(systemctl is-failed modlatch-refused.service)" = failed ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 40 ] || fail "modlatch-refused.service: $(systemctl is-failed modlatch-refused.service) after 20 s, not failed"
		sleep 0.5
	done
	expect "refused after the latch on this boot: rtnl-link-vxlan" \
		journalctl -b -u modlatch-refused.service -o cat --no-pager
	if journalctl -b -u modlatch-refused.service -o cat --no-pager | grep -q bpf_preload; then
		fail "modlatch-refused.service counted bpf_preload, which /etc/modlatch/expected-refusals expects"
	fi
	each refused_failed systemctl --failed --plain --no-legend
}
