# SPDX-License-Identifier: MIT
# The one fixture builder of the test suite: build modlatch for a kernel and a list, lay out an
# initramfs around it, boot it in QEMU (TCG) and keep the serial log. Load it from bats with
# `load ../lib/fixture` (or `load lib/fixture`). Every fixture lives in
# build/fixtures/KERNEL/NAME and is left there to read after a run.
#
# It is the entry point of four parts, loaded in this order:
#   kernel.bash  the kernel under test, its modules tree, the generator; the host suites that
#                need nothing else load it alone (`load lib/kernel`)
#   image.bash   modlatch built for a fixture, its rootfs, packed as an initramfs (make
#                initramfs) or a disk
#   serial.bash  the serial log read back: modlatch's report lines, the guest's CHECK lines
#   boot.bash    QEMU, and `fixture`, which builds, lays out, packs and boots in one call
#
# Knobs (environment):
#   KERNEL       Debian suite of the kernel under test: bookworm (6.1) or trixie (6.12)
#                (default: bookworm)
#   TABLE_KERNEL suite of the kernel the table is built for (default: KERNEL)
#   TREE         modules tree to build the table from (default: TABLE_KERNEL's)
#   BOOT_KERNEL  suite of the kernel that boots (default: KERNEL)
#   VMLINUZ      kernel image that boots (default: BOOT_KERNEL's; a Debian root's own /boot)
#   QEMU_CPU     QEMU CPU model (default: max; on arm64 max,pauth-impdef=on)
#   QEMU_SMP     virtual CPUs (default: 1); fixtures of a run with QEMU_SMP=2 live apart
#   QEMU_MEM     guest memory in MiB (default: 512)
#   BOOT_APPEND  extra kernel command line
#   INITRD       initramfs that fixture_boot boots (default: the fixture's initramfs.cpio)
#   BOOT_TIMEOUT seconds a boot may take before it fails (default: 240)
#   GUEST_ARCH   Debian architecture of the guest: amd64 (default) or arm64, for which the shim
#                is cross-built (CROSS=aarch64) and QEMU emulates the virt machine
#   MODLATCH_CACHE  where scripts/kernel.sh, cross.sh and guestroot.sh keep what they fetch
#                (default: $XDG_CACHE_HOME/modlatch, or ~/.cache/modlatch)
# make's B is not one of them: the fixtures are always in build/fixtures of this checkout and
# the host suites run its build/modlatch-gen.

# shellcheck source=tests/lib/kernel.bash
source "$(dirname "${BASH_SOURCE[0]}")/kernel.bash" || return 1
# shellcheck source=tests/lib/image.bash
source "$(dirname "${BASH_SOURCE[0]}")/image.bash"
# shellcheck source=tests/lib/serial.bash
source "$(dirname "${BASH_SOURCE[0]}")/serial.bash"
# shellcheck source=tests/lib/boot.bash
source "$(dirname "${BASH_SOURCE[0]}")/boot.bash"
