# The one fixture builder of the test suite: build modlatch for a kernel and a list, lay out an
# initramfs around it, boot it in QEMU (TCG) and keep the serial log. Load it from bats with
# `load ../lib/fixture` (or `load lib/fixture`). Every fixture lives in
# build/fixtures/KERNEL/NAME and is left there to read after a run.
#
# Knobs (environment):
#   KERNEL       Debian suite of the kernel under test: bookworm (6.1) or trixie (6.12)
#   TABLE_KERNEL suite of the kernel the table is built for (default: KERNEL)
#   TREE         modules tree to build the table from (default: TABLE_KERNEL's)
#   BOOT_KERNEL  suite of the kernel that boots (default: KERNEL)
#   QEMU_CPU     QEMU CPU model (default: max)
#   QEMU_SMP     virtual CPUs (default: 1); fixtures of a run with QEMU_SMP=2 live apart
#   BOOT_APPEND  extra kernel command line

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KERNEL=${KERNEL:-bookworm}
FIXTURES=$REPO/build/fixtures/$KERNEL${QEMU_SMP:+-smp$QEMU_SMP}
# How test names say which kernel and how many CPUs they ran on.
RUN="$KERNEL${QEMU_SMP:+ smp$QEMU_SMP}"
GUEST=$REPO/tests/boot/guest
# A module no table lists: the guest tries to insmod it after the latch.
OUTSIDER=kernel/drivers/net/nlmon.ko

kernel_info() { sh "$REPO/tests/lib/kernel.sh" "$1" "${2:-$KERNEL}"; }
kernel_modules_dir() { kernel_info modules-dir "$@"; }
kernel_release() { kernel_info release "$@"; }

# The file of a module of the tree, whatever its compression: kernel/x/y.ko -> kernel/x/y.ko.xz
module_file() {
	local tree=$1 rel=$2 f
	for f in "$tree/$rel" "$tree/$rel".{xz,gz,zst}; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	echo "module_file: no $rel in $tree" >&2
	return 1
}

# fixture_build NAME LIST [MAKE_VAR=VALUE ...]: builds modlatch into $FIXTURES/NAME/build.
fixture_build() {
	local name=$1 list=$2
	shift 2
	local table_kernel=${TABLE_KERNEL:-$KERNEL}
	local tree=${TREE:-$(kernel_modules_dir "$table_kernel")}
	local kconfig
	kconfig=$(kernel_info config "$table_kernel")
	mkdir -p "$FIXTURES/$name"
	echo "$tree" >"$FIXTURES/$name/tree-path"
	make -s -C "$REPO" B="$FIXTURES/$name/build" LIST="$list" MODULES_DIR="$tree" \
		KCONFIG="$kconfig" SUPERVISOR=/sbin/supervisor "$@" "$FIXTURES/$name/build/modlatch" \
		>"$FIXTURES/$name/build.log" 2>&1 || {
		cat "$FIXTURES/$name/build.log" >&2
		return 1
	}
}

# fixture_rootfs NAME [SUPERVISOR_SCRIPT]: lays out $FIXTURES/NAME/rootfs: modlatch as /init,
# BusyBox, every module file of the table (from the tree it was built from), the outsider
# module uncompressed at /lib/modules/outsider.ko, and the supervisor script as
# /sbin/supervisor (default: the generic guest checks).
fixture_rootfs() {
	local name=$1 script=${2:-$GUEST/supervisor.sh}
	local root=$FIXTURES/$name/rootfs tree release applet rel
	tree=$(cat "$FIXTURES/$name/tree-path")
	release=$("$FIXTURES/$name/build/modlatch" --print | sed -n 's/^kernel //p')
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,etc,mnt,lib/modules/"$release"}
	install -m 0755 "$FIXTURES/$name/build/modlatch" "$root/init"
	install -m 0755 /bin/busybox "$root/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
	install -m 0755 "$script" "$root/sbin/supervisor"
	for rel in $("$root/init" --print | sed -n 's/.* path=\([^ ]*\).*/\1/p'); do
		install -D -m 0644 "$tree/$rel" "$root/lib/modules/$release/$rel"
	done
	local outsider
	outsider=$(module_file "$(kernel_modules_dir "${BOOT_KERNEL:-$KERNEL}")" "$OUTSIDER")
	case "$outsider" in
	*.xz) xz -dc "$outsider" >"$root/lib/modules/outsider.ko" ;;
	*) cp "$outsider" "$root/lib/modules/outsider.ko" ;;
	esac
}

