#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# make initramfs on the host: the archive holds modlatch as /init, exactly the module files the
# table pins where the shim opens them, /dev/console and the overlay, with fixed owners, modes,
# times and inode numbers, so two builds give the same bytes; each compression unpacks; what the
# kernel could not unpack, and an overlay that would replace modlatch's own files, are refused
# with nothing written. The headers are read field by field here (cpio_entries), not through GNU
# cpio's listing, which hides inode and device numbers and rounds times.

bats_load_library bats-support
bats_load_library bats-assert
load lib/kernel

setup_file() {
	build_generator
	export MODDIR KCONFIG RELEASE
	MODDIR=$(kernel_modules_dir)
	KCONFIG=$(kernel_info config)
	RELEASE=$(kernel_release)
	# One build that most tests read: the demo list, with an overlay, at a fixed time.
	export OVERLAY=$BATS_FILE_TMPDIR/overlay ONE=$BATS_FILE_TMPDIR/one
	make_overlay "$OVERLAY"
	mk "$ONE" INITRAMFS_OVERLAY="$OVERLAY" SOURCE_DATE_EPOCH=1700000000 >/dev/null
}

# mk B [MAKE_VAR=VALUE ...]: make initramfs into B for the kernel under test.
mk() {
	local b=$1
	shift
	make -s -C "$REPO" B="$b" LIST="$REPO/etc/demo.list" MODULES_DIR="$MODDIR" "$@" initramfs
}

# make_overlay DIR: a small tree of the kinds and modes an overlay has.
make_overlay() {
	mkdir -p "$1/etc/secret" "$1/sbin" "$1/lib/modules"
	echo 'hello' >"$1/etc/motd"
	printf '#!/bin/sh\necho supervisor\n' >"$1/sbin/supervisor"
	echo 'key' >"$1/etc/secret/key"
	echo 'not in the table' >"$1/lib/modules/outsider.ko"
	ln -s ../sbin/supervisor "$1/etc/link"
	chmod 0755 "$1/sbin/supervisor"
	chmod 0700 "$1/etc/secret"
	chmod 0600 "$1/etc/secret/key"
}

# cpio_entries FILE: one line per entry of a newc archive, its header's fields in hex as written
# (ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor) and its name.
cpio_entries() {
	local file=$1 off=0 header name namesize size
	while :; do
		header=$(dd if="$file" iflag=skip_bytes,count_bytes skip="$off" count=110 status=none)
		[ "${header:0:6}" = 070701 ] || { echo "bad magic at $off" >&2; return 1; }
		namesize=$((16#${header:94:8}))
		size=$((16#${header:54:8}))
		name=$(dd if="$file" iflag=skip_bytes,count_bytes skip=$((off + 110)) \
			count=$((namesize - 1)) status=none)
		[ "$name" = 'TRAILER!!!' ] && return 0
		echo "$(sed -E 's/^070701//; s/(.{8})/\1 /g; s/ [^ ]+ [^ ]+ $//' <<<"$header") $name"
		off=$(((off + 110 + namesize + 3) / 4 * 4))
		off=$(((off + size + 3) / 4 * 4))
	done
}

# The field of an entry line by its header name.
field() {
	local n
	case $1 in
	ino) n=1 ;; mode) n=2 ;; uid) n=3 ;; gid) n=4 ;; nlink) n=5 ;; mtime) n=6 ;; size) n=7 ;;
	devmajor) n=8 ;; devminor) n=9 ;; rdevmajor) n=10 ;; rdevminor) n=11 ;; name) n=12 ;;
	esac
	cut -d' ' -f"$n"
}

