#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The Buildroot package (buildroot/package/modlatch) without Buildroot: a small makefile defines
# the Buildroot variables modlatch.mk uses, includes modlatch.mk and runs its build, install
# and image-check commands, so the commands tested are the package's own. The target is this
# machine (musl-gcc), the kernel Debian's 6.1, and TARGET_DIR a fake one holding the kernel's
# modules tree as the kernel's install step leaves it: no modules.dep and the like.

bats_load_library bats-support
bats_load_library bats-assert
load lib/kernel

# What depmod writes; the kernel's install step writes none of it.
DEPMOD_OUTPUT='modules.dep* modules.alias* modules.symbols* modules.builtin.bin
	modules.builtin.alias.bin modules.devname modules.softdep modules.weakdep'

# target_dir DIR: a fake TARGET_DIR with the kernel's modules and BusyBox's /sbin/init link.
target_dir() {
	local dir=$1 tree f
	tree=$(kernel_modules_dir bookworm)
	mkdir -p "$dir/lib/modules" "$dir/bin" "$dir/sbin"
	cp -a "$tree" "$dir/lib/modules/"
	for f in $DEPMOD_OUTPUT; do
		# shellcheck disable=SC2086 # the names are patterns
		rm -f "$dir/lib/modules/$RELEASE"/$f
	done
	echo 'BusyBox stand-in' >"$dir/bin/busybox"
	chmod 0755 "$dir/bin/busybox"
	ln -s ../bin/busybox "$dir/sbin/init"
}

# source_dir DIR: the project as Buildroot's local site method copies it, without build/.
source_dir() {
	mkdir -p "$1"
	tar -C "$REPO" --exclude=./build --exclude=./.git -cf - . | tar -C "$1" -xf -
}

# package TARGET... [VARIABLE=VALUE ...]: runs modlatch.mk's commands with the settings in
# $CONFIG (by default the shared build's).
package() {
	run make -f "$BATS_FILE_TMPDIR/buildroot.mk" CONFIG="${CONFIG:-$BATS_FILE_TMPDIR/config.mk}" "$@"
}

# config FILE PKGDIR TARGET_DIR [LINE ...]: Buildroot's paths and the .config lines given.
config() {
	local file=$1 pkgdir=$2 target=$3
	shift 3
	{
		echo "BR2_EXTERNAL_MODLATCH_PATH = $REPO/buildroot"
		echo "MODLATCH_DIR = $pkgdir"
		echo "TARGET_DIR = $target"
		echo "HOST_DIR = $BATS_FILE_TMPDIR/host"
		echo "LINUX_DIR = $BATS_FILE_TMPDIR/linux"
		echo "LINUX_VERSION_PROBED = $RELEASE"
		echo 'BR2_PACKAGE_MODLATCH=y'
		printf '%s\n' "$@"
	} >"$file"
}

setup_file() {
	RELEASE=$(kernel_release bookworm)
	export RELEASE
	# The host tools Buildroot would have built: depmod from host-kmod, the kernel's .config.
	mkdir -p "$BATS_FILE_TMPDIR/host/sbin" "$BATS_FILE_TMPDIR/linux"
	ln -s "$(command -v depmod || echo /usr/sbin/depmod)" "$BATS_FILE_TMPDIR/host/sbin/depmod"
	cp "$(kernel_info config bookworm)" "$BATS_FILE_TMPDIR/linux/.config"
	# A heredoc without tab stripping: the recipes need their tabs.
	cat >"$BATS_FILE_TMPDIR/buildroot.mk" <<'EOF'
# Buildroot's variables that modlatch.mk uses, valued for a target that is this machine.
include $(CONFIG)
qstrip = $(strip $(subst ",,$(1)))
generic-package =
INSTALL = install
HOST_MAKE_ENV =
TARGET_CC = musl-gcc
TARGET_CFLAGS = -Os
HOSTCC = cc
HOST_CFLAGS = -O2
PKG_CONFIG_HOST_BINARY = pkg-config
include $(BR2_EXTERNAL_MODLATCH_PATH)/package/modlatch/modlatch.mk
.PHONY: $(MODLATCH_DIR)/build $(MODLATCH_DIR)/install check
$(MODLATCH_DIR)/build:
	$(MODLATCH_BUILD_CMDS)
$(MODLATCH_DIR)/install:
	$(MODLATCH_INSTALL_TARGET_CMDS)
check:
	$(MODLATCH_CHECK_IMAGE)
EOF

	# One build for most tests: a disk image with modlatch as /sbin/init and BusyBox init.
	PKG=$BATS_FILE_TMPDIR/modlatch
	TARGET=$BATS_FILE_TMPDIR/target
	export PKG TARGET
	source_dir "$PKG"
	target_dir "$TARGET"
	(cd "$TARGET" && find . -printf '%p %s %T@\n' | sort) >"$BATS_FILE_TMPDIR/target-before"
	# shellcheck disable=SC2016 # $(...) is for make, as Kconfig's default writes it
	config "$BATS_FILE_TMPDIR/config.mk" "$PKG" "$TARGET" \
		'BR2_PACKAGE_MODLATCH_LIST="$(BR2_EXTERNAL_MODLATCH_PATH)/../etc/demo.list"' \
		'BR2_PACKAGE_MODLATCH_INSTALL_SBIN_INIT=y' \
		'BR2_PACKAGE_MODLATCH_SUPERVISOR_BUSYBOX_INIT=y' \
		'BR2_PACKAGE_MODLATCH_AUDIT_FATAL=y' \
		'BR2_PACKAGE_BUSYBOX=y'
	make -f "$BATS_FILE_TMPDIR/buildroot.mk" CONFIG="$BATS_FILE_TMPDIR/config.mk" "$PKG/build" \
		>"$BATS_FILE_TMPDIR/build.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/build.log" >&2
		return 1
	}
	(cd "$TARGET" && find . -printf '%p %s %T@\n' | sort) >"$BATS_FILE_TMPDIR/target-after-build"
	make -f "$BATS_FILE_TMPDIR/buildroot.mk" CONFIG="$BATS_FILE_TMPDIR/config.mk" \
		"$PKG/install" >"$BATS_FILE_TMPDIR/install.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/install.log" >&2
		return 1
	}
}

