#!/bin/sh
# SPDX-License-Identifier: MIT
# verity.sh IMAGE OUT_IMAGE OUT_PARAMS: pins a root filesystem image for VERITY=.
#
# Writes OUT_IMAGE, a copy of IMAGE followed by its dm-verity hash tree (Debian's veritysetup,
# package cryptsetup-bin, with no superblock: the build pins every parameter, so the disk need not
# carry them), and OUT_PARAMS, the lines modlatch's build reads (init/mkconfig.sh): the root hash,
# the salt, the block sizes, the data block count and where the tree starts. Write OUT_IMAGE to
# the root device (or partition) as it is. The salt is random unless VERITY_SALT gives one (hex),
# for a build that must be reproducible. Nothing is left half-written: both files appear whole
# or not at all.
set -eu

[ $# -eq 3 ] || {
	echo "usage: verity.sh IMAGE OUT_IMAGE OUT_PARAMS" >&2
	exit 2
}
image=$1 out=$2 params=$3
block=4096

die() {
	echo "verity: $*" >&2
	rm -f "$out.tmp" "$params.tmp"
	exit 1
}

command -v veritysetup >/dev/null || die "no veritysetup: install Debian's cryptsetup-bin"
[ -f "$image" ] || die "$image: no such file"
size=$(stat -L -c %s "$image")
if [ "$size" -eq 0 ] || [ $((size % block)) -ne 0 ]; then
	die "$image: $size bytes, not a whole number of $block-byte blocks (pad it, or make it with a $block-byte block size)"
fi
blocks=$((size / block))

cp "$image" "$out.tmp"
set -- --no-superblock --data-block-size=$block --hash-block-size=$block \
	--data-blocks="$blocks" --hash-offset="$size" --hash=sha256
[ -z "${VERITY_SALT:-}" ] || set -- "$@" --salt="$VERITY_SALT"
report=$(veritysetup format "$@" "$out.tmp" "$out.tmp") || die "veritysetup format failed on $image"

field() { printf '%s\n' "$report" | sed -n "s/^$1:[[:space:]]*//p"; }
root_hash=$(field 'Root hash')
salt=$(field 'Salt')
if [ -z "$root_hash" ] || [ -z "$salt" ]; then
	die "veritysetup said no root hash or salt: $report"
fi
{
	echo "# scripts/verity.sh $image: $blocks data blocks, the hash tree after them"
	echo "VERITY_ROOT_HASH=$root_hash"
	echo "VERITY_SALT=$salt"
	echo "VERITY_ALGORITHM=sha256"
	echo "VERITY_DATA_BLOCKS=$blocks"
	echo "VERITY_DATA_BLOCK_SIZE=$block"
	echo "VERITY_HASH_BLOCK_SIZE=$block"
	echo "VERITY_HASH_START=$blocks"
} >"$params.tmp"
mv "$out.tmp" "$out"
mv "$params.tmp" "$params"