# "NAME MODE" for every entry, the mode in octal with its type bits.
modes() { cpio_entries "$1" | while read -r _ mode _ _ _ _ _ _ _ _ _ name; do printf '%s %o\n' "$name" $((16#$mode)); done; }

# The module files of the table, by the generator's list (one path a line).
listed_files() { cut -d' ' -f3- "$1/table.files"; }

@test "modlatch-gen --files lists the table's files as sha256sum prints them, or nothing is written" {
	local dir=$BATS_TEST_TMPDIR
	printf '%s\n' br_netfilter xor >"$dir/good.list"
	run "$GEN" -k "$KCONFIG" -o "$dir/table.c" --files "$dir/table.files" "$dir/good.list" "$MODDIR"
	assert_success
	run bash -c "cut -d' ' -f3- '$dir/table.files' | LC_ALL=C sort"
	assert_output "$(printf '%s\n' kernel/crypto/xor.ko kernel/net/802/stp.ko \
		kernel/net/bridge/br_netfilter.ko kernel/net/bridge/bridge.ko kernel/net/llc/llc.ko)"
	(cd "$MODDIR" && sha256sum --quiet --strict -c "$dir/table.files")
	# A run that fails leaves neither file, nor a temporary one.
	printf '%s\n' xor no-such-module >"$dir/bad.list"
	run "$GEN" -k "$KCONFIG" -o "$dir/bad.c" --files "$dir/bad.files" "$dir/bad.list" "$MODDIR"
	assert_failure 1
	assert_line "modlatch-gen: $dir/bad.c and $dir/bad.files not written"
	run ls "$dir"
	assert_output "$(printf '%s\n' good.list table.c table.files bad.list | sort)"
}

@test "the list matches the native shim's --print, and make keeps it beside the table" {
	diff <(listed_files "$ONE") <("$ONE/modlatch" --print | sed -n 's/.* path=\([^ ]*\).*/\1/p')
	[ "$(listed_files "$ONE" | wc -l)" -eq 5 ]
	# A build directory from before the list existed gets table and list again.
	rm "$ONE/table.files"
	mk "$ONE" INITRAMFS_OVERLAY="$OVERLAY" SOURCE_DATE_EPOCH=1700000000 >/dev/null
	[ -s "$ONE/table.files" ]
}

@test "the archive holds /init, the table's files where the shim opens them, /dev/console and the overlay, nothing else" {
	local expected
	expected=$( (
		printf '%s\n' init dev dev/console etc etc/link etc/motd etc/secret etc/secret/key sbin \
			sbin/supervisor lib lib/modules lib/modules/outsider.ko "lib/modules/$RELEASE"
		for rel in $(listed_files "$ONE"); do
			while [ "$rel" != . ]; do
				echo "lib/modules/$RELEASE/$rel"
				rel=$(dirname "$rel")
			done
		done
	) | LC_ALL=C sort -u)
	run bash -c "cpio -it --quiet <'$ONE/initramfs.cpio'"
	assert_output "$expected"
	# GNU cpio reads what the writer wrote; the names come out in bytewise order.
	assert_equal "$(cpio_entries "$ONE/initramfs.cpio" | field name)" "$expected"
}

@test "modes, owners, times, links and inode numbers are fixed by rule" {
	run modes "$ONE/initramfs.cpio"
	assert_line 'init 100755'
	assert_line 'dev 40755'
	assert_line 'dev/console 20600'
	assert_line "lib/modules/$RELEASE/kernel/net/bridge/bridge.ko 100644"
	assert_line "lib/modules/$RELEASE/kernel/net/bridge 40755"
	# The overlay's own modes.
	assert_line 'etc/secret 40700'
	assert_line 'etc/secret/key 100600'
	assert_line 'sbin/supervisor 100755'
	assert_line 'etc/link 120777'
	local n=0 ino mode uid gid nlink mtime size dmaj dmin rmaj rmin name
	while read -r ino mode uid gid nlink mtime size dmaj dmin rmaj rmin name; do
		n=$((n + 1))
		[ $((16#$ino)) -eq "$n" ] || fail "$name: inode $ino, expected $n"
		[ "$uid$gid$dmaj$dmin" = 00000000000000000000000000000000 ] || fail "$name: owner or device"
		[ $((16#$mtime)) -eq 1700000000 ] || fail "$name: mtime $((16#$mtime))"
		case $name in
		dev/console) [ "$rmaj/$rmin" = 00000005/00000001 ] || fail "console is $rmaj,$rmin" ;;
		*) [ "$rmaj$rmin" = 0000000000000000 ] || fail "$name: rdev $rmaj,$rmin" ;;
		esac
		if [ $((16#$mode & 0170000)) -eq $((0040000)) ]; then
			[ $((16#$nlink)) -eq 2 ] || fail "$name: nlink $nlink"
		else
			[ $((16#$nlink)) -eq 1 ] || fail "$name: nlink $nlink"
		fi
	done < <(cpio_entries "$ONE/initramfs.cpio")
	# The files are the ones pinned, and /init is this build's modlatch.
	local x=$BATS_TEST_TMPDIR/x
	mkdir "$x"
	(cd "$x" && cpio -id --quiet --no-absolute-filenames "init" "lib/modules/*" <"$ONE/initramfs.cpio")
	cmp "$x/init" "$ONE/modlatch"
	(cd "$x/lib/modules/$RELEASE" && sha256sum --quiet --strict -c "$ONE/table.files")
}

@test "two builds give the same bytes, whatever the umask, the files' times and the build directory" {
	local two=$BATS_TEST_TMPDIR/two overlay=$BATS_TEST_TMPDIR/overlay
	cp -a "$OVERLAY" "$overlay"
	touch "$overlay/etc/motd" "$overlay/sbin/supervisor" "$overlay/etc/secret"
	touch -d @1 "$overlay/etc/secret/key"
	(umask 077 && mk "$two" INITRAMFS_OVERLAY="$overlay" SOURCE_DATE_EPOCH=1700000000 >/dev/null)
	cmp "$ONE/initramfs.cpio" "$two/initramfs.cpio"
	cmp "$ONE/initramfs.cpio.gz" "$two/initramfs.cpio.gz"
	sha256sum "$two/initramfs.cpio" "$two/initramfs.cpio.gz" | sed 's/^/# /' >&3
}

@test "the entries are dated by the last commit unless SOURCE_DATE_EPOCH says otherwise" {
	local b=$BATS_TEST_TMPDIR/b commit
	commit=$(git -C "$REPO" log -1 --format=%ct)
	mk "$b" >/dev/null
	assert_equal "$(cpio_entries "$b/initramfs.cpio" | field mtime | sort -u)" \
		"$(printf '%08X' "$commit")"
	run mk "$b" SOURCE_DATE_EPOCH=yesterday
	assert_failure
	assert_output --partial "SOURCE_DATE_EPOCH='yesterday': expected seconds since 1970"
}

@test "each compression unpacks to the archive; none leaves no stale compressed copy" {
	local b=$BATS_TEST_TMPDIR/b c suffix
	for c in gzip:gz zstd:zst xz:xz; do
		suffix=${c#*:} c=${c%:*}
		mk "$b" INITRAMFS_COMPRESSION="$c" >/dev/null
		run bash -c "ls '$b' | grep '^initramfs\\.cpio'"
		assert_output "$(printf '%s\n' initramfs.cpio "initramfs.cpio.$suffix")"
		"$c" -qdc "$b/initramfs.cpio.$suffix" | cmp - "$b/initramfs.cpio"
		"$c" -qdc "$b/initramfs.cpio.$suffix" | cpio -it --quiet | grep -qx init
	done
	# xz with the check the kernel verifies.
	run xz --robot -lvv "$b/initramfs.cpio.xz"
	assert_line --regexp '^block.*CRC32'
	mk "$b" INITRAMFS_COMPRESSION=none >/dev/null
	run bash -c "ls '$b' | grep '^initramfs\\.cpio'"
	assert_output initramfs.cpio
}

@test "a compression the kernel's config cannot unpack is refused, naming the option; nothing is written" {
	local b=$BATS_TEST_TMPDIR/b kconfig=$BATS_TEST_TMPDIR/config
	grep -v '^CONFIG_RD_ZSTD=' "$KCONFIG" >"$kconfig"
	run mk "$b" KCONFIG="$kconfig" INITRAMFS_COMPRESSION=zstd
	assert_failure
	assert_output --partial "INITRAMFS_COMPRESSION=zstd: $kconfig lacks CONFIG_RD_ZSTD=y"
	[ ! -e "$b/initramfs.cpio" ] && [ ! -e "$b/initramfs.cpio.zst" ]
	run mk "$b" INITRAMFS_COMPRESSION=lz4
	assert_failure
	assert_output --partial "INITRAMFS_COMPRESSION='lz4': expected gzip, zstd, xz or none"
	# The same config takes gzip.
	mk "$b" KCONFIG="$kconfig" >/dev/null
	[ -s "$b/initramfs.cpio.gz" ]
}

@test "an overlay that is not a directory, or would replace modlatch's own files, is refused; nothing is written" {
	local b=$BATS_TEST_TMPDIR/b bad=$BATS_TEST_TMPDIR/bad
	run mk "$b" INITRAMFS_OVERLAY="$REPO/LICENSE"
	assert_failure
	assert_output --partial "INITRAMFS_OVERLAY=$REPO/LICENSE: not a directory"
	mkdir -p "$bad" && touch "$bad/init"
	run mk "$b" INITRAMFS_OVERLAY="$bad"
	assert_failure
	assert_output --partial "INITRAMFS_OVERLAY=$bad: it has init, which would replace /init, modlatch"
	rm -rf "$bad" && mkdir -p "$bad/lib/modules/$RELEASE/kernel/crypto"
	touch "$bad/lib/modules/$RELEASE/kernel/crypto/xor.ko"
	run mk "$b" INITRAMFS_OVERLAY="$bad"
	assert_failure
	assert_output --partial "it has lib/modules/$RELEASE/kernel/crypto/xor.ko, which would replace /lib/modules/$RELEASE/kernel/crypto/xor.ko, a module file the table pins"
	rm -rf "$bad" && mkdir -p "$bad/dev" && touch "$bad/dev/console"
	run mk "$b" INITRAMFS_OVERLAY="$bad"
	assert_failure
	assert_output --partial "it has dev/console, which would replace /dev/console, the console"
	# A merged-/usr layout: lib is a link, and the module files would land where it points.
	rm -rf "$bad" && mkdir -p "$bad/usr/lib" && ln -s usr/lib "$bad/lib"
	run mk "$b" INITRAMFS_OVERLAY="$bad"
	assert_failure
	assert_output --partial "INITRAMFS_OVERLAY=$bad: lib must be a directory there"
	run ls "$b"
	refute_output --partial initramfs.cpio
	refute_output --partial stage
	# The same overlay fits when the shim opens its modules below usr/.
	mk "$b" INITRAMFS_OVERLAY="$bad" TARGET_MODULES=/usr/lib/modules >/dev/null
	run bash -c "cpio -it --quiet <'$b/initramfs.cpio' | grep -c '^usr/lib/modules/$RELEASE/.*\\.ko$'"
	assert_output 5
}

@test "make initramfs rebuilds when the list, the overlay or modlatch changes, and only then" {
	local b=$BATS_TEST_TMPDIR/b overlay=$BATS_TEST_TMPDIR/overlay list=$BATS_TEST_TMPDIR/xor.list
	cp -a "$OVERLAY" "$overlay"
	mk "$b" INITRAMFS_OVERLAY="$overlay" >/dev/null
	run mk "$b" INITRAMFS_OVERLAY="$overlay"
	assert_output ""
	echo more >>"$overlay/etc/motd"
	run mk "$b" INITRAMFS_OVERLAY="$overlay"
	assert_output --partial "initramfs: $b/initramfs.cpio: "
	echo xor >"$list"
	mk "$b" INITRAMFS_OVERLAY="$overlay" LIST="$list" >/dev/null
	run bash -c "cpio -it --quiet <'$b/initramfs.cpio' | grep '\\.ko$'"
	assert_output "$(printf '%s\n' "lib/modules/$RELEASE/kernel/crypto/xor.ko" lib/modules/outsider.ko)"
	mk "$b" INITRAMFS_OVERLAY="$overlay" LIST="$list" SUPERVISOR=/sbin/other >/dev/null
	(cd "$BATS_TEST_TMPDIR" && cpio -id --quiet init <"$b/initramfs.cpio")
	cmp "$BATS_TEST_TMPDIR/init" "$b/modlatch"
	"$BATS_TEST_TMPDIR/init" --print | grep -qx 'supervisors /sbin/other'
}

@test "a module file changed after the table was built is refused, naming it" {
	local b=$BATS_TEST_TMPDIR/b tree list=$BATS_TEST_TMPDIR/xor.list file
	tree=$(fixture_tree initramfs-changed kernel/crypto/xor.ko)
	echo xor >"$list"
	make -s -C "$REPO" B="$b" LIST="$list" MODULES_DIR="$tree" "$b/table.c"
	file=$(module_file "$tree" kernel/crypto/xor.ko)
	printf 'x' >>"$file"
	run make -s -C "$REPO" B="$b" LIST="$list" MODULES_DIR="$tree" initramfs
	assert_failure
	assert_output --partial "kernel/crypto/xor.ko: FAILED"
	assert_output --partial "are not the ones $b/table.c pins: the tree changed after the table was built"
	[ ! -e "$b/initramfs.cpio" ]
}

@test "a cross build packs the cross-built shim and the arm64 tree's files, by the generator's list" {
	local b=$BATS_TEST_TMPDIR/b
	make -s -C "$REPO" B="$b" LIST="$REPO/etc/demo.list" CROSS=aarch64 \
		MODULES_DIR="$(kernel_modules_dir "$KERNEL" arm64)" initramfs >/dev/null
	(cd "$BATS_TEST_TMPDIR" && cpio -id --quiet init <"$b/initramfs.cpio")
	run readelf -h "$BATS_TEST_TMPDIR/init"
	assert_line --regexp 'Machine: +AArch64'
	run bash -c "cpio -it --quiet <'$b/initramfs.cpio' | sed -n 's|^lib/modules/[^/]*/\\(.*\\.ko.*\\)|\\1|p'"
	assert_output "$(cut -d' ' -f3- "$b/table.files" | LC_ALL=C sort)"
	assert_line --regexp '^kernel/arch/arm64/.*/xor-neon\.ko'
}

@test "modlatch-gen --cpio refuses what it cannot write as given" {
	local dir=$BATS_TEST_TMPDIR/tree out=$BATS_TEST_TMPDIR/out.cpio
	mkdir -p "$dir/dev"
	run "$GEN" --cpio --node dev/console:0600:x:5:1 "$dir" "$out"
	assert_failure 2
	assert_line --partial 'expected NAME:MODE:c|b:MAJOR:MINOR'
	run "$GEN" --cpio --node ../console:0600:c:5:1 "$dir" "$out"
	assert_failure 2
	run "$GEN" --cpio --node nodir/console:0600:c:5:1 "$dir" "$out"
	assert_failure 1
	assert_line '--node nodir/console: its directory is not a directory of the tree'
	run "$GEN" --cpio --node dev:0600:c:5:1 "$dir" "$out"
	assert_failure 1
	assert_line 'dev: named twice (by the tree or by --node)'
	run "$GEN" --cpio --mtime 4294967296 "$dir" "$out"
	assert_failure 2
	[ ! -e "$out" ]
	run "$GEN" --cpio --mtime 4294967295 "$dir" "$out"
	assert_success
	run bash -c "cpio -it --quiet <'$out'"
	assert_output dev
}
