#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# modlatch as a command (not PID 1): it prints and verifies, and never mounts or latches.

bats_load_library bats-support
bats_load_library bats-assert
load lib/fixture

setup_file() {
	fixture_build command "$REPO/etc/demo.list" SUPERVISOR="/sbin/s6-svscan /run/service:/bin/sh" &&
		fixture_build command-record "$REPO/etc/demo.list" AFTER_LATCH=record
}

setup() {
	MODLATCH=$FIXTURES/command/build/modlatch
	MODDIR=$(kernel_modules_dir)
	RELEASE=$(kernel_release)
}

# A root holding copies of the table's module files only, to damage at will.
copy_root() {
	local root=$BATS_TEST_TMPDIR/root rel
	for rel in $("$MODLATCH" --print | sed -n 's/.* path=\([^ ]*\).*/\1/p'); do
		install -D -m 0644 "$MODDIR/$rel" "$root/lib/modules/$RELEASE/$rel"
	done
	echo "$root"
}

@test "the shim is a static binary" {
	run file "$MODLATCH"
	assert_output --partial "statically linked"
}

@test "--version names the version, the kernel and the table size" {
	run "$MODLATCH" --version
	assert_success
	assert_output "modlatch 0.1.0 (kernel $RELEASE, 5 entries)"
}

@test "--print shows the build choices and every entry with its pins" {
	run "$MODLATCH" --print
	assert_success
	assert_line "kernel $RELEASE"
	assert_line "supervisors /sbin/s6-svscan /run/service | /bin/sh"
	assert_line "on_module_failure continue"
	assert_line "on_integrity_failure halt"
	assert_line "on_fatal poweroff"
	assert_line "entries 5"
	sha=$(sha256sum "$MODDIR/kernel/crypto/xor.ko" | cut -d' ' -f1)
	size=$(stat -c %s "$MODDIR/kernel/crypto/xor.ko")
	assert_line "0 name=xor flags=required compression=none size=$size sha256=$sha path=kernel/crypto/xor.ko rank=4"
	assert_line --regexp '^3 name=bridge flags=dependency pulled_by=br_netfilter .* needs=llc,stp rank=[0-9]+$'
}

@test "--verify passes on the real tree" {
	run "$MODLATCH" --verify "${MODDIR%/lib/modules/*}"
	assert_success
	assert_line "verify ok: 5 checked, 0 failed"
}

@test "--verify fails on a copy with one byte changed, naming that module" {
	root=$(copy_root)
	printf '\x00' | dd of="$root/lib/modules/$RELEASE/kernel/net/802/stp.ko" bs=1 seek=100 conv=notrunc status=none
	run "$MODLATCH" --verify "$root"
	assert_failure 1
	assert_line "FAIL stp: $root/lib/modules/$RELEASE/kernel/net/802/stp.ko sha256 differs from the pinned one"
	assert_line "ok   xor: $root/lib/modules/$RELEASE/kernel/crypto/xor.ko"
	assert_line "verify FAILED: 5 checked, 1 failed"
}

@test "--verify fails on a missing or resized file" {
	root=$(copy_root)
	rm "$root/lib/modules/$RELEASE/kernel/crypto/xor.ko"
	echo >>"$root/lib/modules/$RELEASE/kernel/net/llc/llc.ko"
	run "$MODLATCH" --verify "$root"
	assert_failure 1
	assert_line "FAIL xor: $root/lib/modules/$RELEASE/kernel/crypto/xor.ko ENOENT"
	assert_line --regexp "^FAIL llc: .*/llc.ko is [0-9]+ bytes, pinned [0-9]+$"
	assert_line "verify FAILED: 5 checked, 2 failed"
}

@test "without a command it prints usage, says it is not PID 1, and exits 2" {
	run "$MODLATCH"
	assert_failure 2
	assert_line --partial "usage: modlatch --version | --print | --verify ROOT"
	assert_line "modlatch: not PID 1 at boot, so nothing is mounted or latched"
}