@test "buildroot: the table is generated from a private copy of the modules tree, after depmod" {
	private=$PKG/br-build/modules/lib/modules/$RELEASE
	[ -s "$private/modules.dep" ]
	run cat "$BATS_FILE_TMPDIR/build.log"
	assert_output --regexp "modlatch-gen -k [^ ]*/linux/.config -o [^ ]* --files [^ ]* [^ ]*etc/demo.list $private"$'\n'
	# The pins are those of the target's files.
	run "$PKG/br-build/target/modlatch" --print
	assert_line --partial "sha256=$(sha256sum "$TARGET/lib/modules/$RELEASE/kernel/crypto/xor.ko" |
		cut -d' ' -f1) path=kernel/crypto/xor.ko"
}

@test "buildroot: the build leaves TARGET_DIR's modules tree as the kernel installed it" {
	run ls "$TARGET/lib/modules/$RELEASE"
	refute_output --partial "modules.dep"
	refute_output --partial "modules.alias"
	run diff "$BATS_FILE_TMPDIR/target-before" "$BATS_FILE_TMPDIR/target-after-build"
	assert_success
}

@test "buildroot: installed as /sbin/init, static, replacing BusyBox's link without writing through it" {
	[ -f "$TARGET/sbin/init" ] && [ ! -L "$TARGET/sbin/init" ]
	run readelf -l "$TARGET/sbin/init"
	assert_success
	refute_output --partial "INTERP"
	run file "$TARGET/sbin/init"
	assert_output --partial "statically linked"
	run cat "$TARGET/bin/busybox"
	assert_output "BusyBox stand-in"
	run cmp "$PKG/br-build/target/modlatch" "$TARGET/sbin/init"
	assert_success
}

@test "buildroot: the choices reach the build: BusyBox init through its applet, with the inittab" {
	run "$TARGET/sbin/init" --print
	assert_line "supervisors /bin/busybox init"
	assert_line "kernel $RELEASE"
	run cmp "$REPO/rootfs-overlay/etc/inittab" "$TARGET/etc/inittab"
	assert_success
}

@test "buildroot: the image check passes on the image as built" {
	package check
	assert_success
	assert_output --partial "verify ok: 5 checked, 0 failed"
	assert_output --partial "audit ok: 0 finding(s)"
}

@test "buildroot: the image check fails on a changed module file, naming it" {
	root=$BATS_TEST_TMPDIR/root
	cp -a "$TARGET" "$root"
	ko=$root/lib/modules/$RELEASE/kernel/net/bridge/bridge.ko
	printf '\001' | dd of="$ko" bs=1 seek=4096 conv=notrunc status=none
	package check TARGET_DIR="$root"
	assert_failure
	assert_output --partial "FAIL bridge: $ko sha256 differs from the pinned one"
	assert_output --partial "module files in $root differ from the table"
}

