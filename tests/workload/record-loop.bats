#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The loop a user follows when the appliance needs a module its list lacks: a router list
# without wireguard, built with AFTER_LATCH=record; the WireGuard step fails after the latch, the
# kernel log names the request, modlatch-gen --requests turns the saved log into the missing list
# line, and the image rebuilt from the completed list passes.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

WORKLOAD=$REPO/tests/workload/guest/record-loop.sh

# loop_boot NAME LIST: builds with AFTER_LATCH=record and boots the workload root.
loop_boot() {
	QEMU_MEM=1024 fixture_workload "$1" "$2" "$WORKLOAD" AFTER_LATCH=record
}

setup_file() {
	build_generator || return 1
	mkdir -p "$FIXTURES/record-loop"
	grep -v '^wireguard$' "$REPO/etc/router.list" >"$FIXTURES/record-loop/without.list"
	loop_boot record-loop "$FIXTURES/record-loop/without.list" || return 1
	# The serial console is the saved kernel log here; modlatch-gen reads the lines it knows.
	"$GEN" --requests "$FIXTURES/record-loop/serial.log" "$(kernel_modules_dir)" \
		>"$FIXTURES/record-loop/found.list" 2>"$FIXTURES/record-loop/requests.err"
	echo $? >"$FIXTURES/record-loop/requests.rc"
	mkdir -p "$FIXTURES/record-loop-fixed"
	cat "$FIXTURES/record-loop/without.list" "$FIXTURES/record-loop/found.list" \
		>"$FIXTURES/record-loop-fixed/with.list"
	loop_boot record-loop-fixed "$FIXTURES/record-loop-fixed/with.list"
}

@test "$RUN: the list without wireguard builds, and its workload step fails with iproute2's error" {
	grep -q '^wireguard$' "$REPO/etc/router.list"
	run check_lines record-loop
	assert_line "step=wireguard-link failed: Error: Unknown device type."
}

@test "$RUN: the record names the request, in the file and in the kernel log" {
	run check_lines record-loop
	assert_line "refused=rtnl-link-wireguard,"
	run grep -c 'modlatch: refused module=rtnl-link-wireguard after latch' \
		"$FIXTURES/record-loop/serial.log"
	assert_output 1
}

@test "$RUN: modlatch-gen --requests turns the saved log into the missing list line" {
	assert_equal "$(cat "$FIXTURES/record-loop/requests.rc")" 0
	run cat "$FIXTURES/record-loop/found.list"
	assert_line --regexp '^wireguard[[:space:]]+#.*rtnl-link-wireguard'
	run grep -cv '^#' "$FIXTURES/record-loop/found.list"
	assert_output 1
}

@test "$RUN: the image rebuilt from the completed list passes the step, and nothing is refused" {
	run check_lines record-loop-fixed
	assert_line "step=wireguard-link ok"
	assert_line "refused="
	assert_line "done"
	run fixture_print record-loop-fixed
	assert_line --regexp '^[0-9]+ name=wireguard '
}
