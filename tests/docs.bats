#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The documentation keeps up with the code. Every option the programs print or parse is in their
# man page; every key of the report is in modlatch(8) and doc/report.md; every Makefile variable is
# in doc/build.md; the man pages name the version and the license and make install puts them in
# place; every page carries its SPDX tag, and every link between the pages leads to a file.

bats_load_library bats-support
bats_load_library bats-assert
load lib/fixture

PLAIN=$BATS_FILE_TMPDIR/plain
RECORD=$BATS_FILE_TMPDIR/record

setup_file() {
	local moddir
	moddir=$(kernel_modules_dir)
	make -s -C "$REPO" B="$PLAIN" MODULES_DIR="$moddir" "$PLAIN/modlatch" "$PLAIN/modlatch-gen"
	make -s -C "$REPO" B="$RECORD" MODULES_DIR="$moddir" AFTER_LATCH=record "$RECORD/modlatch"
}

# The text of a man page as a reader sees it, on lines long enough that no option is broken.
page() { mandoc -T ascii -O width=400 "$REPO/man/$1" | sed 's/.\x08//g'; }

# The options in a usage text: words that start with one or two dashes and a letter.
options_in() { grep -oE -- '(^|[][ ,|(])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[^-]+//' | sort -u; }

# The options a C source parses: getopt_long's tables (long and short form), and the words it
# compares argv with.
options_parsed() {
	sed -nE "s/.*\\{ *\"([a-z-]+)\", *[a-z]+_argument, *NULL, *'(.)' *\\}.*/--\\1\\n-\\2/p" "$@"
	grep -ohE 'strcmp\(argv\[[0-9]+\], "-[^"]*"\)' "$@" | sed -E 's/.*"(-[^"]*)".*/\1/'
}

# The keys of the key=value fields a C source formats.
keys_formatted() { cat "$@" | grep -oE '(^|[^%a-z_])[a-z_]+=%' | sed -E 's/^[^a-z_]//; s/%$//' | sort -u; }

# Prints each WORD that TEXT does not hold as a word of its own (a key, "name=", as a word's start).
missing_in() {
	local text=$1 word end
	shift
	for word in "$@"; do
		end='([^A-Za-z0-9_-]|$)'
		[ "${word%=}" = "$word" ] || end=''
		grep -qE -- "(^|[^A-Za-z0-9_-])$word$end" <<<"$text" || echo "$word"
	done
}

@test "every option modlatch-gen --help prints is in modlatch-gen(1)" {
	run "$PLAIN/modlatch-gen" --help
	assert_success
	# shellcheck disable=SC2046 # one word per option
	assert_equal "$(missing_in "$(page modlatch-gen.1)" $(options_in <<<"$output"))" ""
}

@test "every option and command gen/ parses, long and short, is in modlatch-gen(1)" {
	local parsed
	parsed=$(options_parsed "$REPO"/gen/*.c | sort -u)
	[ -n "$parsed" ]
	# shellcheck disable=SC2086 # one word per option
	assert_equal "$(missing_in "$(page modlatch-gen.1)" $parsed)" ""
}

@test "every option modlatch --help prints, in a default and a record build, is in modlatch(8)" {
	run "$PLAIN/modlatch" --help
	assert_success
	local printed=$output
	run "$RECORD/modlatch" --help
	assert_success
	assert_output --partial '-q -- NAME'
	# shellcheck disable=SC2046 # one word per option
	assert_equal "$(missing_in "$(page modlatch.8)" $(options_in <<<"$printed
$output"))" ""
}

@test "every option the shim compares its arguments with is in modlatch(8)" {
	local parsed
	parsed=$(options_parsed "$REPO"/init/command.c "$REPO"/common/request_name.c | sort -u)
	[ -n "$parsed" ]
	# shellcheck disable=SC2086 # one word per option
	assert_equal "$(missing_in "$(page modlatch.8)" $parsed)" ""
}

@test "every key the shim writes is in modlatch(8), and every report key in doc/report.md" {
	local all report f sources=()
	all=$(keys_formatted "$REPO"/init/*.c)
	# command.c's keys are those of --print, not of the report.
	for f in "$REPO"/init/*.c; do [ "${f##*/}" = command.c ] || sources+=("$f"); done
	report=$(keys_formatted "${sources[@]}")
	[ -n "$report" ]
	# shellcheck disable=SC2086 # one word per key
	assert_equal "$(missing_in "$(page modlatch.8)" $all)" ""
	# shellcheck disable=SC2086
	assert_equal "$(missing_in "$(cat "$REPO/doc/report.md")" $report)" ""
}

