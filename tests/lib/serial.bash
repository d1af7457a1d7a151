# SPDX-License-Identifier: MIT
# What a boot left in its serial log, read for the assertions: modlatch's report lines, the
# guest's CHECK lines, and the table they are compared with. Part of the fixture library
# (tests/lib/fixture.bash); needs image.bash (fixture_print) for the table.

# The lines modlatch wrote to the console itself (not the kernel's echo of /dev/kmsg).
modlatch_lines() { tr -d '\r' <"$FIXTURES/$1/serial.log" | grep '^modlatch: '; }
# The marker lines a guest script printed as "CHECK key=value", without "CHECK ".
check_lines() { tr -d '\r' <"$FIXTURES/$1/serial.log" | sed -n 's/^CHECK //p'; }
# The summary line's value for key.
summary_field() { modlatch_lines "$1" | sed -n "s/^modlatch: summary .*\\<$2=\\([^ ]*\\).*/\\1/p"; }
# assert_step NAME STEP: a workload guest reported "CHECK step=STEP ok"; if not, the message is
# what it reported instead (the tool's own error).
assert_step() {
	local line
	line=$(check_lines "$1" | grep "^step=$2 ")
	[ "$line" = "step=$2 ok" ] && return 0
	echo "${line:-step=$2 was never reported}; see $FIXTURES/$1/serial.log" >&2
	return 1
}
# The table's modules that must be in /proc/modules, sorted and comma-separated: neither built
# in nor absent, nor optional and reported failed (crc32c_intel on a CPU without SSE4.2).
table_loaded() {
	local skipped
	skipped=$(modlatch_lines "$1" |
		sed -n 's/^modlatch: module=\([^ ]*\) result=optional-failed .*/\1/p')
	# "/" stands for none: no module name matches it.
	fixture_print "$1" | grep -v -E 'flags=[^ ]*(builtin|absent)' |
		sed -n 's/^[0-9]* name=\([^ ]*\).*/\1/p' | grep -vxF -e "${skipped:-/}" |
		LC_ALL=C sort | paste -sd, -
}
# Module names in the order modlatch reports them loaded.
loaded_order() { modlatch_lines "$1" | sed -n 's/^modlatch: module=\([^ ]*\) result=loaded.*/\1/p'; }
# Module names of the table in table order.
table_order() { fixture_print "$1" | sed -n 's/^[0-9]* name=\([^ ]*\).*/\1/p'; }
