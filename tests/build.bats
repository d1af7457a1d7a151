#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The build: its variables, its refusals, and make install.

bats_load_library bats-support
bats_load_library bats-assert
load lib/kernel

setup() {
	MODDIR=$(kernel_modules_dir)
	OUT=$BATS_TEST_TMPDIR/build
}

build() { run make -s -C "$REPO" B="$OUT" MODULES_DIR="$MODDIR" "$@" "$OUT/modlatch"; }

@test "a bad failure policy stops the build, naming the variable, and no binary is made" {
	build ON_FATAL=explode
	assert_failure
	assert_output --partial "mkconfig: ON_FATAL='explode': expected poweroff or reboot"
	[ ! -e "$OUT/modlatch" ]
	build ON_MODULE_FAILURE=ignore
	assert_failure
	assert_output --partial "mkconfig: ON_MODULE_FAILURE='ignore': expected continue or halt"
	build ON_INTEGRITY_FAILURE=warn
	assert_failure
	assert_output --partial "mkconfig: ON_INTEGRITY_FAILURE='warn': expected continue or halt"
}

@test "bad hand-off choices stop the build, naming the variable" {
	build HANDOFF=fork
	assert_failure
	assert_output --partial "mkconfig: HANDOFF='fork': expected exec or reaper"
	build ON_EXIT=halt
	assert_failure
	assert_output --partial "mkconfig: ON_EXIT='halt': expected poweroff or reboot"
	build STOP_TIMEOUT=5s
	assert_failure
	assert_output --partial "mkconfig: STOP_TIMEOUT='5s': expected whole seconds"
}

@test "SUPERVISOR presets name the overlay's layouts, with no shell to fall back to" {
	build
	run "$OUT/modlatch" --print
	assert_line "supervisors /sbin/init"
	build SUPERVISOR=s6
	assert_success
	run "$OUT/modlatch" --print
	assert_line "supervisors /etc/s6/boot"
	build SUPERVISOR=busybox-init
	run "$OUT/modlatch" --print
	assert_line "supervisors /sbin/init"
}

@test "FALLBACK_SHELL=yes adds /bin/sh as the last supervisor; another value is refused" {
	build SUPERVISOR=s6 FALLBACK_SHELL=yes
	run "$OUT/modlatch" --print
	assert_line "supervisors /etc/s6/boot | /bin/sh"
	build FALLBACK_SHELL=maybe
	assert_failure
	assert_output --partial "mkconfig: FALLBACK_SHELL='maybe': expected no or yes"
}

@test "values that go into config.h cannot break out of their C string, and are never globbed (F13)" {
	build 'SUPERVISOR=/bin/sh -c ??/'
	assert_failure
	assert_output --partial "mkconfig: SUPERVISOR='/bin/sh -c ??/': quotes, backslashes, '?' and control characters are not supported"
	build 'TARGET_MODULES=/lib/modules" /* injected */ "'
	assert_failure
	assert_output --partial "mkconfig: TARGET_MODULES='/lib/modules\" /* injected */ \"'"
	build 'VERSION=1"'
	assert_failure
	assert_output --partial "mkconfig: VERSION='1\"'"
	build 'SUPERVISOR=/bin/ba*'
	assert_success
	run "$OUT/modlatch" --print
	assert_line 'supervisors /bin/ba*'
}

@test "a supervisor must be an absolute path, and there must be one" {
	build SUPERVISOR="sbin/init"
	assert_failure
	assert_output --partial "mkconfig: SUPERVISOR: 'sbin/init' must be an absolute path"
	build SUPERVISOR=":"
	assert_failure
	assert_output --partial "SUPERVISOR is empty"
}

@test "building the shim without MODULES_DIR says what to set" {
	run make -s -C "$REPO" B="$OUT" MODULES_DIR= "$OUT/modlatch"
	assert_failure
	assert_output --partial "MODULES_DIR is not set"
}

@test "build choices reach the binary: halt and reboot" {
	build ON_FATAL=reboot ON_MODULE_FAILURE=halt SUPERVISOR="/bin/s6-svscan /run/service" \
		HANDOFF=reaper ON_EXIT=reboot STOP_TIMEOUT=9
	assert_success
	run "$OUT/modlatch" --print
	assert_line "on_module_failure halt"
	assert_line "on_integrity_failure halt"
	assert_line "on_fatal reboot"
	assert_line "handoff reaper"
	assert_line "on_exit reboot"
	assert_line "stop_timeout 9"
	assert_line "supervisors /bin/s6-svscan /run/service"
}