@test "every variable the Makefile lets you set is in doc/build.md" {
	local vars
	vars=$(sed -nE 's/^([A-Z][A-Z0-9_]*) \?=.*/\1/p' "$REPO/Makefile" "$REPO/tests/fuzz/fuzz.mk")
	[ -n "$vars" ]
	# shellcheck disable=SC2086 # one word per variable
	assert_equal "$(missing_in "$(cat "$REPO/doc/build.md")" $vars)" ""
}

@test "every variable init/mkconfig.sh turns into config.h is in modlatch(8)" {
	local vars
	vars=$(grep -oE '[$][{]?[A-Z][A-Z0-9_]+' "$REPO/init/mkconfig.sh" | sed -E 's/^[$][{]?//' | sort -u |
		grep -vxE 'IFS|VERSION')
	[ -n "$vars" ]
	# shellcheck disable=SC2086 # one word per variable
	assert_equal "$(missing_in "$(page modlatch.8)" $vars)" ""
}

# The settings modlatch-update-initramfs takes (its SETTINGS), one per line.
update_settings() {
	# shellcheck disable=SC1003 # a quote and a backslash, deleted
	sed -n '/^SETTINGS="/,/"$/p' "$REPO/scripts/update-initramfs.sh" | tr -d '"\\' |
		sed 's/^SETTINGS=//' | tr ' ' '\n' | grep .
}

@test "every setting of modlatch.conf is a Makefile variable, in modlatch.conf(5) and in the shipped file" {
	local settings makevars
	settings=$(update_settings)
	[ "$(wc -l <<<"$settings")" -gt 20 ]
	makevars=$(sed -nE 's/^([A-Z][A-Z0-9_]*) \?=.*/\1/p' "$REPO/Makefile")
	# shellcheck disable=SC2086 # one word per setting
	assert_equal "$(missing_in "$makevars" $settings)" ""
	# shellcheck disable=SC2086
	assert_equal "$(missing_in "$(page modlatch.conf.5)" $settings)" ""
	# Each as a commented line of the shipped file, to uncomment.
	# shellcheck disable=SC2086
	assert_equal "$(missing_in "$(sed -n 's/^#\([A-Z0-9_]*\)=.*/\1/p' "$REPO/etc/modlatch.conf")" $settings)" ""
}

@test "every option of modlatch-update-initramfs is in its man page" {
	local spec
	spec=$(sed -n 's/^while getopts \([a-z:]*\) option; do$/\1/p' "$REPO/scripts/update-initramfs.sh")
	[ -n "$spec" ]
	# shellcheck disable=SC2046 # one word per option
	assert_equal "$(missing_in "$(page modlatch-update-initramfs.8)" $(tr -d : <<<"$spec" | sed 's/./-& /g'))" ""
}

@test "each man page names the Makefile's version and the MIT license" {
	local version page
	version=$(sed -n 's/^VERSION := //p' "$REPO/Makefile")
	for page in modlatch.8 modlatch-gen.1 modlatch.list.5 modlatch-update-initramfs.8 modlatch.conf.5; do
		grep -q "^\\.TH .*\"modlatch $version\"" "$REPO/man/$page" || fail "$page: not version $version"
		page "$page" | grep -q 'MIT license' || fail "$page: no license"
	done
}

@test "make install puts the three man pages under DESTDIR, in MANDIR's sections" {
	local dest=$BATS_TEST_TMPDIR/dest page
	run make -s -C "$REPO" B="$PLAIN" MODULES_DIR="$(kernel_modules_dir)" DESTDIR="$dest" \
		PREFIX=/usr install
	assert_success
	for page in man1/modlatch-gen.1 man5/modlatch.list.5 man8/modlatch.8; do
		cmp "$REPO/man/${page#*/}" "$dest/usr/share/man/$page"
	done
	run make -s -C "$REPO" B="$PLAIN" MODULES_DIR="$(kernel_modules_dir)" DESTDIR="$dest" \
		MANDIR=/opt/man install
	assert_success
	[ -f "$dest/opt/man/man8/modlatch.8" ]
}

@test "every page of the documentation names its license (SPDX)" {
	local missing
	missing=$(cd "$REPO" && for f in README.md doc/*.md man/*; do
		head -n 3 "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"
	done)
	assert_equal "$missing" ""
}

@test "every link between the pages leads to a file" {
	local file target broken=""
	for file in "$REPO"/README.md "$REPO"/doc/*.md; do
		while read -r target; do
			[ -e "$(dirname "$file")/$target" ] || broken="$broken ${file#"$REPO"/}:$target"
		done < <(grep -oE '\]\([^)#]+' "$file" | sed 's/^](//' | grep -vE '^[a-z]+:')
	done
	assert_equal "$broken" ""
}
