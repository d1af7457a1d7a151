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
	assert_line 'also_latch kexec bpf ptrace usermodehelper sys_module'
	build ALSO_LATCH=sys_module
	run "$OUT/modlatch" --print
	assert_line 'also_latch sys_module'
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

@test "ROOT takes /dev/NAME or PARTLABEL=NAME with a filesystem type; bad roots stop the build" {
	build ROOT=/dev/vda ROOT_FSTYPE=ext4
	assert_success
	run "$OUT/modlatch" --print
	assert_line 'root /dev/vda fstype=ext4 mode=ro wait=30'
	build ROOT=PARTLABEL=appliance-root ROOT_FSTYPE=erofs ROOT_MODE=rw ROOT_WAIT=5
	run "$OUT/modlatch" --print
	assert_line 'root PARTLABEL=appliance-root fstype=erofs mode=rw wait=5'
	build ROOT=vda ROOT_FSTYPE=ext4
	assert_failure
	assert_output --partial "mkconfig: ROOT='vda': expected /dev/NAME or PARTLABEL=NAME"
	build ROOT='/dev/v da' ROOT_FSTYPE=ext4
	assert_failure
	assert_output --partial "mkconfig: ROOT='/dev/v da': expected /dev/NAME or PARTLABEL=NAME (letters, digits, '_', '.', '-')"
	build ROOT=/dev/vda
	assert_failure
	assert_output --partial "mkconfig: ROOT_FSTYPE is empty: name the root's filesystem"
	build ROOT=/dev/vda ROOT_FSTYPE=ext4 ROOT_MODE=ro,nodev
	assert_failure
	assert_output --partial "mkconfig: ROOT_MODE='ro,nodev': expected rw or ro"
	build ROOT=/dev/vda ROOT_FSTYPE=ext4 ROOT_WAIT=0
	assert_failure
	assert_output --partial "mkconfig: ROOT_WAIT='0': expected whole seconds from 1"
}

@test "AFTER_LATCH=record with ROOT: the helper is modlatch's copy on /run; another helper path is refused" {
	build ROOT=/dev/vda ROOT_FSTYPE=ext4 AFTER_LATCH=record
	assert_success
	run "$OUT/modlatch" --print
	assert_line 'after_latch record /run/modlatch/helper'
	build ROOT=/dev/vda ROOT_FSTYPE=ext4 AFTER_LATCH=record AFTER_LATCH_HELPER=/sbin/modlatch
	assert_failure
	assert_output --partial "mkconfig: AFTER_LATCH_HELPER='/sbin/modlatch' with ROOT: the initramfs is freed at the switch, so the helper is modlatch's own copy at /run/modlatch/helper"
}

@test "the modules-load.d check is in an ALSO_LATCH=sys_module build only" {
	build
	run grep -c -a 'modules-load' "$OUT/modlatch"
	assert_output 0
	build ALSO_LATCH=sys_module
	run grep -c -a 'modules-load' "$OUT/modlatch"
	refute_output 0
}

@test "the root and verity code is in a ROOT build only: the default shim has none of it" {
	build
	run grep -c -a 'sysroot\|mapper/control' "$OUT/modlatch"
	assert_output 0
	printf '%s\n' VERITY_ROOT_HASH="$(printf 'ab%.0s' $(seq 32))" VERITY_SALT=- \
		VERITY_DATA_BLOCKS=100 VERITY_HASH_START=100 >"$BATS_TEST_TMPDIR/verity"
	build ROOT=/dev/vda ROOT_FSTYPE=erofs VERITY="$BATS_TEST_TMPDIR/verity"
	assert_success
	run grep -c -a 'sysroot' "$OUT/modlatch"
	refute_output 0
	run "$OUT/modlatch" --print
	assert_line "verity root_hash=$(printf 'ab%.0s' $(seq 32)) salt=- algorithm=sha256 data_blocks=100 block_size=4096 hash_block_size=4096 hash_start=100 on_corruption=eio"
}

