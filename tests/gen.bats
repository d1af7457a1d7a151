#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# modlatch-gen against Debian's real modules tree: what it resolves, how it orders, and how it
# refuses bad input (an error naming the file and line or the module, exit 1, no output file).

bats_load_library bats-support
bats_load_library bats-assert
load lib/kernel

setup_file() {
	build_generator
}

setup() {
	MODDIR=$(kernel_modules_dir)
	KCONFIG=$(kernel_info config)
	OUT=$BATS_TEST_TMPDIR/table.c
	LIST=$BATS_TEST_TMPDIR/test.list
}

list() { printf '%s\n' "$@" >"$LIST"; }
gen() { run "$GEN" -k "$KCONFIG" -o "$OUT" "$LIST" "${1:-$MODDIR}"; }
# The names of the entries in the generated table, in load order.
names() { sed -n 's/^\t\t\.name = [0-9]*, \/\* "\(.*\)" \*\/$/\1/p' "$OUT" | tr '\n' ' '; }
# pins MODULE FILE: the table gives MODULE the size and SHA-256 of FILE (the first 8 bytes).
pins() {
	local digest
	[ "$(field "$1" size)" = "$(stat -c %s "$2")," ] || return 1
	digest=$(sha256sum "$2" | cut -c1-16 | sed 's/../0x&, /g; s/, $//')
	awk -v name="\"$1\"" '$1==".name"&&$5==name{on=1} on&&/\.sha256/{print; exit}' "$OUT" |
		tr -d '\t\n' | grep -qF "$digest"
}
# One field of the entry called $1.
field() { awk -v name="\"$1\"" -v f=".$2" '$1==".name"&&$5==name{on=1} on&&$1==f{sub(/^[^=]*= /, ""); print; exit}' "$OUT"; }
# The string that a field of the entry called $1 points to in the pool, as its comment quotes it.
text() { field "$1" "$2" | sed -n 's/^[0-9]*, \/\* "\(.*\)" \*\/$/\1/p'; }
# The table positions that the entry called $1 waits for, from ml_deps.
waits() {
	local at count
	at=$(field "$1" deps) count=$(($(field "$1" ndeps | tr -d ,) + $(field "$1" nafter | tr -d ,)))
	sed -n '/^const uint16_t ml_deps/,/^};/p' "$OUT" | sed 's|/\*[^*]*\*/||g' | tr -d '\n\t{};' |
		sed 's/.*= *//' | tr ',' '\n' | tr -d ' ' | sed -n "$((${at%,} + 1)),$((${at%,} + count))p" | tr '\n' ' '
}

@test "br_netfilter comes after bridge, bridge after stp, stp after llc" {
	list br_netfilter
	gen
	assert_success
	[ "$(names)" = "llc stp bridge br_netfilter " ]
}

@test "each entry waits for the table positions of what it needs" {
	list br_netfilter xor
	gen
	assert_success
	[ "$(names)" = "llc stp bridge br_netfilter xor " ]
	[ "$(field llc ndeps)" = "0," ]
	[ "$(waits stp)" = "0 " ]
	[ "$(waits bridge)" = "0 1 " ]
	[ "$(field br_netfilter ndeps)" = "3," ]
	[ "$(waits br_netfilter)" = "0 1 2 " ]
}

