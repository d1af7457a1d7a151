#!/bin/sh
# SPDX-License-Identifier: MIT
# Prints a copy of Debian's musl-gcc.specs (SPECS) that can also link a static PIE, with its
# paths rewritten by the sed expressions that follow, if any (scripts/cross.sh points them at
# the unpacked musl of another architecture).
# Debian's file knows only -static and dynamic programs: given -static-pie, gcc would start the
# program with Scrt1.o and give it musl's dynamic loader as interpreter, a program that cannot
# run where there is no loader, such as an initramfs. With -static-pie this file starts it with
# musl's rcrt1.o, which relocates the program itself, and links it with no interpreter.
#
#   musl-specs.sh SPECS [SED_EXPRESSION...]
set -eu

specs=${1:-}
[ $# -gt 0 ] && shift
[ -n "$specs" ] || {
	echo "musl-specs.sh: no musl-gcc specs file given: is musl-tools installed (musl-gcc)?" >&2
	exit 1
}
[ -r "$specs" ] || {
	echo "musl-specs.sh: cannot read '$specs'" >&2
	exit 1
}
if ! grep -q 'Scrt1\.o' "$specs" || ! grep -q '^-dynamic-linker ' "$specs"; then
	echo "musl-specs.sh: '$specs' is not a musl-gcc specs file as this script knows it" >&2
	exit 1
fi
set -- -e 's|%{!shared: \([^ ]*\)/Scrt1\.o}|%{static-pie:\1/rcrt1.o;!shared:\1/Scrt1.o}|' \
	-e 's|^-dynamic-linker \([^ ]*\) |%{!static-pie:-dynamic-linker \1} %{static-pie:-static -pie --no-dynamic-linker -z text} |' \
	"$@"
sed "$@" "$specs"
