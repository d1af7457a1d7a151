#!/bin/sh
# SPDX-License-Identifier: MIT
# The kernel hooks of modlatch, installed (by `make install-initramfs-tool`) as both
# /etc/kernel/postinst.d/modlatch and /etc/kernel/postrm.d/modlatch. A Debian kernel package's
# postinst runs the first after depmod, with the kernel version and the image path as arguments
# (run-parts), so that the new kernel boots with modlatch's image for its own modules tree; its
# postrm runs the second, and the image goes with the kernel.
#
# As the Debian kernel handbook asks of a hook, it acts only when the kernel package is being
# configured (postinst) or removed (postrm: purge comes after remove, and an upgrade keeps the
# kernel), does nothing when INITRD=No, writes to stderr only (stdout may be debconf's), and exits
# non-zero when the image cannot be built, so that dpkg fails the kernel's installation loudly
# and the kernel is not left to boot without a latch. The old image, if any, is kept.
set -eu

command=@sbindir@/modlatch-update-initramfs
version=${1:-}

case $0 in
*/postinst.d/*) acts_on=configure ;;
*/postrm.d/*) acts_on=remove ;;
*)
	echo "modlatch: $0: run from /etc/kernel/postinst.d or postrm.d" >&2
	exit 2
	;;
esac
# The package was removed but this conffile stayed behind: nothing to do.
[ -x "$command" ] || exit 0
[ "${INITRD:-Yes}" != No ] || exit 0
# The kernel package's maintainer-script arguments: "configure 6.1.0-57" (some quote each word).
if [ -n "${DEB_MAINT_PARAMS:-}" ]; then
	action=${DEB_MAINT_PARAMS#"${DEB_MAINT_PARAMS%%[![:space:]]*}"}
	action=${action%%[[:space:]]*}
	action=${action#\'} action=${action%\'}
	[ "$action" = "$acts_on" ] || exit 0
fi
if [ -z "$version" ]; then
	echo "modlatch: $0: no kernel version given" >&2
	exit 2
fi
if [ "$acts_on" = remove ]; then
	exec "$command" -d -k "$version" >&2
fi
exec "$command" -k "$version" >&2