@test "buildroot: an executable /sbin/modprobe fails the image, or warns when the audit is not fatal" {
	root=$BATS_TEST_TMPDIR/root
	cp -a "$TARGET" "$root"
	ln -s ../bin/busybox "$root/sbin/modprobe"
	package check TARGET_DIR="$root"
	assert_failure
	assert_output --partial "window: /sbin/modprobe is executable in the image"
	assert_output --partial "turn BR2_PACKAGE_MODLATCH_AUDIT_FATAL off to accept them"
	package check TARGET_DIR="$root" BR2_PACKAGE_MODLATCH_AUDIT_FATAL=
	assert_success
	assert_output --partial "window: /sbin/modprobe is executable in the image"
	assert_output --partial "WARNING: the image audit found windows"
}

@test "buildroot: other choices reach the build: /init, a custom supervisor, a list, build variables" {
	pkg=$BATS_TEST_TMPDIR/modlatch
	target=$BATS_TEST_TMPDIR/target
	source_dir "$pkg"
	target_dir "$target"
	printf 'dummy numdummies=2\n' >"$BATS_TEST_TMPDIR/appliance.list"
	CONFIG=$BATS_TEST_TMPDIR/config.mk
	config "$CONFIG" "$pkg" "$target" \
		"BR2_PACKAGE_MODLATCH_LIST=\"$BATS_TEST_TMPDIR/appliance.list\"" \
		'BR2_PACKAGE_MODLATCH_INSTALL_INIT=y' \
		'BR2_PACKAGE_MODLATCH_SUPERVISOR_CUSTOM=y' \
		'BR2_PACKAGE_MODLATCH_SUPERVISOR_CUSTOM_VALUE="/bin/s6-svscan /run/service:/bin/sh"' \
		'BR2_PACKAGE_MODLATCH_MAKE_OPTS="ON_MODULE_FAILURE=halt LOAD=serial"' \
		'BR2_PACKAGE_MODLATCH_AFTER_LATCH_RECORD=y'
	package "$pkg/build" "$pkg/install"
	assert_success
	[ -x "$target/init" ]
	[ -L "$target/sbin/init" ]
	[ ! -e "$target/etc/inittab" ]
	run "$target/init" --print
	assert_line "supervisors /bin/s6-svscan /run/service | /bin/sh"
	assert_line "on_module_failure halt"
	assert_line "load serial"
	assert_line "after_latch record /init"
	assert_line "entries 1"
	assert_line --regexp '^0 name=dummy .* params="numdummies=2" rank=0$'
}

@test "buildroot: a kernel without a modules tree stops the build, saying what is missing" {
	package "$PKG/build" LINUX_VERSION_PROBED=0.0-none
	assert_failure
	assert_output --partial "no modules tree at $TARGET/lib/modules/0.0-none"
}

@test "buildroot: make buildroot-image refuses a missing or wrong BUILDROOT, saying what it wants" {
	run make -C "$REPO" --no-print-directory buildroot-image BUILDROOT=
	assert_failure
	assert_output --partial "BUILDROOT is not set: give a Buildroot source tree"
	run make -C "$REPO" --no-print-directory buildroot-image BUILDROOT="$BATS_TEST_TMPDIR"
	assert_failure
	assert_output --partial "is not a Buildroot source tree (no BR2_VERSION in its Makefile)"
	mkdir "$BATS_TEST_TMPDIR/br"
	echo 'export BR2_VERSION := 2026.02.3' >"$BATS_TEST_TMPDIR/br/Makefile"
	BUILDROOT=$BATS_TEST_TMPDIR/br WORK=$BATS_TEST_TMPDIR/work run sh "$REPO/scripts/buildroot-image.sh" nonsense
	assert_failure
	assert_output --partial "unknown stage 'nonsense'"
}

@test "buildroot: the offline defconfig keeps the example's kernel fragment and image" {
	local debian=$REPO/buildroot/configs/modlatch_qemu_x86_64_debian_defconfig
	local line
	# shellcheck disable=SC2016 # $(...) is Buildroot's, kept as written
	for line in BR2_INIT_MODLATCH=y BR2_TARGET_ROOTFS_INITRAMFS=y \
		'BR2_LINUX_KERNEL_CONFIG_FRAGMENT_FILES="$(BR2_EXTERNAL_MODLATCH_PATH)/board/qemu-x86_64/linux.fragment"'; do
		grep -qxF "$line" "$REPO/buildroot/configs/modlatch_qemu_x86_64_defconfig"
		grep -qxF "$line" "$debian"
	done
}
