#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# modlatch as a command (not PID 1): it prints and verifies, and never mounts or latches.

bats_load_library bats-support
bats_load_library bats-assert
load lib/fixture

setup_file() {
	fixture_build command "$REPO/etc/demo.list" SUPERVISOR="/sbin/s6-svscan /run/service:/bin/sh" &&
		fixture_build command-record "$REPO/etc/demo.list" AFTER_LATCH=record &&
		fixture_build command-root "$REPO/etc/demo.list" ROOT=/dev/vda ROOT_FSTYPE=ext4 \
			SUPERVISOR=/sbin/init:/bin/sh
}

setup() {
	MODLATCH=$FIXTURES/command/build/modlatch
	MODDIR=$(kernel_modules_dir)
	RELEASE=$(kernel_release)
}

# modlatch_as_helper ARG...: runs a record build as the kernel would run its module helper, in a
# mount namespace of its own with a fresh /run and /dev/kmsg bound to a FIFO, so that neither
# this machine's /run nor its kernel log is touched. Run by hand, the helper also writes its
# lines to stderr: prints those, the exit status, the recorded names, then each line it wrote to
# the kernel log as "kmsg: LINE". (The boot suite's record.bats reads a guest's kernel log.)
modlatch_as_helper() {
	# shellcheck disable=SC2016 # the script expands its own arguments
	unshare --mount sh -c '
		mount -t tmpfs tmpfs /run && mkfifo /run/.kmsg && mount --bind /run/.kmsg /dev/kmsg ||
			exit 99
		cat /run/.kmsg >/run/.kmsg.log &
		exec 8>/run/.kmsg
		"$@"; echo "rc=$?"; echo "names:"; cat /run/modlatch/refused
		exec 8>&-
		wait
		sed "s/^/kmsg: /" /run/.kmsg.log
	' sh "$@" 2>&1
}

# kmsg_lines, recorded_names: the kernel-log lines and the "names:" part of the last
# modlatch_as_helper run.
kmsg_lines() { sed -n 's/^kmsg: //p' <<<"$output"; }
recorded_names() { sed -n '/^names:$/,$p' <<<"$output" | grep -v '^kmsg: '; }

# A root holding copies of the table's module files only, to damage at will.
copy_root() {
	local root=$BATS_TEST_TMPDIR/root rel
	for rel in $("$MODLATCH" --print | sed -n 's/.* path=\([^ ]*\).*/\1/p'); do
		install -D -m 0644 "$MODDIR/$rel" "$root/lib/modules/$RELEASE/$rel"
	done
	echo "$root"
}

