#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# modlatch-gen --audit: what in an image could open a window before or beside the latch.
# Crafted roots, and the Debian kernels' real configs and trees.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/kernel

setup_file() {
	build_generator
}

setup() {
	ROOT=$BATS_TEST_TMPDIR/root
	mkdir -p "$ROOT/sbin" "$ROOT/bin"
	CONFIG_61=$(kernel_info config bookworm)
	CONFIG_612=$(kernel_info config trixie)
}

config() { printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/config"; echo "$BATS_TEST_TMPDIR/config"; }

@test "a clean image on Debian's 6.1 config passes" {
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61"
	assert_success
	assert_line 'audit ok: 0 finding(s)'
}

@test "an executable /sbin/modprobe is a window, named with why" {
	printf '#!/bin/sh\n' >"$ROOT/sbin/modprobe"
	chmod +x "$ROOT/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61"
	assert_failure 1
	assert_line "window: /sbin/modprobe is executable in the image and is the kernel's modprobe path: the kernel runs it for module requests before PID 1 starts"
	assert_line 'audit FAILED: 1 finding(s)'
}

@test "a modprobe that is a link into the image (busybox, kmod) counts, resolved inside the root" {
	printf '#!/bin/sh\n' >"$ROOT/bin/busybox"
	chmod +x "$ROOT/bin/busybox"
	ln -s /bin/busybox "$ROOT/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61"
	assert_failure 1
	ln -sfn ../bin/missing "$ROOT/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61"
	assert_success
}

@test "a modprobe that is modlatch (-m) is no window: run as modprobe it loads nothing" {
	printf 'modlatch\n' >"$ROOT/init"
	chmod +x "$ROOT/init"
	ln -s ../init "$ROOT/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61" -m /init
	assert_success
	assert_line "info: /sbin/modprobe is modlatch (-m): run as modprobe, before PID 1 or after, it loads nothing"
	# Without -m the audit cannot tell what it is.
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61"
	assert_failure 1
	# Another file of the same bytes is not modlatch.
	rm "$ROOT/sbin/modprobe" && cp "$ROOT/init" "$ROOT/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61" -m /init
	assert_failure 1
}

@test "paths resolve inside the image as the target would, never on the build host" {
	# sbin is an absolute link to usr/sbin: on the host that would be the host's /usr/sbin.
	rmdir "$ROOT/sbin"
	mkdir -p "$ROOT/usr/sbin"
	ln -s /usr/sbin "$ROOT/sbin"
	printf '#!/bin/sh\n' >"$ROOT/usr/sbin/modprobe"
	chmod +x "$ROOT/usr/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61"
	assert_failure 1
	assert_line --partial 'window: /sbin/modprobe is executable in the image'
	# A link climbing out of the image stops at its root: the host's /bin/sh does not count.
	rm "$ROOT/usr/sbin/modprobe"
	ln -s ../../../../../../bin/sh "$ROOT/usr/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61"
	assert_success
}

@test "a relative modprobe path is taken from the image's root, as the kernel takes it" {
	printf '#!/bin/sh\n' >"$ROOT/bin/kmod"
	chmod +x "$ROOT/bin/kmod"
	ln -s bin/kmod "$ROOT/helper"
	run "$GEN" --audit "$ROOT/" -k "$(config 'CONFIG_MODPROBE_PATH="helper"')"
	assert_failure 1
	assert_line --partial 'window: helper is executable in the image'
	run "$GEN" --audit "$ROOT" -k "$(config 'CONFIG_MODPROBE_PATH="helper"')"
	assert_failure 1
}

@test "the modprobe path comes from the kernel config; an empty one runs nothing" {
	printf '#!/bin/sh\n' >"$ROOT/sbin/modprobe"
	chmod +x "$ROOT/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$(config 'CONFIG_MODPROBE_PATH=""')"
	assert_success
	assert_line 'info: CONFIG_MODPROBE_PATH is empty: the kernel runs no modprobe'
	run "$GEN" --audit "$ROOT" -k "$(config 'CONFIG_MODPROBE_PATH="/usr/sbin/modprobe"')"
	assert_success
}

@test "an empty static usermode helper makes modprobe harmless" {
	printf '#!/bin/sh\n' >"$ROOT/sbin/modprobe"
	chmod +x "$ROOT/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$(config CONFIG_STATIC_USERMODEHELPER=y 'CONFIG_STATIC_USERMODEHELPER_PATH=""')"
	assert_success
	assert_line --partial 'info: CONFIG_STATIC_USERMODEHELPER=y, every helper runs "", that is none'
}

@test "a path it cannot check is not a pass: EACCES, as for a user without root's access" {
	printf '#!/bin/sh\n' >"$ROOT/sbin/modprobe"
	chmod +x "$ROOT/sbin/modprobe"
	chown 65534 "$ROOT/sbin"
	chmod 0700 "$ROOT/sbin"
	# root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH meets the 0700 directory of
	# another user as an ordinary user would.
	run --separate-stderr setpriv --bounding-set -dac_override,-dac_read_search \
		"$GEN" --audit "$ROOT" -k "$CONFIG_61"
	assert_failure 2
	[ "$stderr" = "audit: /sbin/modprobe in $ROOT: cannot check: EACCES" ]
	refute_line --partial 'audit ok'
}

@test "a link loop at the modprobe path is not a pass either: ELOOP is not 'absent'" {
	ln -s modprobe "$ROOT/sbin/modprobe"
	run --separate-stderr "$GEN" --audit "$ROOT" -k "$CONFIG_61"
	assert_failure 2
	[ "$stderr" = "audit: /sbin/modprobe in $ROOT: cannot check: ELOOP" ]
	# A missing directory on the way (ENOTDIR, ENOENT) is absent, as the kernel finds it.
	rm "$ROOT/sbin/modprobe"
	touch "$ROOT/usr"
	run "$GEN" --audit "$ROOT" -k "$(config 'CONFIG_MODPROBE_PATH="/usr/sbin/modprobe"')"
	assert_success
}

@test "a static usermode helper with a path is what the kernel runs for modprobe: it is checked" {
	local static=(CONFIG_STATIC_USERMODEHELPER=y 'CONFIG_STATIC_USERMODEHELPER_PATH="/sbin/umh"')
	printf '#!/bin/sh\n' >"$ROOT/sbin/umh"
	chmod +x "$ROOT/sbin/umh"
	run "$GEN" --audit "$ROOT" -k "$(config "${static[@]}")"
	assert_failure 1
	assert_line "window: /sbin/umh is executable in the image and is the static usermode helper: the kernel runs it in place of /sbin/modprobe, with modprobe's arguments, for module requests before PID 1 starts"
	assert_line 'audit FAILED: 1 finding(s)'
	# Without the helper in the image, the kernel's exec fails: modprobe itself never runs.
	mv "$ROOT/sbin/umh" "$ROOT/sbin/modprobe"
	run "$GEN" --audit "$ROOT" -k "$(config "${static[@]}")"
	assert_success
	assert_line "info: /sbin/modprobe is executable in the image; the kernel runs /sbin/umh in its place"
}

@test "the command line: sysctl.kernel.modules_disabled=1 latches before modlatch runs" {
	run "$GEN" --audit "$ROOT" -c "quiet sysctl.kernel.modules_disabled=1"
	assert_failure 1
	assert_line "window: \"sysctl.kernel.modules_disabled=1\" on the command line: the kernel latches before PID 1 starts and no module of the table can load"
	run "$GEN" --audit "$ROOT" -c "sysctl/kernel/modules_disabled=1"
	assert_failure 1
	run "$GEN" --audit "$ROOT" -c "sysctl.kernel.modules_disabled=0"
	assert_success
}

@test "the command line: sysctl.kernel.modprobe= sets a helper just before PID 1 starts" {
	run "$GEN" --audit "$ROOT" -c "sysctl.kernel.modprobe=/bin/evil quiet"
	assert_failure 1
	assert_line "window: \"sysctl.kernel.modprobe=/bin/evil\" on the command line: the kernel runs /bin/evil for module requests from just before PID 1 starts until modlatch blanks it"
	run "$GEN" --audit "$ROOT" -c "sysctl.kernel.modprobe="
	assert_success
	assert_line --partial 'info: "sysctl.kernel.modprobe=" on the command line'
}

@test "the command line: init= and rdinit= are checked against where modlatch is (-m)" {
	printf '#!/bin/sh\n' >"$ROOT/bin/sh"
	printf 'modlatch\n' >"$ROOT/sbin/modlatch"
	chmod +x "$ROOT/bin/sh" "$ROOT/sbin/modlatch"
	ln -s modlatch "$ROOT/sbin/init"
	run "$GEN" --audit "$ROOT" -c "init=/sbin/init"
	assert_failure 1
	assert_line "window: \"init=/sbin/init\" on the command line: the kernel runs /sbin/init as PID 1; check that it is modlatch (-m PATH checks it)"
	run "$GEN" --audit "$ROOT" -m /sbin/modlatch -c "init=/sbin/init rdinit=/sbin/modlatch"
	assert_success
	assert_line 'info: "init=/sbin/init" on the command line runs modlatch'
	run "$GEN" --audit "$ROOT" --modlatch /sbin/modlatch -c 'rdinit=/bin/sh init="/sbin/init"'
	assert_failure 1
	assert_line "window: \"rdinit=/bin/sh\" on the command line: the kernel runs /bin/sh as PID 1, not modlatch (/sbin/modlatch): nothing latches"
	assert_line 'audit FAILED: 1 finding(s)'
	run "$GEN" --audit "$ROOT" -m /sbin/absent -c "quiet"
	assert_failure 2
}

@test "words after -- on the command line are init's arguments, not the kernel's" {
	run "$GEN" --audit "$ROOT" -c "quiet -- nomodule init=/bin/sh sysctl.kernel.modules_disabled=1"
	assert_success
}

@test "a uevent helper with a path is a window" {
	run "$GEN" --audit "$ROOT" -k "$(config CONFIG_UEVENT_HELPER=y 'CONFIG_UEVENT_HELPER_PATH="/sbin/hotplug"')"
	assert_failure 1
	assert_line --partial 'window: CONFIG_UEVENT_HELPER=y with path "/sbin/hotplug"'
}

@test "nomodule on the command line is a window: nothing of the table could load" {
	run "$GEN" --audit "$ROOT" -k "$CONFIG_61" -c "console=ttyS0 nomodule quiet"
	assert_failure 1
	assert_line --partial 'window: "nomodule" on the command line'
	run "$GEN" --audit "$ROOT" --kconfig "$CONFIG_61" --cmdline "nomodule"
	assert_failure 1
	assert_line --partial 'window: "nomodule" on the command line'
}

@test "compressed modules need the kernel's decompression: 6.12's tree against 6.1's config" {
	root612=$(kernel_modules_dir trixie)
	root612=${root612%/lib/modules/*}
	run "$GEN" --audit "$root612" -k "$CONFIG_612"
	assert_success
	run "$GEN" --audit "$root612" -k "$CONFIG_61"
	assert_failure 1
	assert_line --regexp '^window: /lib/modules/.*\.ko\.xz is xz-compressed but the kernel config lacks CONFIG_MODULE_DECOMPRESS=y$'
}

@test "without a config it says what it could not check" {
	run "$GEN" --audit "$ROOT"
	assert_success
	assert_line --partial 'info: no kernel config given (-k)'
}

@test "bad usage exits 2" {
	run "$GEN" --audit
	assert_failure 2
	run "$GEN" --audit "$ROOT" -k "$BATS_TEST_TMPDIR/no-such-config"
	assert_failure 2
}
