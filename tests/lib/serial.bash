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
# "NAME START END" for each module the report shows through finit_module: when the call began and
# returned, in microseconds on CLOCK_MONOTONIC (finit_start_us, plus finit_us).
finit_spans() {
	modlatch_lines "$1" |
		sed -n 's/^modlatch: module=\([^ ]*\) result=\(loaded\|already\) .* finit_us=\([0-9]*\) finit_start_us=\([0-9]*\)$/\1 \4 \3/p' |
		awk '{ print $1, $2, $2 + $3 }'
}
# Each "NEEDER NEEDED" pair of the table (needs=, then after= for a pre: softdep), one a line.
waits_of() {
	fixture_print "$1" | awk '$2 ~ /^name=/ {
		for (i = 3; i <= NF; i++)
			if ($i ~ /^(needs|after)=/) {
				n = split(substr($i, index($i, "=") + 1), d, ",")
				for (k = 1; k <= n; k++) print substr($2, 6), d[k]
			}
	}'
}
# Prints each "NEEDER NEEDED" pair whose finit_module calls did not follow each other: the needer
# started before what it waits for had returned. Nothing when every pair did.
finit_out_of_order() {
	awk 'NR == FNR { start[$1] = $2; end[$1] = $3; next }
		($1 in start) && ($2 in end) && start[$1] < end[$2] { print $1, $2 }' \
		<(finit_spans "$1") <(waits_of "$1")
}
# Prints every pair of modules among NAMES... (all when none) whose finit_module calls overlapped
# with another's, as "A B"; nothing when none did.
finit_overlaps() {
	local fixture=$1
	shift
	finit_spans "$fixture" | awk -v names="$*" '
		BEGIN { n = split(names, w, " "); for (i = 1; i <= n; i++) watched[w[i]] = 1 }
		{ name[NR] = $1; start[NR] = $2; end[NR] = $3 }
		END {
			for (i = 1; i <= NR; i++)
				for (j = 1; j <= NR; j++)
					if (i != j && (n == 0 || name[i] in watched) && (n > 0 || i < j) &&
					    start[i] < end[j] && start[j] < end[i])
						print name[i], name[j]
		}'
}
