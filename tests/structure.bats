#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The tree's shape, kept: two programs and the contract they share, and boot steps that do not
# lean on each other. Read from the object files, so a call through any header counts.

bats_load_library bats-support
bats_load_library bats-assert

setup_file() {
	export REPO=$BATS_TEST_DIRNAME/..
	export OBJ=$BATS_FILE_TMPDIR/obj
	mkdir -p "$OBJ"
	# Every optional part compiled in, so that no call hides behind a build choice.
	make -s -C "$REPO" B="$OBJ" HANDOFF=reaper AFTER_LATCH=record ALSO_LATCH=all LOAD=parallel \
		ON_FOREIGN_MODULE=halt KILL_OTHERS=yes "$OBJ/config.h" >/dev/null
	local kmod_cflags
	read -ra kmod_cflags < <(pkg-config --cflags libkmod)
	for dir in init common gen; do
		mkdir -p "$OBJ/$dir"
		for c in "$REPO/$dir"/*.c; do
			cc -std=c11 -D_GNU_SOURCE -I"$REPO/$dir" -I"$REPO/common" -I"$OBJ" \
				"${kmod_cflags[@]}" -c "$c" -o "$OBJ/$dir/$(basename "$c" .c).o"
		done
	done
}

# "caller callee" for every symbol a file in $1 uses that another file in $1 defines.
calls_within() {
	local dir=$OBJ/$1
	nm --defined-only -g "$dir"/*.o | awk '/\.o:$/ { f = $0; sub(/:$/, "", f); next }
		NF == 3 { print $3, f }' | sort >"$BATS_TEST_TMPDIR/defined"
	for o in "$dir"/*.o; do
		nm -u "$o" | awk -v f="$o" '{ print $2, f }'
	done | sort | join - "$BATS_TEST_TMPDIR/defined" | awk '$2 != $3 { print $2, $3 }' |
		sed "s|$dir/||g; s|\.o||g" | sort -u
}

@test "no two files of the shim call each other" {
	calls_within init >"$BATS_TEST_TMPDIR/calls"
	# The calls exist at all: the check reads something.
	grep -qx 'load entry' "$BATS_TEST_TMPDIR/calls"
	grep -qx 'main policy' "$BATS_TEST_TMPDIR/calls"
	grep -qx 'handoff reaper' "$BATS_TEST_TMPDIR/calls"
	run awk '{ seen[$1 " " $2] = 1 } END { for (k in seen) { split(k, p, " ");
		if ((p[2] " " p[1]) in seen && p[1] < p[2]) print p[1] " <-> " p[2] } }' \
		"$BATS_TEST_TMPDIR/calls"
	assert_success
	assert_output ""
}

@test "the contract calls neither program, and the generator calls nothing of the shim" {
	run calls_within common
	assert_success
	for o in "$OBJ"/common/*.o; do
		for sym in $(nm -u "$o" | awk '{ print $2 }'); do
			if nm --defined-only -g "$OBJ"/init/*.o "$OBJ"/gen/*.o |
				awk -v s="$sym" '$3 == s { found = 1 } END { exit !found }'; then
				echo "common/$(basename "$o" .o).c uses $sym from a program"
				return 1
			fi
		done
	done
	run grep -l '#include "\(boot\|log\|fmt\|kernel\|config\|request\)\.h"' "$REPO"/gen/*.[ch] \
		"$REPO"/common/*.[ch]
	assert_failure
	assert_output ""
}

@test "the shim is built from init/ and common/ only: no generator header is in its reach" {
	run make -s -C "$REPO" -pn B="$OBJ" "$OBJ/config.h"
	assert_line --regexp '^TARGET_CPPFLAGS := .*-Icommon -Iinit'
	refute_line --regexp '^TARGET_CPPFLAGS := .*-I(gen|src)\b'
}
