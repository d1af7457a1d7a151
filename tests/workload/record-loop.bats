#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The loop a user follows when the appliance needs modules its list lacks: a router list without
# wireguard and without its IPv6 filter (ip6table_filter, and the tcp match, xt_tcpudp), built
# with AFTER_LATCH=record. After the latch the WireGuard step and the IPv6 port rule fail; the
# kernel log names what was asked for, by the kernel and by ip6tables-legacy itself (it runs
# kernel.modprobe for ip6_tables, which a record build answers); modlatch-gen --requests turns
# the saved log into list lines, and the image is rebuilt with them. Each round can only show
# what the last one let the tools reach (ip6tables asks for its table once ip6_tables is in, and
# for the tcp match once the table is), so the loop goes on until nothing is refused: it must
# end within four rounds with both steps passing (it takes three: wireguard and ip6_tables, then
# ip6table_filter and ip6t_tcp, which xt_tcpudp answers, then nothing).

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

WORKLOAD=$REPO/tests/workload/guest/record-loop.sh
MAX_ROUNDS=4

# loop_boot NAME LIST: builds with AFTER_LATCH=record and boots the workload root.
loop_boot() {
	QEMU_MEM=1024 fixture_workload "$1" "$2" "$WORKLOAD" AFTER_LATCH=record
}

# round N: the fixture name of round N.
round() { [ "$1" -eq 1 ] && echo record-loop || echo "record-loop-$1"; }

setup_file() {
	build_generator || return 1
	local n=1 name list
	mkdir -p "$FIXTURES/record-loop"
	grep -v -x -e wireguard -e ip6table_filter -e xt_tcpudp "$REPO/etc/router.list" \
		>"$FIXTURES/record-loop/without.list"
	list=$FIXTURES/record-loop/without.list
	while :; do
		name=$(round "$n")
		loop_boot "$name" "$list" || return 1
		check_lines "$name" | grep -qx 'refused=' && break
		[ "$n" -lt "$MAX_ROUNDS" ] || break
		# The serial console is the saved kernel log here; modlatch-gen reads the lines it knows.
		"$GEN" --requests "$FIXTURES/$name/serial.log" "$(kernel_modules_dir)" \
			>"$FIXTURES/$name/found.list" 2>"$FIXTURES/$name/requests.err"
		echo $? >"$FIXTURES/$name/requests.rc"
		n=$((n + 1))
		mkdir -p "$FIXTURES/$(round "$n")"
		cat "$list" "$FIXTURES/$name/found.list" >"$FIXTURES/$(round "$n")/with.list"
		list=$FIXTURES/$(round "$n")/with.list
	done
	echo "$n" >"$FIXTURES/record-loop/rounds"
	echo "# $RUN record-loop: $n round(s)" >&3
}

last() { round "$(cat "$FIXTURES/record-loop/rounds")"; }

@test "$RUN: the list without wireguard and the IPv6 filter builds, and both steps fail with the tools' errors" {
	grep -q -x wireguard "$REPO/etc/router.list"
	grep -q -x ip6table_filter "$REPO/etc/router.list"
	run check_lines record-loop
	assert_line "step=wireguard-link failed: Error: Unknown device type."
	assert_line --regexp '^step=ip6-port-rule failed: .+'
}

@test "$RUN: the record names the kernel's request and ip6tables-legacy's own, in the file and in the kernel log" {
	run check_lines record-loop
	assert_line --regexp '^refused=(.*,)?rtnl-link-wireguard,'
	# ip6_tables is no name the kernel asks for: libxtables ran kernel.modprobe with it.
	assert_line --regexp '^refused=(.*,)?ip6_tables,'
	# A line per name, however often it is asked: ip6tables-legacy asks more than once
	# (libxtables tries to load ip6_tables at more than one point).
	run grep -c "modlatch: refused module=rtnl-link-wireguard after latch" \
		"$FIXTURES/record-loop/serial.log"
	assert_output 1
	run grep -c "modlatch: refused module=ip6_tables after latch" "$FIXTURES/record-loop/serial.log"
	assert_output 1
}

@test "$RUN: modlatch-gen --requests turns the saved log into the missing list lines" {
	assert_equal "$(cat "$FIXTURES/record-loop/requests.rc")" 0
	run cat "$FIXTURES/record-loop/found.list"
	assert_line --regexp '^wireguard[[:space:]]+#.*rtnl-link-wireguard'
	assert_line --regexp '^ip6_tables([[:space:]]|$)'
}

@test "$RUN: the loop ends within four rounds: both steps pass and nothing is refused" {
	local name
	name=$(last)
	run check_lines "$name"
	assert_line "step=wireguard-link ok"
	assert_line "step=ip6-port-rule ok"
	assert_line "refused="
	assert_line "done"
	run fixture_print "$name"
	for module in wireguard ip6_tables ip6table_filter xt_tcpudp; do
		assert_line --regexp "^[0-9]+ name=$module "
	done
}

@test "$RUN: each round but the last was refused something new, so each rebuild was needed" {
	local n rounds
	rounds=$(cat "$FIXTURES/record-loop/rounds")
	[ "$rounds" -ge 2 ]
	for ((n = 1; n < rounds; n++)); do
		run check_lines "$(round "$n")"
		refute_line 'refused='
		run grep -cv '^#' "$FIXTURES/$(round "$n")/found.list"
		refute_output 0
	done
}
