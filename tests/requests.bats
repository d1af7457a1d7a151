#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# modlatch-gen --requests: list lines for the module requests the shim refused after the latch
# (AFTER_LATCH=record), read from /run/modlatch/refused or from a kernel log, resolved in Debian's
# real trees as modprobe would resolve them. The names are untrusted: whoever makes the kernel ask
# chooses them.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/kernel

setup_file() {
	build_generator
}

setup() {
	MODDIR=$(kernel_modules_dir bookworm)
	IN=$BATS_TEST_TMPDIR/refused
}

names() { printf '%s\n' "$@" >"$IN"; }
requests() { run --separate-stderr "$GEN" --requests "${1:-$IN}" "${2:-$MODDIR}"; }
# The output without its comment lines.
entries() { grep -v '^ *#' <<<"$output"; }

@test "each module that answers a request is a list line naming the requests, in first-seen order" {
	names fs-xfs net-pf-38 rtnl-link-wireguard char-major-10-200 nft-chain-2-nat fs-xfs \
		ipt_MASQUERADE devname:net/tun
	requests
	assert_success
	[ "$stderr" = "" ]
	assert_line --index 0 "# 7 module request(s) refused after the latch, resolved in $(basename "$MODDIR")."
	[ "$(entries)" = "$(printf '%s\n' \
		'xfs            # answers request fs-xfs' \
		'af_alg         # answers request net-pf-38' \
		'wireguard      # answers request rtnl-link-wireguard' \
		'tun            # answers requests char-major-10-200 devname:net/tun' \
		'nft_chain_nat  # answers request nft-chain-2-nat' \
		'xt_MASQUERADE  # answers request ipt_MASQUERADE')" ]
}

@test "6.12's tree answers the same requests with the same modules" {
	names fs-xfs net-pf-38 rtnl-link-wireguard char-major-10-200 nft-chain-2-nat ipt_MASQUERADE
	requests "$IN" "$(kernel_modules_dir trixie)"
	assert_success
	[ "$(entries | cut -d' ' -f1 | tr '\n' ' ')" = "xfs af_alg wireguard tun nft_chain_nat xt_MASQUERADE " ]
}

@test "'-' and '_' are the same in a name, as for modprobe; each spelling is named" {
	names sch-cake sch_cake
	requests
	assert_success
	assert_line 'sch_cake  # answers requests sch-cake sch_cake'
}

@test "a request answered by a built-in module is a comment: nothing to add" {
	names crypto-hmac net-pf-10
	requests
	assert_success
	[ "$(entries)" = "" ]
	assert_line '# built in, nothing to add: hmac answers request crypto-hmac'
	assert_line '# built in, nothing to add: ipv6 answers request net-pf-10'
}

@test "a request no module answers is named with its file and line, also as a comment, status 3" {
	# nf_tables asks for the family's expression first, then the generic one; 6.1 has only that.
	names nft-expr-2-masq nft-expr-masq 'crypto-hmac(sha256)'
	requests
	assert_failure 3
	assert_line 'nft_masq  # answers request nft-expr-masq'
	assert_line '# no module answers requests nft-expr-2-masq crypto-hmac(sha256)'
	[ "$stderr" = "$(printf '%s\n' \
		"$IN:1: no module answers request 'nft-expr-2-masq' in $MODDIR" \
		"$IN:3: no module answers request 'crypto-hmac(sha256)' in $MODDIR")" ]
}

@test "a kernel log: only the refused lines count, whatever comes before modlatch:" {
	printf '%s\n' \
		'[    0.000000] Linux version 6.1.0-56-cloud-amd64 (debian-kernel@lists.debian.org)' \
		'[   12.345678] modlatch: refused module=fs-xfs after latch' \
		'<4>modlatch: refused module=net-pf-38 after latch' \
		'<4>[   13.000001] modlatch: refused module=fs-xfs after latch' \
		'Nov 28 01:02:03 appliance kernel: modlatch: refused module=rtnl-link-wireguard after latch' \
		'[   14.100000][  T123] modlatch: refused module=crypto-hmac after latch' \
		'[   15.000000] modlatch: refused a module request after latch: the name has a character no kernel request has; nothing recorded' \
		'[   16.000000] modlatch: summary loaded=5 already=0 latched=yes' >"$IN"
	requests
	assert_success
	[ "$stderr" = "$IN:7: note: a request refused without its name" ]
	[ "$(entries)" = "$(printf '%s\n' \
		'xfs        # answers request fs-xfs' \
		'af_alg     # answers request net-pf-38' \
		'wireguard  # answers request rtnl-link-wireguard')" ]
	assert_line '# built in, nothing to add: hmac answers request crypto-hmac'
}

@test "a serial console's log on stdin, CRLF line ends and all; errors name its lines as <stdin>" {
	run --separate-stderr "$GEN" --requests - "$MODDIR" < <(printf '%s\r\n' \
		'[    2.1] modlatch: exec /sbin/supervisor' \
		'[   12.3] modlatch: refused module=tun after latch' \
		'[   12.4] modlatch: refused module=no-such-thing after latch')
	assert_failure 3
	assert_line 'tun  # answers request tun'
	[ "$stderr" = "<stdin>:3: no module answers request 'no-such-thing' in $MODDIR" ]
}