# fixture_initramfs NAME: packs the rootfs into $FIXTURES/NAME/initramfs.cpio.
fixture_initramfs() {
	local name=$1
	(cd "$FIXTURES/$name/rootfs" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$FIXTURES/$name/initramfs.cpio"
}

# fixture_boot NAME [QEMU_ARG ...]: boots the initramfs and waits for the guest to stop (power
# off or reboot; -no-reboot turns both into QEMU's exit). The serial console lands in
# $FIXTURES/NAME/serial.log. Fails if the guest does not stop within BOOT_TIMEOUT seconds.
fixture_boot() {
	local name=$1
	shift
	local dir=$FIXTURES/$name vmlinuz
	vmlinuz=$(kernel_info vmlinuz "${BOOT_KERNEL:-$KERNEL}")
	rm -f "$dir/serial.log"
	# loglevel=2: the kernel echoes none of modlatch's /dev/kmsg lines (crit and below) to the
	# console, where with two vCPUs the echo could land inside modlatch's own console line.
	# QEMU must not inherit bats' descriptors 3 and 4, or the run hangs.
	timeout "${BOOT_TIMEOUT:-240}" qemu-system-x86_64 -accel tcg -cpu "${QEMU_CPU:-max}" \
		-m 512 -smp "${QEMU_SMP:-1}" -display none -monitor none -no-reboot \
		-serial "file:$dir/serial.log" -kernel "$vmlinuz" -initrd "$dir/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 loglevel=2 ${BOOT_APPEND:-}" "$@" \
		</dev/null >"$dir/qemu.log" 2>&1 3>&- 4>&-
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "qemu exited with $rc; serial log:" >&2
		cat "$dir/serial.log" >&2
		return 1
	fi
}

# fixture NAME LIST [MAKE_VAR=VALUE ...]: build, lay out, pack and boot with the generic checks.
fixture() {
	local name=$1 list=$2
	shift 2
	fixture_build "$name" "$list" "$@" &&
		fixture_rootfs "$name" &&
		fixture_initramfs "$name" &&
		fixture_boot "$name"
}

# The lines modlatch wrote to the console itself (not the kernel's echo of /dev/kmsg).
modlatch_lines() { tr -d '\r' <"$FIXTURES/$1/serial.log" | grep '^modlatch: '; }
# The marker lines a guest script printed as "CHECK key=value", without "CHECK ".
check_lines() { tr -d '\r' <"$FIXTURES/$1/serial.log" | sed -n 's/^CHECK //p'; }
# The summary line's value for key.
summary_field() { modlatch_lines "$1" | sed -n "s/^modlatch: summary .*\\<$2=\\([^ ]*\\).*/\\1/p"; }
# Module names in the order modlatch reports them loaded.
loaded_order() { modlatch_lines "$1" | sed -n 's/^modlatch: module=\([^ ]*\) result=loaded.*/\1/p'; }
# Module names of the table in table order.
table_order() { "$FIXTURES/$1/build/modlatch" --print | sed -n 's/^[0-9]* name=\([^ ]*\).*/\1/p'; }

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

# other_kernel: the suite of the other kernel under test.
other_kernel() { [ "$KERNEL" = bookworm ] && echo trixie || echo bookworm; }

# flip_byte FILE OFFSET: changes one byte of FILE in place.
flip_byte() {
	local byte
	byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the byte
	printf "\\$(printf %o $((byte ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# fixture_overlay NAME: copies rootfs-overlay/ into the rootfs.
fixture_overlay() {
	cp -a "$REPO/rootfs-overlay/." "$FIXTURES/$1/rootfs/"
}

# fixture_programs NAME PROGRAM...: copies host programs and the shared libraries they need
# (by ldd) into the rootfs at the same paths.
fixture_programs() {
	local root=$FIXTURES/$1/rootfs program lib
	shift
	for program in "$@"; do
		install -D -m 0755 "$program" "$root$program"
		for lib in $(ldd "$program" | grep -o '/[^ ]*'); do
			[ -e "$root$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
		done
	done
}

# fixture_guest_tool NAME SRC: builds a static helper from SRC into the rootfs as /sbin/NAME.
fixture_guest_tool() {
	musl-gcc -static -Os -s -Wall -Wextra -o "$FIXTURES/$1/rootfs/sbin/$2" "$3"
}