@test "the ready queue ranks first the longest chain of file sizes, or of a report's finit_us" {
	list br_netfilter xor
	gen
	assert_success
	# Along one chain the sums only shrink: llc, then stp, then bridge.
	[ "$(field llc rank)" = "0," ]
	[ "$(field stp rank)" = "1," ]
	[ "$(field bridge rank)" = "2," ]
	printf '%s\n' '[    2.1] modlatch: module=xor result=loaded us=9 finit_us=290000' \
		'modlatch: module=llc result=loaded us=9 finit_us=100' \
		'modlatch: module=stp result=loaded us=9 finit_us=100' \
		'modlatch: module=bridge result=loaded us=9 finit_us=1000' >"$BATS_TEST_TMPDIR/report"
	run "$GEN" -k "$KCONFIG" --costs "$BATS_TEST_TMPDIR/report" -o "$OUT" "$LIST" "$MODDIR"
	assert_success
	assert_output --partial "report: note: no finit_us for module br_netfilter; ranked at the median, 1000 us"
	[ "$(field xor rank)" = "0," ]
	[ "$(field llc rank)" = "1," ]
	echo 'modlatch: module=xor result=loaded us=9 finit_us=x' >"$BATS_TEST_TMPDIR/report"
	run "$GEN" -k "$KCONFIG" --costs "$BATS_TEST_TMPDIR/report" -o "$OUT.new" "$LIST" "$MODDIR"
	assert_failure 1
	assert_output --partial "report:1: a loaded module's line without a whole number after finit_us="
	[ ! -e "$OUT.new" ]
}

@test "pulled-in dependencies name the listed module that needs them" {
	list br_netfilter
	gen
	[ "$(field stp pulled_by)" = '3, /* br_netfilter */' ]
	[ "$(field stp flags)" = "ML_DEPENDENCY," ]
	[ "$(field br_netfilter pulled_by)" = 'ML_LISTED,' ]
}

@test "an alias resolves to its module: fs-overlay is overlay" {
	list fs-overlay
	gen
	assert_success
	[ "$(names)" = "overlay " ]
	[ "$(text overlay dir)$(text overlay file)" = kernel/fs/overlayfs/overlay ]
	[ "$(field overlay compression)" = "ML_COMP_NONE," ]
}

@test "a built-in module is recorded as built in, with no file" {
	list net-pf-10
	gen
	assert_success
	[ "$(names)" = "ipv6 " ]
	[ "$(field ipv6 flags)" = "ML_BUILTIN," ]
	[ "$(text ipv6 dir)$(text ipv6 file)" = "" ]
}

@test "size and SHA-256 are those of the file in the tree" {
	list xor
	gen
	pins xor "$MODDIR/kernel/crypto/xor.ko"
}

@test "parameters reach the table, quoted values intact" {
	list 'dummy numdummies=2 name="x y"'
	gen
	assert_success
	[ "$(text dummy params)" = 'numdummies=2 name=\"x y\"' ]
	# The pool holds it as one C literal, quotes escaped.
	grep -qF '	"numdummies=2 name=\"x y\"" "\0" /* ' "$OUT"
}

@test "parameters for a built-in module are an error that gives the kernel command line form" {
	list xor 'ipv6 disable=1 note="a b"'
	gen
	assert_failure 1
	assert_output --partial "test.list:2: module ipv6 is built into the kernel and takes no parameters at load time; put them on the kernel command line: ipv6.disable=1 ipv6.note=\"a b\""
	[ ! -e "$OUT" ]
	list xor ipv6
	gen
	assert_success
}

@test "an alias that resolves to several modules is a warning naming them, with the fix" {
	list xor poly1305
	gen
	assert_success
	assert_output --partial "test.list:2: warning: 'poly1305' resolves to 2 modules (poly1305_x86_64, poly1305_generic); loaded in one wave, which one binds a device is a race: mark the line '!' or build with LOAD=serial"
	list xor '!poly1305'
	gen
	assert_success
	refute_output --partial "warning"
}

@test "an optional module missing from the tree is recorded absent, and that is no error" {
	list xor '?no_such_module'
	gen
	assert_success
	assert_output --partial "test.list:2: note: optional module no_such_module is not in the tree; recorded as absent"
	[ "$(field no_such_module flags)" = "ML_OPTIONAL | ML_ABSENT," ]
}

@test "duplicates collapse into one entry" {
	list xor br_netfilter xor bridge
	gen
	assert_success
	[ "$(names)" = "xor llc stp bridge br_netfilter " ]
}