@test "ALSO_LATCH takes words, commas or all, and refuses an unknown word naming it" {
	build ALSO_LATCH=kexec,ptrace
	assert_success
	run "$OUT/modlatch" --print
	assert_line 'also_latch kexec ptrace'
	build ALSO_LATCH=all
	run "$OUT/modlatch" --print
	assert_line 'also_latch kexec bpf ptrace usermodehelper'
	build ALSO_LATCH=sig_enforce
	assert_failure
	assert_output --partial "mkconfig: ALSO_LATCH: sig_enforce is gone: set after the latch it guarded nothing"

	build ALSO_LATCH='kexec modules'
	assert_failure
	assert_output --partial "mkconfig: ALSO_LATCH: unknown latch 'modules'"
	build
	run "$OUT/modlatch" --print
	assert_line 'also_latch none'
}

@test "AFTER_LATCH is blank or record; the helper path must be absolute and plain" {
	build
	run "$OUT/modlatch" --print
	assert_line 'after_latch blank'
	build AFTER_LATCH=record
	assert_success
	run "$OUT/modlatch" --print
	assert_line 'after_latch record /init'
	build AFTER_LATCH=record AFTER_LATCH_HELPER=/sbin/modlatch
	run "$OUT/modlatch" --print
	assert_line 'after_latch record /sbin/modlatch'
	build AFTER_LATCH=log
	assert_failure
	assert_output --partial "mkconfig: AFTER_LATCH='log': expected blank or record"
	build AFTER_LATCH=record AFTER_LATCH_HELPER=sbin/modlatch
	assert_failure
	assert_output --partial "mkconfig: AFTER_LATCH_HELPER='sbin/modlatch': must be the absolute path of modlatch in the image"
	build AFTER_LATCH=record AFTER_LATCH_HELPER='/sbin/mod latch'
	assert_failure
	assert_output --partial "mkconfig: AFTER_LATCH_HELPER='/sbin/mod latch': spaces are not supported"
}

@test "CROSS=aarch64 builds a static aarch64 shim from the arm64 tree; an unknown CROSS is refused" {
	run make -s -C "$REPO" B="$OUT" CROSS=aarch64 MODULES_DIR="$(kernel_modules_dir bookworm arm64)" \
		"$OUT/modlatch"
	assert_success
	run readelf -h "$OUT/modlatch"
	assert_line --regexp 'Machine: +AArch64'
	run readelf -l "$OUT/modlatch"
	refute_output --partial 'INTERP'
	run make -s -C "$REPO" B="$OUT" CROSS=riscv MODULES_DIR="$MODDIR" "$OUT/modlatch"
	assert_failure
	assert_output --partial "CROSS='riscv': expected aarch64"
}

@test "make install puts both programs under DESTDIR" {
	run make -s -C "$REPO" B="$OUT" MODULES_DIR="$MODDIR" DESTDIR="$BATS_TEST_TMPDIR/dest" \
		PREFIX=/usr install
	assert_success
	[ -x "$BATS_TEST_TMPDIR/dest/usr/bin/modlatch-gen" ]
	[ -x "$BATS_TEST_TMPDIR/dest/usr/sbin/modlatch" ]
	"$BATS_TEST_TMPDIR/dest/usr/sbin/modlatch" --version
}

@test "the shim builds warning-free with -Werror" {
	build WERROR=-Werror CFLAGS="-Os"
	assert_success
	refute_output --partial "warning"
}

@test "every tracked source file names its license (SPDX), and LICENSE holds the MIT text" {
	run grep -q '^MIT License$' "$REPO/LICENSE"
	assert_success
	missing=$(cd "$REPO" && git ls-files -- '*.c' '*.h' '*.sh' '*.bash' '*.bats' '*.mk' Makefile \
		'rootfs-overlay/*' '.ci/*' | grep -v '^buildroot/.*\.mk$' |
		while read -r f; do head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"; done)
	assert_equal "$missing" ""
}