@test "command mode mounts nothing and leaves module loading as it was" {
	before=$(wc -l </proc/self/mountinfo)
	latch_before=$(cat /proc/sys/kernel/modules_disabled 2>&1 || true)
	run "$MODLATCH" --print
	run "$MODLATCH" --verify /
	run "$MODLATCH" --bogus
	[ "$(wc -l </proc/self/mountinfo)" = "$before" ]
	[ "$(cat /proc/sys/kernel/modules_disabled 2>&1 || true)" = "$latch_before" ]
}

# modlatch_as_helper ARG...: runs a record build as the kernel would run its module helper, in a
# mount namespace of its own with a fresh /run and /dev/kmsg bound to /dev/null, so that neither
# this machine's /run nor its kernel log is touched. Run by hand, the helper also writes its
# kernel-log lines to stderr: prints those, the exit status, then the recorded names. (The boot
# suite's record.bats reads the same lines from a guest's kernel log.)
modlatch_as_helper() {
	unshare --mount sh -c '
		mount -t tmpfs tmpfs /run && mount --bind /dev/null /dev/kmsg || exit 99
		"$@"; echo "rc=$?"; echo "names:"; cat /run/modlatch/refused
	' sh "$@" 2>&1
}

@test "a record build answers the kernel's helper form: it loads nothing, logs and keeps each name once" {
	helper=$FIXTURES/command-record/build/modlatch
	run modlatch_as_helper sh -c "'$helper' -q -- fs-xfs; '$helper' -q -- 'crypto-hmac(sha256)'; \
		'$helper' -q -- fs-xfs"
	assert_line "rc=1"
	assert_line --index 0 "modlatch: refused module=fs-xfs after latch"
	assert_equal "$(echo "$output" | grep -c '^modlatch: refused module=fs-xfs after latch$')" 2
	assert_line "modlatch: refused module=crypto-hmac(sha256) after latch"
	assert_equal "$(echo "$output" | sed -n '/^names:$/,$p')" "$(printf 'names:\nfs-xfs\ncrypto-hmac(sha256)')"
}

@test "a record build refuses a helper call whose name no kernel request has, and records nothing" {
	helper=$FIXTURES/command-record/build/modlatch
	run modlatch_as_helper "$helper" -q -- 'rtnl-link-a b'
	assert_line "rc=1"
	assert_line "modlatch: refused a module request after latch: the name has a character no kernel request has; nothing recorded"
	assert_line --partial "/run/modlatch/refused: No such file or directory"
	run modlatch_as_helper "$helper" -q -- "$(printf 'n%.0s' $(seq 64))"
	assert_line "modlatch: refused a module request after latch: the name is longer than a kernel request can be; nothing recorded"
	run modlatch_as_helper "$helper" -q fs-xfs
	assert_line "rc=2"
	assert_line "modlatch: not PID 1 at boot, so nothing is mounted or latched"
}

@test "a default build does not answer the helper form" {
	run "$FIXTURES/command/build/modlatch" -q -- fs-xfs
	assert_failure 2
	assert_line "modlatch: not PID 1 at boot, so nothing is mounted or latched"
}

@test "--verify refuses a FIFO and a link to /dev/zero at module paths at once, never reading them" {
	root=$(copy_root)
	xor=$(module_file "$root/lib/modules/$RELEASE" kernel/crypto/xor.ko)
	bridge=$(module_file "$root/lib/modules/$RELEASE" kernel/net/bridge/bridge.ko)
	rm "$xor" "$bridge"
	mkfifo "$xor"
	ln -s /dev/zero "$bridge"
	run timeout 20 "$FIXTURES/command/build/modlatch" --verify "$root"
	assert_failure 1
	assert_line "FAIL xor: $root/lib/modules/$RELEASE/${xor#"$root/lib/modules/$RELEASE/"} is not a regular file"
	assert_line --regexp "^FAIL bridge: .* is not a regular file$"
	assert_line "verify FAILED: 5 checked, 2 failed"
}
