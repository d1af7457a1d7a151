# SPDX-License-Identifier: MIT
# The fixture of tests/debian/: the Debian package, built with dpkg-buildpackage from the release
# tarball (make dist) on this machine (Debian 12) or in a Debian 13 root, installed with dpkg into
# a copy of a Debian root (scripts/guestroot.sh package-bookworm, package-trixie) together with
# Debian's own kernel packages (scripts/kernel.sh deb), whose hooks build the images; the root
# then made into a disk, and each image booted with its kernel (systemd, tests/systemd/). Loaded
# after ../lib/fixture and ../systemd/systemd. Nothing here touches this machine's /boot or /etc:
# every dpkg run is in a root of the fixture's, through chroot, in a mount namespace of its own.

VERSION=$(sed -n 's/^VERSION := //p' "$REPO/Makefile")
DEB_ARCH=$(dpkg --print-architecture)
# Where the packages are built; the roots are fixtures ($FIXTURES/NAME/root).
PACKAGES=$REPO/build/debian

# re_quote TEXT: TEXT as it stands in an extended regular expression (a release such as
# 6.12.118+deb13-cloud-amd64 has a '+').
# shellcheck disable=SC2001 # one sed class, not one substitution per character
re_quote() { sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1"; }

# in_root ROOT COMMAND...: COMMAND in the Debian root ROOT, as root there would run it: chroot,
# with /proc, /dev and a /run of its own, a clean environment, stdin closed. The mounts end
# with the namespace.
in_root() {
	local root=$1
	shift
	# shellcheck disable=SC2016 # the script expands its own arguments
	unshare --mount --propagation private -- sh -c '
		root=$1
		shift
		mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" &&
			mount -t tmpfs -o mode=0755 tmpfs "$root/run" || exit 1
		exec chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' sh "$root" "$@" </dev/null
}

# debian_tarball OUT: the release tarball of this tree in OUT (make dist; uncommitted changes of
# tracked files included), printed.
debian_tarball() {
	make -s -C "$REPO" B="$1" DIST_DIRTY=yes dist >&2 && echo "$1/modlatch-$VERSION.tar.gz"
}

# debian_build DIR [ROOT]: dpkg-buildpackage -b -us -uc in the tarball unpacked at
# DIR/modlatch-VERSION, on this machine or (ROOT) in that Debian root, where DIR is a path inside
# it. The log is DIR/build.log; the packages land in DIR.
debian_build() {
	local dir=$1 root=${2:-} tarball
	tarball=$(debian_tarball "$PACKAGES/dist") || return 1
	rm -rf "$root$dir"
	mkdir -p "$root$dir"
	tar -xzf "$tarball" -C "$root$dir" || return 1
	if [ -n "$root" ]; then
		in_root "$root" sh -c "cd '$dir/modlatch-$VERSION' && dpkg-buildpackage -b -us -uc" \
			>"$root$dir/build.log" 2>&1
	else
		(cd "$dir/modlatch-$VERSION" && env -u MAKEFLAGS -u MFLAGS -u CI \
			dpkg-buildpackage -b -us -uc) >"$dir/build.log" 2>&1 </dev/null
	fi || {
		tail -n 30 "$root$dir/build.log"
		return 1
	}
}

# debian_package: the package built on this machine from this tree, once per change of the
# tree (the tarball's bytes): its path.
debian_package() {
	local dir=$PACKAGES/host tarball
	tarball=$(debian_tarball "$PACKAGES/dist") || return 1
	if ! cmp -s "$tarball" "$dir/from.tar.gz" || [ ! -e "$dir/.done" ]; then
		rm -rf "$dir"
		debian_build "$dir" && cp "$tarball" "$dir/from.tar.gz" && touch "$dir/.done" ||
			return 1
	fi
	echo "$dir/modlatch_${VERSION}_$DEB_ARCH.deb"
}

# debian_root NAME GUESTROOT: a fresh copy of the guest root as $FIXTURES/NAME/root, printed.
debian_root() {
	local root=$FIXTURES/$1/root src
	src=$(sh "$REPO/scripts/guestroot.sh" dir "$2") || return 1
	rm -rf "${FIXTURES:?}/$1"
	mkdir -p "$FIXTURES/$1"
	cp -a "$src" "$root" && echo "$root"
}

# debian_dpkg ROOT STEP ARG...: `dpkg ARG...` in ROOT, as a step: its output (stdout and stderr)
# in ROOT/../steps/STEP.out and its exit status in STEP.rc, whatever it is.
debian_dpkg() {
	local root=$1 step=$2 steps=$1/../steps rc=0
	shift 2
	mkdir -p "$steps"
	in_root "$root" dpkg "$@" >"$steps/$step.out" 2>&1 || rc=$?
	echo "$rc" >"$steps/$step.rc"
}

# debian_install ROOT STEP DEB: the package file DEB installed into ROOT with dpkg -i, as a step.
debian_install() {
	local root=$1 step=$2 name
	name=$(basename "$3")
	cp "$3" "$root/tmp/$name" && debian_dpkg "$root" "$step" -i "/tmp/$name"
	rm -f "$root/tmp/$name"
}

# step_rc NAME STEP, step_out NAME STEP: what a step of fixture NAME ended with, and printed.
step_rc() { cat "$FIXTURES/$1/steps/$2.rc"; }
step_out() { cat "$FIXTURES/$1/steps/$2.out"; }

# debian_settings ROOT LINE...: the LINEs appended to ROOT's /etc/modlatch/modlatch.conf, as an
# administrator edits it.
debian_settings() {
	local root=$1
	shift
	printf '%s\n' "$@" >>"$root/etc/modlatch/modlatch.conf"
}

# debian_boot NAME BOOT RELEASE: boots kernel RELEASE of fixture NAME's root with the image the
# hook wrote for it (/boot/vmlinuz-RELEASE, /boot/initrd.img-RELEASE), the root itself as the
# disk, ext4 on /dev/vda; the serial log is $FIXTURES/BOOT (a fixture of its own).
debian_boot() {
	local root=$FIXTURES/$1/root dir=$FIXTURES/$2 mb
	rm -rf "$dir"
	mkdir -p "$dir"
	mb=$(du -sm "$root" | cut -f1)
	mkfs.ext4 -q -F -L root -d "$root" "$dir/disk.img" "$((mb + 512))M" || return 1
	VMLINUZ=$root/boot/vmlinuz-$3 INITRD=$root/boot/initrd.img-$3 QEMU_MEM=1024 BOOT_TIMEOUT=900 \
		fixture_boot "$2" -drive "file=$dir/disk.img,if=virtio,format=raw" || return 1
	rm -f "$dir/disk.img"
	echo "# $RUN $2: boot to power-off $(cat "$dir/boot-seconds") s, modlatch start to latch" \
		"$(summary_field "$2" total_ms) ms, systemd running at" \
		"$(check_lines "$2" | sed -n 's/^uptime_running=//p') s of uptime" >&3
}
