# SPDX-License-Identifier: MIT
# shellcheck shell=sh disable=SC2034 # STEPS is read by check.sh, which sources this part
# A part of the boot check (check.sh), on a build that keeps CAP_SYS_MODULE: a modules-load.d
# file names nlmon, which the table lacks; systemd-modules-load tries it, the latch refuses it,
# and the unit fails naming it. The file goes and the failure is reset afterwards.
STEPS="outsider-modules-load outsider-cleanup"

outsider_modules_load() {
	echo nlmon >/etc/modules-load.d/zz-outsider.conf
	if systemctl restart systemd-modules-load.service; then
		fail "systemd-modules-load.service started with nlmon, which the table lacks"
	fi
	expect failed systemctl is-failed systemd-modules-load.service
	each outsider_log journalctl -b -u systemd-modules-load.service -o cat --no-pager
	journalctl -b -u systemd-modules-load.service -o cat --no-pager | grep nlmon ||
		fail "journalctl -u systemd-modules-load: nlmon is not named"
}

outsider_cleanup() {
	rm /etc/modules-load.d/zz-outsider.conf
	systemctl reset-failed systemd-modules-load.service
	failed=$(systemctl --failed --plain --no-legend)
	[ -z "$failed" ] || fail "systemctl --failed: $failed"
}