@test "the shim is a static PIE: no interpreter, loaded anywhere" {
	run file "$MODLATCH"
	assert_output --partial "static-pie linked"
	run readelf -lW "$MODLATCH"
	refute_output --partial "INTERP"
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

@test "a record build answers the kernel's helper form: it loads nothing, logs and keeps each name once" {
	helper=$FIXTURES/command-record/build/modlatch
	run modlatch_as_helper sh -c "'$helper' -q -- fs-xfs; '$helper' -q -- 'crypto-hmac(sha256)'; \
		'$helper' -q -- fs-xfs"
	assert_line "rc=1"
	assert_line --index 0 "modlatch: refused module=fs-xfs after latch"
	assert_equal "$(echo "$output" | grep -c '^modlatch: refused module=fs-xfs after latch$')" 2
	assert_line "modlatch: refused module=crypto-hmac(sha256) after latch"
	assert_equal "$(recorded_names)" "$(printf 'names:\nfs-xfs\ncrypto-hmac(sha256)')"
	# The kernel log has each name once, when it is first kept, at warning level.
	assert_equal "$(kmsg_lines)" "$(printf '%s\n' '<4>modlatch: refused module=fs-xfs after latch' \
		'<4>modlatch: refused module=crypto-hmac(sha256) after latch')"
}

@test "a flood of names cannot fill the kernel log: each name is logged once, the full record once, and what it cannot take is counted (G5)" {
	helper=$FIXTURES/command-record/build/modlatch
	# 1,100 names of 60 bytes are more than the 64 KiB record takes; each is asked for twice.
	run modlatch_as_helper sh -c "for i in \$(seq 1100) \$(seq 1100); do
			'$helper' -q -- \$(printf 'crypto-junk%049d' \$i) 2>/dev/null
		done; cat /run/modlatch/dropped"
	local kept logged
	kept=$(recorded_names | grep -c '^crypto-junk')
	[ "$kept" -gt 1000 ] && [ "$kept" -lt 1100 ]
	logged=$(kmsg_lines | grep -c '^<4>modlatch: refused module=crypto-junk')
	assert_equal "$logged" "$kept"
	assert_equal "$(kmsg_lines | grep -c 'full')" 1
	assert_equal "$(kmsg_lines | grep -c '')" "$((kept + 1))"
	assert_line --regexp "^kmsg: <3>modlatch: cannot record module=crypto-junk0+[0-9]+ in /run/modlatch/refused: full; the names it cannot take are counted in /run/modlatch/dropped$"
	# Each name it could not keep, each time it was asked for.
	assert_line "$(( (1100 - kept) * 2 ))"
	[ "$(recorded_names | wc -c)" -le $((65536 + 7)) ]
}

@test "the helper keeps no capability and sets no_new_privs before it touches the record (G5)" {
	helper=$FIXTURES/command-record/build/modlatch
	# shellcheck disable=SC2016
	run unshare --mount sh -c '
		mount -t tmpfs tmpfs /run && mkfifo /run/.kmsg && mount --bind /run/.kmsg /dev/kmsg ||
			exit 99
		"$1" -q -- fs-xfs & pid=$!
		# Once the name is kept the helper waits to open the kernel log, a FIFO with no reader.
		for i in $(seq 500); do
			grep -qx fs-xfs /run/modlatch/refused 2>/dev/null && break
			sleep 0.01
		done
		grep -E "^(CapInh|CapPrm|CapEff|CapAmb|NoNewPrivs):" /proc/$pid/status
		cat /run/.kmsg >/dev/null
		wait $pid; echo "rc=$?"' sh "$helper"
	assert_line "rc=1"
	assert_line --regexp '^CapInh:[[:space:]]+0+$'
	assert_line --regexp '^CapPrm:[[:space:]]+0+$'
	assert_line --regexp '^CapEff:[[:space:]]+0+$'
	assert_line --regexp '^CapAmb:[[:space:]]+0+$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
}

@test "the helper appends only to root's own record: a hard link or another owner's file is refused, untouched (G5)" {
	helper=$FIXTURES/command-record/build/modlatch
	# shellcheck disable=SC2016
	run unshare --mount sh -c '
		mount -t tmpfs tmpfs /run && mount --bind /dev/null /dev/kmsg || exit 99
		mkdir -m 0755 /run/modlatch && echo secret >/run/target && ln /run/target /run/modlatch/refused
		"$1" -q -- fs-xfs; echo "rc=$?"; echo "target=$(cat /run/target)"
		rm /run/modlatch/refused && touch /run/modlatch/refused &&
			chown 1000 /run/modlatch/refused && chmod 0666 /run/modlatch/refused
		"$1" -q -- fs-xfs; echo "rc=$?"; echo "size=$(stat -c %s /run/modlatch/refused)"' \
		sh "$helper"
	assert_equal "$(grep -c "^modlatch: cannot record module=fs-xfs in /run/modlatch/refused: not root's own file (owner, mode or links)$" <<<"$output")" 2
	assert_line "rc=1"
	assert_line "target=secret"
	assert_line "size=0"
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

@test "a record build answers iptables-legacy's own call, HELPER NAME [-q]: refused and kept as the kernel's" {
	helper=$FIXTURES/command-record/build/modlatch
	run modlatch_as_helper sh -c "'$helper' ip6_tables; echo rc1=\$?; '$helper' xt_tcpudp -q"
	assert_line "rc1=1"
	assert_line "rc=1"
	# Not quiet: the program's user reads why on its stderr; with -q only the kernel log has it.
	assert_line "modlatch: refused module=ip6_tables after latch"
	refute_line "modlatch: refused module=xt_tcpudp after latch"
	assert_equal "$(recorded_names)" "$(printf 'names:\nip6_tables\nxt_tcpudp')"
}

@test "a record build run as modprobe through a link refuses and keeps each module a load names" {
	helper=$FIXTURES/command-record/build/modlatch
	ln -s "$helper" "$BATS_TEST_TMPDIR/modprobe"
	mp=$BATS_TEST_TMPDIR/modprobe
	# -a: every word a module; without it the first is, the rest are its parameters.
	run modlatch_as_helper sh -c "'$mp' -abq configfs fuse; echo rc1=\$?; \
		'$mp' -v dummy numdummies=2; '$mp' --quiet -- vxlan"
	assert_line "rc1=1"
	assert_line "rc=1"
	assert_line "modlatch: refused module=dummy after latch"
	refute_line "modlatch: refused module=configfs after latch"
	assert_equal "$(recorded_names)" "$(printf 'names:\nconfigfs\nfuse\ndummy\nvxlan')"
}

@test "run as modprobe, anything but a load (-r, --show-depends, no name) is the usage, and nothing is kept" {
	ln -s "$FIXTURES/command-record/build/modlatch" "$BATS_TEST_TMPDIR/modprobe"
	for args in "-r dummy" "--show-depends dummy" "-q" "-aq --"; do
		# shellcheck disable=SC2086 # the words are the arguments
		run modlatch_as_helper "$BATS_TEST_TMPDIR/modprobe" $args
		assert_line "rc=2"
		assert_line --partial "/run/modlatch/refused: No such file or directory"
	done
}

@test "a default build does not answer the helper form" {
	run "$FIXTURES/command/build/modlatch" -q -- fs-xfs
	assert_failure 2
	assert_line "modlatch: not PID 1 at boot, so nothing is mounted or latched"
	run "$FIXTURES/command/build/modlatch" xt_tcpudp -q
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

# A disk root laid out as Debian's: merged /usr (/lib, /sbin and /bin are links into usr/), and
# /sbin/init the absolute link /lib/systemd/systemd. Nothing in it is executable but systemd.
disk_root() {
	local root=$BATS_TEST_TMPDIR/disk
	mkdir -p "$root"/usr/{bin,sbin,lib/systemd}
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	printf '#!/bin/sh\n' >"$root/usr/lib/systemd/systemd"
	chmod 0755 "$root/usr/lib/systemd/systemd"
	ln -s /lib/systemd/systemd "$root/usr/sbin/init"
	echo "$root"
}

# verify_disk DISK_ROOT: --verify of the ROOT= build, its modules from the real tree.
verify_disk() { "$FIXTURES/command-root/build/modlatch" --verify "${MODDIR%/lib/modules/*}" "$1"; }

@test "ROOT= build: --verify finds Debian's /sbin/init through its absolute link inside the disk's tree" {
	run verify_disk "$(disk_root)"
	assert_success
	assert_line "ok   supervisor: /sbin/init -> /lib/systemd/systemd"
	assert_line "verify ok: 6 checked, 0 failed"
}

@test "ROOT= build: relative links and chains of links resolve inside the disk's tree" {
	root=$(disk_root)
	ln -sfn ../lib/systemd/systemd "$root/usr/sbin/init"
	run verify_disk "$root"
	assert_line "ok   supervisor: /sbin/init -> ../lib/systemd/systemd"
	ln -s systemd "$root/usr/lib/systemd/systemd-link"
	ln -sfn /sbin/../lib/systemd/systemd-link "$root/usr/sbin/init"
	run verify_disk "$root"
	assert_success
	assert_line "ok   supervisor: /sbin/init -> /sbin/../lib/systemd/systemd-link"
}

@test "ROOT= build: a dangling link is named with its target, and the next supervisor is tried" {
	root=$(disk_root)
	rm "$root/usr/lib/systemd/systemd"
	run verify_disk "$root"
	assert_failure 1
	assert_line "FAIL supervisor: /sbin/init -> /lib/systemd/systemd: ENOENT"
	assert_line "FAIL supervisor: /bin/sh: ENOENT"
	assert_line "verify FAILED: 6 checked, 1 failed"
	printf '#!/bin/sh\n' >"$root/usr/bin/sh"
	chmod 0755 "$root/usr/bin/sh"
	run verify_disk "$root"
	assert_success
	assert_line "ok   supervisor: /bin/sh"
}

@test "ROOT= build: a link that climbs out of the disk's tree stays inside it, as after chroot" {
	root=$(disk_root)
	# This machine has /bin/sh; the disk has not: the link may not find the machine's.
	[ -x /bin/sh ]
	ln -sfn ../../../../../../../../bin/sh "$root/usr/sbin/init"
	run verify_disk "$root"
	assert_failure 1
	assert_line "FAIL supervisor: /sbin/init -> ../../../../../../../../bin/sh: ENOENT"
	# Nor does a /proc magic link lead out: it is refused.
	ln -sfn /proc/self/exe "$root/usr/sbin/init"
	mkdir -p "$root/proc" && mount --bind /proc "$root/proc"
	run verify_disk "$root"
	umount "$root/proc"
	assert_line "FAIL supervisor: /sbin/init -> /proc/self/exe: ELOOP"
}

@test "ROOT= build: a directory or a file without an execute bit is no supervisor" {
	root=$(disk_root)
	chmod 0644 "$root/usr/lib/systemd/systemd"
	run verify_disk "$root"
	assert_line "FAIL supervisor: /sbin/init -> /lib/systemd/systemd: EACCES"
	rm "$root/usr/sbin/init" && mkdir "$root/usr/sbin/init"
	run verify_disk "$root"
	assert_failure 1
	assert_line "FAIL supervisor: /sbin/init: EACCES"
}

@test "ROOT= build: without the disk's tree --verify checks the modules and says the supervisor was not" {
	run "$FIXTURES/command-root/build/modlatch" --verify "${MODDIR%/lib/modules/*}"
	assert_success
	assert_line "SKIP supervisor: it is on the disk (ROOT=/dev/vda); name the disk's tree after ROOT"
	assert_line "verify ok: 5 checked, 0 failed"
	run "$FIXTURES/command-root/build/modlatch" --help
	assert_line "usage: modlatch --version | --print | --verify ROOT [DISK_ROOT] | --help"
}
