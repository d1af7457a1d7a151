# SPDX-License-Identifier: MIT
# The kernel under test and its modules tree, and the generator that reads it. Part of the fixture
# library (tests/lib/fixture.bash, whose header lists every knob); the host suites that only run
# the generator or read a kernel's files load this part alone (`load lib/kernel`). Knobs read
# here: KERNEL, GUEST_ARCH, QEMU_SMP (in the fixtures' folder and the test names).

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KERNEL=${KERNEL:-bookworm}
GUEST_ARCH=${GUEST_ARCH:-amd64}
case "$GUEST_ARCH" in
amd64) ARCH_TAG="" ;;
arm64) ARCH_TAG=arm64 ;;
*) echo "fixture: GUEST_ARCH='$GUEST_ARCH': expected amd64 or arm64" >&2 && return 1 ;;
esac
FIXTURES=$REPO/build/fixtures/$KERNEL${ARCH_TAG:+-$ARCH_TAG}${QEMU_SMP:+-smp$QEMU_SMP}
# How test names say which kernel, architecture and how many CPUs they ran on.
RUN="$KERNEL${ARCH_TAG:+ $ARCH_TAG}${QEMU_SMP:+ smp$QEMU_SMP}"

# The generator, for the suites that run it on the host; each builds it once in setup_file.
GEN=$REPO/build/modlatch-gen
# B (the build directory of `make check`) is not the fixtures': they always build in build/.
build_generator() { make -s -C "$REPO" B=build build/modlatch-gen; }

kernel_info() { sh "$REPO/scripts/kernel.sh" "$1" "${2:-$KERNEL}" "${3:-$GUEST_ARCH}"; }
kernel_modules_dir() { kernel_info modules-dir "$@"; }
kernel_release() { kernel_info release "$@"; }

# other_kernel: the suite of the other kernel under test.
other_kernel() { [ "$KERNEL" = bookworm ] && echo trixie || echo bookworm; }

# The file of a module of the tree, whatever its compression: kernel/x/y.ko -> kernel/x/y.ko.xz
module_file() {
	local tree=$1 rel=$2 f
	for f in "$tree/$rel" "$tree/$rel".{xz,gz,zst}; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	echo "module_file: no $rel in $tree" >&2
	return 1
}

# fixture_tree NAME REL_PATH...: a small modules tree in $FIXTURES/NAME/tree holding copies of
# the kernel's given module files (each in whatever compression the kernel ships) and its
# modules.builtin, indexed by depmod. Prints its <root>/lib/modules/<release>. Tests that
# damage a tree damage this copy.
fixture_tree() {
	local name=$1
	shift
	local src release dst rel file
	src=$(kernel_modules_dir)
	release=$(kernel_release)
	dst=$FIXTURES/$name/tree/lib/modules/$release
	rm -rf "$FIXTURES/$name/tree"
	mkdir -p "$dst"
	cp "$src/modules.builtin" "$src/modules.builtin.modinfo" "$src/modules.order" "$dst/"
	for rel in "$@"; do
		file=$(module_file "$src" "$rel") || return 1
		install -D -m 0644 "$file" "$dst/${file#"$src"/}"
	done
	depmod -b "$FIXTURES/$name/tree" "$release"
	echo "$dst"
}