@test "the same module listed with other parameters is an error naming both lines" {
	list 'dummy numdummies=1' xor 'dummy numdummies=2'
	gen
	assert_failure 1
	assert_output --partial "test.list:3: module dummy is listed again with other parameters (first at line 1)"
	[ ! -e "$OUT" ]
}

@test "an unknown module is an error naming the file and line, and nothing is written" {
	list xor no_such_module
	gen
	assert_failure 1
	assert_output --partial "test.list:2: unknown module or alias 'no_such_module'"
	assert_output --partial "modlatch-gen: $OUT not written"
	[ ! -e "$OUT" ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -maxdepth 1 -name '*table.c*')" ]
}

@test "every malformed line is named, with what is wrong" {
	list 'xor' 'bad/name' 'xor =1' "dummy name=\"open"
	gen
	assert_failure 1
	assert_output --partial "test.list:2: bad character '/' in module name 'bad/name'"
	assert_output --partial "test.list:3: bad parameter '=1'"
	assert_output --partial "test.list:4: unterminated '\"'"
	[ ! -e "$OUT" ]
}

@test "an overlong name or parameter string is an error" {
	list "$(printf 'a%.0s' $(seq 200))"
	gen
	assert_failure 1
	assert_output --partial "test.list:1: module name is 200 bytes, longer than 127"
	list "dummy p=$(printf 'v%.0s' $(seq 1100))"
	gen
	assert_failure 1
	assert_output --partial "test.list:1: parameters of 'dummy' exceed 1023 bytes"
}

@test "a module file missing from the tree is an error naming the module" {
	tree=$(fixture_tree gen-missing kernel/crypto/xor.ko kernel/net/802/stp.ko kernel/net/llc/llc.ko)
	rm "$tree/kernel/net/llc/llc.ko"
	list stp
	gen "$tree"
	assert_failure 1
	assert_output --partial "module stp: dependency file $tree/kernel/net/llc/llc.ko: No such file or directory"
	[ ! -e "$OUT" ]
}

@test "a tree without modules.dep is refused with the command to run" {
	tree=$(fixture_tree gen-nodep kernel/crypto/xor.ko)
	rm "$tree/modules.dep"
	list xor
	gen "$tree"
	assert_failure 1
	assert_output --partial "$tree/modules.dep: ENOENT; run depmod on the tree first"
}

@test "a modules.dep older than a module file is refused as stale" {
	tree=$(fixture_tree gen-stale kernel/crypto/xor.ko)
	touch -d '+1 hour' "$tree/kernel/crypto/xor.ko"
	list xor
	gen "$tree"
	assert_failure 1
	assert_output --partial "$tree/modules.dep: stale: $tree/kernel/crypto/xor.ko is newer"
}

@test "a tree without modules.dep.bin, the index libkmod reads, is refused with the command to run" {
	tree=$(fixture_tree gen-nodepbin kernel/crypto/xor.ko)
	rm "$tree/modules.dep.bin"
	list xor
	gen "$tree"
	assert_failure 1
	assert_output --partial "$tree/modules.dep.bin: ENOENT; run depmod on the tree first"
	[ ! -e "$OUT" ]
}

@test "a modules.dep.bin older than a module file is stale, even beside a newer modules.dep" {
	tree=$(fixture_tree gen-stale-bin kernel/crypto/xor.ko)
	touch -d '+1 hour' "$tree/kernel/crypto/xor.ko"
	touch -d '+2 hours' "$tree/modules.dep"
	list xor
	gen "$tree"
	assert_failure 1
	assert_output --partial "$tree/modules.dep.bin: stale: $tree/kernel/crypto/xor.ko is newer"
	[ ! -e "$OUT" ]
}

