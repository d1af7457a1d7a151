#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The console shows every report line once. modlatch writes each line to /dev/kmsg, and the
# kernel prints a kmsg line on the console itself when its level is below console_loglevel;
# modlatch writes to the console only the lines the kernel will not print there. Two boots of
# the demo list: at the kernel's default loglevel (7) the kernel prints every line, with its
# timestamp; with "quiet" (loglevel 4) it prints none of these info and notice lines, and
# modlatch writes them. The other boot tests run at loglevel 2, where modlatch writes them all.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture

setup_file() {
	BOOT_APPEND=loglevel=7 fixture console "$REPO/etc/demo.list" || return 1
	cp "$FIXTURES/console/serial.log" "$FIXTURES/console/serial-loud.log"
	BOOT_APPEND=quiet fixture_boot console
}

# Report lines as the kernel prints them ("[   2.345678] modlatch: ...").
kernel_printed() { tr -d '\r' <"$FIXTURES/console/$1" | grep -E '^\[ *[0-9]+\.[0-9]+\] modlatch: '; }
# Report lines as modlatch writes them.
self_written() { tr -d '\r' <"$FIXTURES/console/$1" | grep '^modlatch: '; }

@test "[$RUN] at loglevel 7 the kernel prints each line, and modlatch does not print it again" {
	run kernel_printed serial-loud.log
	assert_line --regexp '\] modlatch: summary loaded=5 .* latched=yes '
	assert_line --regexp '\] modlatch: module=bridge result=loaded '
	[ "$(self_written serial-loud.log | wc -l)" -eq 0 ]
}

@test "[$RUN] with quiet the kernel prints none of them, and modlatch writes each once" {
	run self_written serial.log
	assert_line --regexp '^modlatch: summary loaded=5 .* latched=yes '
	[ "$(self_written serial.log | wc -l)" -ge 7 ]
	[ "$(kernel_printed serial.log | wc -l)" -eq 0 ]
	# The same report either way: one line each.
	[ "$(self_written serial.log | wc -l)" -eq "$(kernel_printed serial-loud.log | wc -l)" ]
}