@test "the lines it prints are a list the generator takes, wrapped comments included" {
	names crypto-aes rtnl-link-wireguard net-pf-10
	for model in $(seq 10 17); do echo "cpu:type:x86,ven0000fam0006mod00$model:feature:,0099," >>"$IN"; done
	requests
	assert_success
	assert_line --index 3 --regexp '^aesni_intel  # answers requests crypto-aes cpu:type:x86,'
	assert_line --index 4 --regexp '^             # cpu:type:x86,'
	[ "$(awk 'length > 100' <<<"$output")" = "" ]
	echo "$output" >"$BATS_TEST_TMPDIR/learned.list"
	run "$GEN" -o "$BATS_TEST_TMPDIR/table.c" "$BATS_TEST_TMPDIR/learned.list" "$MODDIR"
	assert_success
	# The entries listed for their own sake (the rest are their dependencies).
	[ "$(awk '$1 == ".name" { name = $5 } $1 == ".pulled_by" && $3 == "ML_LISTED," { print name }' \
		"$BATS_TEST_TMPDIR/table.c" | tr '\n' ' ')" = '"aesni_intel" "wireguard" ' ]
}

@test "a name is looked up as text: shell syntax in it runs nothing" {
	names "\$(touch\${IFS}$BATS_TEST_TMPDIR/ran)" "\`touch\${IFS}$BATS_TEST_TMPDIR/ran\`" ";reboot"
	requests
	assert_failure 3
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
	[ "$(entries)" = "" ]
}

@test "a name no request can have is bad input named by file and line, and nothing is printed" {
	printf '%s\n' fs-xfs 'rtnl-link-a b' "$(printf 'tab\there')" "$(printf 'esc\033[2J')" \
		"$(printf 'n%.0s' $(seq 63))" "$(printf 'n%.0s' $(seq 64))" "$(printf 'crypto-caf\xc3\xa9')" >"$IN"
	printf 'nul\0byte\n' >>"$IN"
	requests
	assert_failure 1
	assert_output ''
	[ "$stderr" = "$(printf '%s\n' \
		"$IN:2: the name has a character no kernel request has" \
		"$IN:3: the name has a character no kernel request has" \
		"$IN:4: the name has a character no kernel request has" \
		"$IN:6: the name is longer than a kernel request can be" \
		"$IN:7: the name has a character no kernel request has" \
		"$IN:8: NUL byte in the name" \
		"$IN: no line carries 'modlatch: refused ', so every line was read as a request name; a kernel log without such lines shows no refused request")" ]
}

@test "in a log, a refused line must end as the shim writes it, with a good name" {
	printf '%s\n' 'modlatch: refused module=fs-xfs after latch' \
		'modlatch: refused module=fs-xfs after latch, twice' \
		'modlatch: refused module= after latch' \
		'modlatch: refused module=rtnl-link-a b after latch' >"$IN"
	requests
	assert_failure 1
	assert_output ''
	[ "$stderr" = "$(printf '%s\n' \
		"$IN:2: expected 'modlatch: refused module=NAME after latch' to end the line" \
		"$IN:3: the name is empty" \
		"$IN:4: the name has a character no kernel request has")" ]
}

@test "a log with only an unnamed refusal is a log, with nothing to add" {
	printf '%s\n' '[    0.000000] Linux version 6.1.0-56-cloud-amd64' \
		'<4>modlatch: refused a module request after latch: the name is empty; nothing recorded' >"$IN"
	requests
	assert_success
	assert_output '# No module request was refused by name after the latch.'
	[ "$stderr" = "$IN:2: note: a request refused without its name" ]
}

@test "a log with no refused line is read as names, and the error says why" {
	printf '%s\n' '[    0.000000] Linux version 6.1.0-56-cloud-amd64' >"$IN"
	requests
	assert_failure 1
	[[ "$stderr" == "$IN:1: the name has a character no kernel request has"* ]]
	[[ "$stderr" == *"a kernel log without such lines shows no refused request" ]]
}

@test "an empty file means nothing was refused" {
	: >"$IN"
	requests
	assert_success
	assert_output '# No module request was refused by name after the latch.'
}

@test "a file it cannot read, or a tree without modules.dep, is named with the errno" {
	requests "$BATS_TEST_TMPDIR/nothing"
	assert_failure 1
	assert_output ''
	[ "$stderr" = "$BATS_TEST_TMPDIR/nothing: cannot open: ENOENT" ]
	requests "$BATS_TEST_TMPDIR"
	assert_failure 1
	[ "$stderr" = "$BATS_TEST_TMPDIR: cannot read: EISDIR" ]
	names fs-xfs
	mkdir "$BATS_TEST_TMPDIR/tree"
	requests "$IN" "$BATS_TEST_TMPDIR/tree"
	assert_failure 1
	assert_output ''
	[ "$stderr" = "$BATS_TEST_TMPDIR/tree/modules.dep: ENOENT; run depmod on the tree first (see modlatch-gen(1))" ]
}

@test "usage errors exit 2, and the usage names the command" {
	run "$GEN" --requests "$IN"
	assert_failure 2
	assert_output --partial 'usage: modlatch-gen --requests FILE MODULES_DIR'
	run "$GEN" --requests -x "$IN" "$MODDIR"
	assert_failure 2
	run "$GEN" -h
	assert_line --partial 'modlatch-gen --requests FILE MODULES_DIR'
	names fs-xfs
	run "$GEN" --requests -- "$IN" "$MODDIR"
	assert_success
}
