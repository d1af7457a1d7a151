#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make demo: builds modlatch with etc/demo.list for Debian's 6.1 cloud kernel, packs it with
# make initramfs, boots it in QEMU (TCG) and prints what happened. As root it installs what is
# missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
sh scripts/deps.sh
sh scripts/kernel.sh fetch bookworm
export KERNEL=bookworm
# shellcheck source=tests/lib/fixture.bash
source tests/lib/fixture.bash

echo "demo: building modlatch for $(kernel_release) with etc/demo.list" >&2
fixture_build demo etc/demo.list
fixture_rootfs demo "$GUEST/demo.sh"
# As a user packs it: make initramfs, with BusyBox and the demo's supervisor as the overlay.
echo "demo: packing it with make initramfs (the demo's own files as INITRAMFS_OVERLAY)" >&2
fixture_initramfs demo INITRAMFS_COMPRESSION=gzip
echo "demo: booting it in QEMU (TCG)" >&2
INITRD=$FIXTURES/demo/build/initramfs.cpio.gz fixture_boot demo

echo
echo "The kernel started modlatch as PID 1. Before anything else ran, it loaded the table,"
echo "latched module loading and exec'd the supervisor:"
echo
modlatch_lines demo | sed 's/^/  /'
tr -d '\r' <"$FIXTURES/demo/serial.log" | sed -n 's/^DEMO \{0,1\}/  /p'
echo
echo "Initramfs: $FIXTURES/demo/build/initramfs.cpio.gz"
echo "Serial log: $FIXTURES/demo/serial.log"