@test "VERITY is read as data, each line checked, naming the file and line; it needs a read-only ROOT" {
	local params=$BATS_TEST_TMPDIR/verity
	printf '%s\n' VERITY_ROOT_HASH=abcd VERITY_DATA_BLOCKS=8 >"$params"
	build VERITY="$params"
	assert_failure
	assert_output --partial "mkconfig: VERITY='$params' needs ROOT: the device the verity data is on"
	build ROOT=/dev/vda ROOT_FSTYPE=erofs ROOT_MODE=rw VERITY="$params"
	assert_failure
	assert_output --partial "mkconfig: VERITY with ROOT_MODE=rw: a verity device is read-only"
	build ROOT=/dev/vda ROOT_FSTYPE=erofs VERITY="$params.missing"
	assert_failure
	# shellcheck disable=SC2016 # a command substitution that must stay text
	printf '%s\n' VERITY_ROOT_HASH=abcd 'VERITY_DATA_BLOCKS=$(reboot)' >"$params"
	build ROOT=/dev/vda ROOT_FSTYPE=erofs VERITY="$params"
	assert_failure
	assert_output --partial "mkconfig: $params:2: VERITY_DATA_BLOCKS='\$(reboot)' is not a number"
	printf '%s\n' VERITY_ROOT_HASH=ABCD VERITY_DATA_BLOCKS=8 >"$params"
	build ROOT=/dev/vda ROOT_FSTYPE=erofs VERITY="$params"
	assert_output --partial "mkconfig: $params:1: VERITY_ROOT_HASH='ABCD' is not a hex"
	printf '%s\n' VERITY_ROOT_HASH=abcd VERITY_DATA_BLOCKS=8 VERITY_ROUNDS=3 >"$params"
	build ROOT=/dev/vda ROOT_FSTYPE=erofs VERITY="$params"
	assert_output --partial "mkconfig: $params:3: unknown line 'VERITY_ROUNDS=3'"
	printf '%s\n' VERITY_ROOT_HASH=abcd VERITY_DATA_BLOCKS=8 VERITY_DATA_BLOCK_SIZE=8192 >"$params"
	build ROOT=/dev/vda ROOT_FSTYPE=erofs VERITY="$params"
	assert_output --partial "mkconfig: $params: block size 8192: expected 512, 1024, 2048 or 4096"
	printf '%s\n' VERITY_ROOT_HASH=abcd VERITY_DATA_BLOCKS=8 >"$params"
	build ROOT=/dev/vda ROOT_FSTYPE=erofs VERITY="$params" VERITY_ON_CORRUPTION=ignore
	assert_output --partial "mkconfig: VERITY_ON_CORRUPTION='ignore': expected eio, restart or panic"
	build ROOT=/dev/vda ROOT_FSTYPE=erofs VERITY="$params" VERITY_ON_CORRUPTION=restart
	assert_success
	run "$OUT/modlatch" --print
	assert_line --partial 'on_corruption=restart'
}

@test "make verity-image pins an image whose size is whole blocks, and refuses one that is not" {
	local img=$BATS_TEST_TMPDIR/root.img
	mkdir -p "$BATS_TEST_TMPDIR/tree/sbin"
	echo 'an appliance' >"$BATS_TEST_TMPDIR/tree/sbin/init"
	mkfs.ext4 -q -F -d "$BATS_TEST_TMPDIR/tree" "$img" 8M
	VERITY_SALT=00112233 run make -s -C "$REPO" B="$OUT" ROOT_IMAGE="$img" verity-image
	assert_success
	run cat "$OUT/root.verity"
	assert_line 'VERITY_SALT=00112233'
	assert_line 'VERITY_DATA_BLOCKS=2048'
	assert_line 'VERITY_HASH_START=2048'
	local hash
	hash=$(sed -n 's/^VERITY_ROOT_HASH=//p' "$OUT/root.verity")
	[ "${#hash}" -eq 64 ]
	# veritysetup itself agrees that the appended tree verifies the data under that root hash.
	run veritysetup verify --no-superblock --hash-offset=$((8 * 1024 * 1024)) --data-blocks=2048 \
		--salt=00112233 "$OUT/root.verity.img" "$OUT/root.verity.img" "$hash"
	assert_success
	truncate -s 1000 "$img"
	run make -s -C "$REPO" B="$OUT" ROOT_IMAGE="$img" verity-image
	assert_failure
	assert_output --partial "verity: $img: 1000 bytes, not a whole number of 4096-byte blocks"
	run make -s -C "$REPO" B="$OUT" verity-image
	assert_failure
	assert_output --partial 'verity-image: set ROOT_IMAGE to the root filesystem image'
}

@test "SHA256=fast builds the CPU's SHA-256 instructions in, the default leaves them out; other values are refused" {
	build
	assert_success
	run grep -c -a 'armv8-ce\|sha-ni' "$OUT/modlatch"
	assert_output 0
	build SHA256=fast
	assert_success
	run "$OUT/modlatch" --print
	# On this machine: the x86 SHA extensions, when /proc/cpuinfo lists them.
	if grep -qw sha_ni /proc/cpuinfo; then
		assert_line 'sha256 fast sha-ni'
	else
		assert_line 'sha256 fast portable'
	fi
	build SHA256=quick
	assert_failure
	assert_output --partial "SHA256='quick': expected portable or fast"
}