@test "a compressed module is refused when the kernel config cannot decompress it" {
	tree=$(fixture_tree gen-xz kernel/crypto/xor.ko)
	xz --check=crc32 "$tree/kernel/crypto/xor.ko"
	depmod -b "${tree%/lib/modules/*}" "$(kernel_release)"
	list xor
	gen "$tree"
	assert_failure 1
	assert_output --partial "module xor: kernel/crypto/xor.ko.xz is xz-compressed but $KCONFIG lacks CONFIG_MODULE_DECOMPRESS=y"
	printf 'CONFIG_MODULE_DECOMPRESS=y\nCONFIG_MODULE_COMPRESS_XZ=y\n' >"$BATS_TEST_TMPDIR/config"
	run "$GEN" -k "$BATS_TEST_TMPDIR/config" -o "$OUT" "$LIST" "$tree"
	assert_success
	[ "$(field xor compression)" = "ML_COMP_XZ," ]
}

@test "a module file that is an absolute link is pinned as the image resolves it, not the host" {
	tree=$(fixture_tree gen-abslink kernel/crypto/xor.ko)
	root=${tree%/lib/modules/*}
	file=$(module_file "$tree" kernel/crypto/xor.ko)
	target=$BATS_TEST_TMPDIR/module.ko
	# The same absolute path holds xor.ko in the image and another module on the host.
	install -D -m 0644 "$file" "$root$target"
	cp "$(module_file "$MODDIR" kernel/drivers/net/dummy.ko)" "$target"
	ln -sf "$target" "$file"
	touch -h -d '-1 hour' "$file"
	list xor
	gen "$tree"
	assert_success
	pins xor "$root$target"
}

@test "an index that is an absolute link is refused, never read through the build host's paths" {
	tree=$(fixture_tree gen-absindex kernel/crypto/xor.ko)
	root=${tree%/lib/modules/*}
	# The same absolute path holds the image's modules.builtin in the image and, on the host, one
	# that lists xor: read from the host, xor would be taken for built in and never loaded.
	host=$BATS_TEST_TMPDIR/modules.builtin
	install -D -m 0644 "$tree/modules.builtin" "$root$host"
	echo kernel/crypto/xor.ko >"$host"
	ln -sf "$host" "$tree/modules.builtin"
	list xor
	gen "$tree"
	assert_failure 1
	assert_output --partial "$tree/modules.builtin: a symbolic link; the generator would read it through the build host's paths, not the image's (depmod writes each index as a regular file)"
	[ ! -e "$OUT" ]
}

@test "a modules tree reached through a link out of the image is refused" {
	tree=$(fixture_tree gen-outside kernel/crypto/xor.ko)
	image=$BATS_TEST_TMPDIR/image
	mkdir -p "$image"
	ln -s "${tree%/lib/modules/*}/lib" "$image/lib"
	list xor
	gen "$image/lib/modules/$(kernel_release)"
	assert_failure 1
	assert_output --partial "$image/lib/modules/$(kernel_release): inside the image root $image, lib/modules/$(kernel_release) is ENOENT: a symbolic link leads out of the image"
	[ ! -e "$OUT" ]
	run "$GEN" -k "$KCONFIG" --root "${tree%/lib/modules/*}" -o "$OUT" "$LIST" "$tree"
	assert_success
}

@test "a module whose vermagic is not the tree's release is an error naming both" {
	tree=$(fixture_tree gen-vermagic kernel/crypto/xor.ko)
	root=${tree%/lib/modules/*}
	mv "$tree" "$root/lib/modules/6.0.0-0-other"
	depmod -b "$root" 6.0.0-0-other
	list xor
	gen "$root/lib/modules/6.0.0-0-other"
	assert_failure 1
	assert_output --partial "module xor: vermagic \"$(kernel_release)\" is not the release \"6.0.0-0-other\" (the name of MODULES_DIR)"
	[ ! -e "$OUT" ]
}

@test "a softdep missing from the table is a warning naming the line, the module and what to add" {
	list xor xt_LOG act_mpls
	gen
	assert_success
	assert_output --partial "test.list:2: warning: module xt_LOG has softdep pre: nf_log_syslog, which is not in the table and cannot load after the latch; add the line 'nf_log_syslog' ('?nf_log_syslog' if it may find no device)"
	assert_output --partial "test.list:3: warning: module act_mpls has softdep post: mpls_gso, which is not in the table"
}

@test "a softdep of a pulled-in dependency names the listed module that pulled it in" {
	list xor nf_tables
	gen
	assert_success
	assert_output --partial "test.list:2: warning: module libcrc32c (pulled in by nf_tables) has softdep pre: crc32c_intel, which is not in the table"
}

@test "--strict makes softdep warnings errors, and nothing is written" {
	list xt_LOG
	run "$GEN" --strict -k "$KCONFIG" -o "$OUT" "$LIST" "$MODDIR"
	assert_failure 1
	assert_output --partial "test.list:1: warning: module xt_LOG has softdep pre: nf_log_syslog"
	assert_output --partial "test.list: 1 warning(s), errors under --strict"
	[ ! -e "$OUT" ]
	list xt_LOG nf_log_syslog
	run "$GEN" --strict -k "$KCONFIG" -o "$OUT" "$LIST" "$MODDIR"
	assert_success
	refute_output --partial "warning"
}

@test "a pre: softdep in the table loads before its user, one level below, and is not needed" {
	list libcrc32c '?crc32c_intel'
	gen
	assert_success
	[ "$(names)" = "crc32c_intel libcrc32c " ]
	[ "$(field libcrc32c ndeps)" = "0," ]
	[ "$(field libcrc32c nafter)" = "1," ]
	[ "$(waits libcrc32c)" = "0 " ]
}

@test "a weakdep missing from the table is a warning too" {
	tree=$(fixture_tree gen-weakdep kernel/net/netfilter/xt_LOG.ko kernel/net/netfilter/x_tables.ko kernel/net/netfilter/nf_log_syslog.ko)
	file=$(module_file "$tree" kernel/net/netfilter/xt_LOG.ko)
	case "$file" in *.xz) xz -d "$file" && file=${file%.xz} ;; esac
	# Turn xt_LOG's softdep into a weakdep of the same length, then index again.
	perl -pi -e 's/softdep=pre: nf_log_syslog/weakdep=nf_log_syslog\0\0\0\0\0/' "$file"
	depmod -b "${tree%/lib/modules/*}" "$(kernel_release)"
	list xt_LOG
	gen "$tree"
	assert_success
	assert_output --partial "test.list:1: warning: module xt_LOG has weakdep nf_log_syslog, which is not in the table"
	refute_output --partial "softdep"
	list xt_LOG nf_log_syslog
	gen "$tree"
	assert_success
	refute_output --partial "warning"
}

@test "the same inputs give the same bytes, wherever they are read from" {
	list br_netfilter xor fs-overlay '?missing'
	gen
	cp "$OUT" "$BATS_TEST_TMPDIR/first.c"
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	cp "$LIST" "$BATS_TEST_TMPDIR/elsewhere/test.list"
	(cd "$BATS_TEST_TMPDIR/elsewhere" && "$GEN" -k "$KCONFIG" -o second.c test.list "$MODDIR/")
	cmp "$BATS_TEST_TMPDIR/first.c" "$BATS_TEST_TMPDIR/elsewhere/second.c"
	run grep -q "$MODDIR\|$BATS_TEST_TMPDIR" "$OUT"
	assert_failure
}

@test "the shipped lists resolve against Debian's cloud kernel" {
	for l in "$REPO"/etc/*.list; do
		run "$GEN" -k "$KCONFIG" -o "$OUT" "$l" "$MODDIR"
		assert_success
	done
}

@test "--help prints the usage and the list grammar with an example, and exits 0" {
	run "$GEN" --help
	assert_success
	assert_line --partial 'usage: modlatch-gen'
	assert_line 'A list has one entry per line:  [?][!]name [param[=value] ...]'
	assert_line '  !bonding mode=802.3ad miimon=100'
}
