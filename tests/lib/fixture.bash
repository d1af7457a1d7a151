# The one fixture builder of the test suite: build modlatch for a kernel and a list, assemble an
# initramfs around it, boot it in QEMU (TCG) and keep the serial log. Load it from bats with
# `load lib/fixture`. Each fixture lives in build/fixtures/NAME, left there for reading after a run.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FIXTURES=$REPO/build/fixtures
KERNEL_FLAVOUR=${KERNEL_FLAVOUR:-cloud-amd64}

kernel_modules_dir() { sh "$REPO/tests/lib/kernel.sh" modules-dir "$KERNEL_FLAVOUR"; }
kernel_vmlinuz() { sh "$REPO/tests/lib/kernel.sh" vmlinuz "$KERNEL_FLAVOUR"; }
kernel_release() { sh "$REPO/tests/lib/kernel.sh" release "$KERNEL_FLAVOUR"; }

# fixture_build NAME LIST [MAKE_VAR=VALUE ...]: builds modlatch into $FIXTURES/NAME/build.
fixture_build() {
	local name=$1 list=$2
	shift 2
	mkdir -p "$FIXTURES/$name"
	make -s -C "$REPO" B="$FIXTURES/$name/build" LIST="$list" \
		MODULES_DIR="$(kernel_modules_dir)" "$@" "$FIXTURES/$name/build/modlatch" \
		>"$FIXTURES/$name/build.log" 2>&1 || {
		cat "$FIXTURES/$name/build.log" >&2
		return 1
	}
}

# fixture_rootfs NAME SUPERVISOR_SCRIPT [EXTRA_MODULE_PATH ...]: lays out $FIXTURES/NAME/rootfs
# with modlatch as /init, BusyBox, every module file of the table, the extra module files
# (relative to the modules tree) and the script as /sbin/supervisor.
fixture_rootfs() {
	local name=$1 script=$2
	shift 2
	local root=$FIXTURES/$name/rootfs moddir release
	moddir=$(kernel_modules_dir)
	release=$(kernel_release)
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,lib/modules/"$release"}
	install -m 0755 "$FIXTURES/$name/build/modlatch" "$root/init"
	install -m 0755 /bin/busybox "$root/bin/busybox"
	local applet
	for applet in $(/bin/busybox --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	install -m 0755 "$script" "$root/sbin/supervisor"
	local rel
	for rel in $("$root/init" --print | sed -n 's/.* path=\([^ ]*\).*/\1/p') "$@"; do
		install -D -m 0644 "$moddir/$rel" "$root/lib/modules/$release/$rel"
	done
}

# fixture_initramfs NAME: packs the rootfs into $FIXTURES/NAME/initramfs.cpio.
fixture_initramfs() {
	local name=$1
	(cd "$FIXTURES/$name/rootfs" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$FIXTURES/$name/initramfs.cpio"
}

# fixture_boot NAME [QEMU_ARG ...]: boots the initramfs and waits for the guest to power off;
# the serial console lands in $FIXTURES/NAME/serial.log. Fails if the guest does not stop.
fixture_boot() {
	local name=$1
	shift
	local dir=$FIXTURES/$name
	rm -f "$dir/serial.log"
	# QEMU must not inherit bats' descriptors 3 and 4, or the run hangs.
	timeout "${BOOT_TIMEOUT:-240}" qemu-system-x86_64 -accel tcg -cpu max -m 512 -smp 1 \
		-display none -monitor none -no-reboot -serial "file:$dir/serial.log" \
		-kernel "$(kernel_vmlinuz)" -initrd "$dir/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 loglevel=4 ${BOOT_APPEND:-}" "$@" \
		</dev/null >"$dir/qemu.log" 2>&1 3>&- 4>&-
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "qemu exited with $rc; serial log:" >&2
		cat "$dir/serial.log" >&2
		return 1
	fi
}

# fixture NAME LIST SCRIPT [MAKE_VAR=VALUE ...] -- [EXTRA_MODULE ...]: all four steps.
fixture() {
	local name=$1 list=$2 script=$3
	shift 3
	local vars=() extras=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	extras=("$@")
	fixture_build "$name" "$list" "${vars[@]}" &&
		fixture_rootfs "$name" "$script" "${extras[@]}" &&
		fixture_initramfs "$name" &&
		fixture_boot "$name"
}

# The lines modlatch wrote to the console itself (not the kernel's echo of /dev/kmsg).
modlatch_lines() { tr -d '\r' <"$FIXTURES/$1/serial.log" | grep '^modlatch: '; }
# The marker lines a supervisor script printed: "CHECK key=value".
check_lines() { tr -d '\r' <"$FIXTURES/$1/serial.log" | sed -n 's/^CHECK //p'; }

# fixture_tree NAME REL_PATH...: a small modules tree in $FIXTURES/NAME/tree holding copies of
# the real kernel's given module files and its modules.builtin, with depmod run on it. Prints
# its <root>/lib/modules/<release>. Tests that damage a tree damage this copy.
fixture_tree() {
	local name=$1
	shift
	local src release dst rel
	src=$(kernel_modules_dir)
	release=$(kernel_release)
	dst=$FIXTURES/$name/tree/lib/modules/$release
	rm -rf "$FIXTURES/$name/tree"
	mkdir -p "$dst"
	cp "$src/modules.builtin" "$src/modules.builtin.modinfo" "$src/modules.order" "$dst/"
	for rel in "$@"; do
		install -D -m 0644 "$src/$rel" "$dst/$rel"
	done
	depmod -b "$FIXTURES/$name/tree" "$release"
	echo "$dst"
}