@test "COSTS ranks the table by a saved boot report, and the table follows the report" {
	local list=$BATS_TEST_TMPDIR/test.list report=$BATS_TEST_TMPDIR/boot.log
	printf '%s\n' br_netfilter xor >"$list"
	# report SLOW: every module of the list timed, SLOW far slower than the rest.
	report() {
		for m in llc stp bridge br_netfilter xor; do
			echo "[    1.0] modlatch: module=$m result=loaded us=1 finit_us=$([ "$m" = "$1" ] && echo 900000 || echo 10)"
		done >"$report"
		touch -d "@$(($(date +%s) + 2))" "$report"
	}
	report xor
	build LIST="$list" COSTS="$report"
	assert_success
	run "$OUT/modlatch" --print
	assert_line --regexp '^[0-9]+ name=xor .* rank=0$'
	report br_netfilter
	build LIST="$list" COSTS="$report"
	assert_success
	run "$OUT/modlatch" --print
	# br_netfilter's chain starts at llc, which needs nothing: llc goes first now.
	assert_line --regexp '^[0-9]+ name=llc .* rank=0$'
	refute_line --regexp '^[0-9]+ name=xor .* rank=0$'
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

# F20 (doc/build.md, "Hardening"): every build has the stack protector, and the toolchains this
# tree sets up link the shim as a static PIE.
@test "the default shim checks its stack canary and is a static PIE, on amd64 and arm64; PIE=no and -fno-stack-protector take them out" {
	# x86-64 keeps the canary at %fs:0x28: each protected function reads it twice. (Some of
	# Debian's musl is built with the protector, so even the unguarded build has a few.)
	# (Each build has a directory of its own, so that the sizes and counts compare side by side.)
	local guarded unguarded
	build
	assert_success
	run file "$OUT/modlatch"
	assert_output --partial "static-pie linked"
	run readelf -lhW "$OUT/modlatch"
	assert_line --regexp '^ +Type: +DYN '
	refute_output --partial 'INTERP'
	guarded=$(objdump -d "$OUT/modlatch" | grep -c '%fs:0x28')
	run make -s -C "$REPO" B="$OUT-plain" MODULES_DIR="$MODDIR" PIE=no \
		CFLAGS="-Os -fno-stack-protector" "$OUT-plain/modlatch"
	assert_success
	run file "$OUT-plain/modlatch"
	assert_output --partial "statically linked"
	unguarded=$(objdump -d "$OUT-plain/modlatch" | grep -c '%fs:0x28')
	[ "$guarded" -gt $((unguarded + 40)) ]
	# aarch64 reads its canary from a global, so the sign is the size: the check in every
	# function with an array costs a KiB or more.
	local arm64 guarded_size
	arm64=$(kernel_modules_dir bookworm arm64)
	run make -s -C "$REPO" B="$OUT-arm64" CROSS=aarch64 MODULES_DIR="$arm64" "$OUT-arm64/modlatch"
	assert_success
	run file "$OUT-arm64/modlatch"
	assert_output --partial "ARM aarch64"
	assert_output --partial "static-pie linked"
	guarded_size=$(stat -c %s "$OUT-arm64/modlatch")
	run make -s -C "$REPO" B="$OUT-arm64-plain" CROSS=aarch64 MODULES_DIR="$arm64" \
		CFLAGS="-Os -fno-stack-protector" "$OUT-arm64-plain/modlatch"
	assert_success
	[ "$guarded_size" -gt $(($(stat -c %s "$OUT-arm64-plain/modlatch") + 512)) ]
}

# Debian's musl-gcc wrapper itself gives -static-pie an interpreter that no initramfs has: the
# build refuses such a shim rather than ship it, and a CC given from outside is not asked for a
# PIE unless PIE=yes says so.
@test "a CC that links -static-pie with an interpreter fails a PIE=yes build, named; without PIE=yes it links a static shim" {
	printf 'int main(void) { return 0; }\n' >"$BATS_TEST_TMPDIR/pie.c"
	run musl-gcc -fPIE -static-pie -o "$BATS_TEST_TMPDIR/pie" "$BATS_TEST_TMPDIR/pie.c"
	assert_success
	run file "$BATS_TEST_TMPDIR/pie"
	assert_output --partial "interpreter /lib/ld-musl"
	run make -s -C "$REPO" B="$OUT-musl-gcc" MODULES_DIR="$MODDIR" CC=musl-gcc PIE=yes \
		"$OUT-musl-gcc/modlatch"
	assert_failure
	assert_output --partial "$OUT-musl-gcc/modlatch: musl-gcc linked it with an interpreter (PIE=yes: set PIE=no)"
	[ ! -e "$OUT-musl-gcc/modlatch" ]
	run make -s -C "$REPO" B="$OUT-musl-gcc" MODULES_DIR="$MODDIR" CC=musl-gcc "$OUT-musl-gcc/modlatch"
	assert_success
	run file "$OUT-musl-gcc/modlatch"
	assert_output --partial "statically linked"
}

@test "every tracked source file names its license (SPDX), and LICENSE holds the MIT text" {
	run grep -q '^MIT License$' "$REPO/LICENSE"
	assert_success
	missing=$(cd "$REPO" && git ls-files -- '*.c' '*.h' '*.sh' '*.bash' '*.bats' '*.mk' Makefile \
		'rootfs-overlay/*' '.ci/*' | grep -v '^buildroot/.*\.mk$' |
		while read -r f; do head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"; done)
	assert_equal "$missing" ""
}
