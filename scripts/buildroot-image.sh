#!/bin/sh
# SPDX-License-Identifier: MIT
# A real Buildroot image of the external tree, built offline from Debian's archive and booted in
# QEMU (doc/buildroot.md, "A real image, offline"). `make buildroot-image BUILDROOT=path` runs it.
# It builds some twenty packages and a kernel (minutes to an hour, by the machine), and is no part
# of `make check`.
#
#   buildroot-image.sh [STAGE ...]
#
# Stages, in order (no stage given: all of them):
#   toolchain  Debian's gcc 12 and a private glibc sysroot made from Debian's .debs
#   sources    every package's source from Debian's source packages, and the kernel's tarball
#   configure  local.mk (the <PKG>_OVERRIDE_SRCDIR lines) and the .config
#   build      Buildroot's make: the image, with the package's image check
#   boot       the image in QEMU/TCG, asserting from its serial log
#   tamper     one byte of xor.ko changed in the target: the image check must fail naming it
#
# Environment:
#   BUILDROOT  a Buildroot source tree (a release; checked with 2026.02.3)      required
#   WORK       where everything is written           default ~/.cache/modlatch/buildroot
#   JOBS       Buildroot's BR2_JLEVEL                default 2
#   TIMEOUT    seconds the boot may take under TCG   default 300
#   PATCHELF_SRC  patchelf 0.13's source tree (upstream's tag 0.13, the version Buildroot pins):
#              Buildroot's patch does not apply to Debian's patchelf 0.14.3      required
#
# Needs, from Debian's archive: deb-src lines for bookworm (apt-get source), and the packages
# linux-source-6.1, bison, flex, rsync, fakeroot, dpkg-dev and qemu-system-x86. The script
# installs nothing: it says what is missing and stops. Nothing is fetched but through apt-get
# (and PATCHELF_SRC, which the caller brings).
set -eu

src=$(cd "$(dirname "$0")/.." && pwd -P)
WORK=${WORK:-$HOME/.cache/modlatch/buildroot}
JOBS=${JOBS:-2}
TIMEOUT=${TIMEOUT:-300}
KERNEL_VERSION=6.1
DEFCONFIG=modlatch_qemu_x86_64_debian_defconfig
out=$WORK/output
tc=$WORK/toolchain
srcs=$WORK/src
tuple=x86_64-linux-gnu

die() {
	echo "buildroot-image: $*" >&2
	exit 1
}
say() { echo "buildroot-image: $*"; }

# The Buildroot packages the defconfig builds that download a source, and the Debian source
# package each comes from (`make show-info` lists them; the others are Buildroot's own files).
# host-fakeroot and host-patchelf are missing: see fakeroot_standin and PATCHELF_SRC.
PACKAGES='host-acl:acl host-attr:attr host-autoconf:autoconf host-automake:automake-1.16
host-bzip2:bzip2 host-elfutils:elfutils host-kmod:kmod host-libtool:libtool host-libzlib:zlib
host-m4:m4 host-pkgconf:pkgconf host-tar:tar host-xz:xz-utils host-zstd:libzstd busybox:busybox'

# With <PKG>_OVERRIDE_SRCDIR Buildroot applies none of its patches. These sources need theirs
# (Buildroot package:source directory): bzip2's Makefile-libbz2_so has no install target without
# them, and Buildroot's fix-rpath runs `patchelf --make-rpath-relative`, an option only its patch
# adds.
BR_PATCHED='bzip2:bzip2 patchelf:patchelf'

# The .debs of the C library the toolchain's sysroot is made of.
SYSROOT_DEBS='libc6 libc6-dev linux-libc-dev libcrypt1 libcrypt-dev libgcc-s1'

# buildroot_make ARGS...: Buildroot in a clean environment: the caller's CC, CFLAGS,
# LIBRARY_PATH (set to CUDA's stubs on some machines) and the like would leak into host builds.
# FORCE_UNSAFE_CONFIGURE: GNU tar's configure (host-tar) refuses to run as root without it.
buildroot_make() {
	env -i HOME="$HOME" PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb LC_ALL=C \
		FORCE_UNSAFE_CONFIGURE=1 \
		make -C "$BUILDROOT" BR2_EXTERNAL="$src/buildroot" O="$out" "$@"
}

check_buildroot() {
	[ -n "${BUILDROOT:-}" ] ||
		die "BUILDROOT is not set: give a Buildroot source tree, e.g. make buildroot-image BUILDROOT=\$HOME/buildroot-2026.02.3"
	if ! grep -qs '^export BR2_VERSION' "$BUILDROOT/Makefile"; then
		die "BUILDROOT=$BUILDROOT is not a Buildroot source tree (no BR2_VERSION in its Makefile)"
	fi
	BUILDROOT=$(cd "$BUILDROOT" && pwd -P)
	say "Buildroot $(sed -n 's/^export BR2_VERSION := //p' "$BUILDROOT/Makefile") at $BUILDROOT"
}

need() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing="$missing $p"
	done
	[ -z "$missing" ] || die "missing Debian packages:$missing (apt-get install$missing)"
}

# stamp NAME: seconds since the stage began, into $WORK/times.
stage_begin() {
	stage_name=$1
	stage_t0=$(date +%s)
	say "stage $1: begins $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
}
stage_end() {
	t=$(($(date +%s) - stage_t0))
	echo "$stage_name $t" >>"$WORK/times"
	say "stage $stage_name: $((t / 60)) min $((t % 60)) s"
}

# The external toolchain: Debian's native gcc 12, but with a sysroot of its own. Buildroot copies
# the toolchain's sysroot into its staging directory, and Debian's gcc has / as its sysroot (the
# whole build machine), so:
#   - the C library comes from Debian's .debs (apt-get download, dpkg -x) into $tc/root;
#   - the gcc driver is copied to $tc/root/usr/bin and gcc's own directory is mirrored by symlinks
#     into $tc/root/usr/lib/gcc: the driver finds its libraries relative to where it lies, so
#     libc.a is now found in $tc/root/usr/lib/x86_64-linux-gnu, and Buildroot takes $tc/root as
#     the sysroot;
#   - Buildroot refuses a compiler configured --with-sysroot=/ (a distribution's); the gcc in
#     $tc/root/usr/bin is a wrapper that leaves that word out of `gcc -v` alone;
#   - binutils are Debian's, by symlink;
#   - only C: no g++, gfortran or gdc in $tc/root/usr/bin, and no OpenMP (libgomp) in gcc's
#     directory.
stage_toolchain() {
	stage_begin toolchain
	need gcc-12 binutils-x86-64-linux-gnu dpkg-dev
	rm -rf "$tc"
	mkdir -p "$tc/debs" "$tc/root/usr/bin" "$tc/root/usr/lib/gcc/$tuple"
	# shellcheck disable=SC2086 # a list of names
	(cd "$tc/debs" && apt-get download $SYSROOT_DEBS)
	for deb in "$tc"/debs/*.deb; do
		dpkg -x "$deb" "$tc/root"
	done
	# libc6's etc/ld.so.conf.d is a directory that Buildroot's pattern ld*.so.* (the dynamic
	# loader) also matches, and copying it to the target as a library fails.
	rm -rf "$tc/root/etc"
	cp -as "/usr/lib/gcc/$tuple/12" "$tc/root/usr/lib/gcc/$tuple/"
	# A C toolchain: Buildroot checks each language and OpenMP and stops on one that works but
	# is not selected; libgomp would also have to come with the image.
	(cd "$tc/root/usr/lib/gcc/$tuple/12" && rm -f libgomp* include/omp.h include/openacc.h)
	for t in gcc cpp; do
		cp "/usr/bin/$tuple-$t-12" "$tc/root/usr/bin/"
		cat >"$tc/root/usr/bin/$tuple-$t" <<EOF
#!/bin/sh
# Debian's $t-12 (copied beside this script, so that it finds its libraries here). Buildroot
# refuses a compiler whose \`-v\` says --with-sysroot=/; this one gets a sysroot of its own.
real=\$(dirname "\$0")/$tuple-$t-12
if [ "\$*" = -v ]; then
	"\$real" -v 2>&1 | sed 's| --with-sysroot=/ | |'
	exit 0
fi
exec "\$real" "\$@"
EOF
		chmod 0755 "$tc/root/usr/bin/$tuple-$t"
	done
	for t in addr2line ar as c++filt elfedit gcc-ar gcc-nm gcc-ranlib gcov ld ld.bfd nm objcopy \
		objdump ranlib readelf size strings strip; do
		ln -s "/usr/bin/$tuple-$t" "$tc/root/usr/bin/$tuple-$t"
	done
	libc=$(readlink -f "$("$tc/root/usr/bin/$tuple-gcc" -print-file-name=libc.a)")
	[ "$libc" = "$tc/root/usr/lib/$tuple/libc.a" ] ||
		die "the toolchain finds libc.a at $libc, not in its own sysroot $tc/root"
	(cd "$tc/debs" && ls) >"$tc/debs.txt"
	stage_end
}

# fakeroot_standin DIR: Debian's archive serves no fakeroot source (apt-get source fakeroot
# answers 404 for the orig and the debian tarballs, bookworm's and trixie's). Buildroot runs
# $(HOST_DIR)/bin/fakeroot to make the images, so host-fakeroot's source is replaced by a
# directory whose configure and Makefile install a fakeroot that execs Debian's /usr/bin/fakeroot.
fakeroot_standin() {
	d=$1
	rm -rf "$d"
	mkdir -p "$d"
	cat >"$d/configure" <<'EOF'
#!/bin/sh
# host-fakeroot's stand-in: Buildroot runs this as an autotools configure.
for a in "$@"; do
	case $a in
	--prefix=*) echo "prefix = ${a#--prefix=}" >config.mk ;;
	esac
done
EOF
	chmod 0755 "$d/configure"
	# shellcheck disable=SC2016 # make's variables, not the shell's
	printf '%s\n' 'include config.mk' 'all:' 'install:' \
		'	mkdir -p $(DESTDIR)$(prefix)/bin' \
		'	printf '"'"'#!/bin/sh\nexec /usr/bin/fakeroot "$$@"\n'"'"' >$(DESTDIR)$(prefix)/bin/fakeroot' \
		'	chmod 0755 $(DESTDIR)$(prefix)/bin/fakeroot' >"$d/Makefile"
	echo 'fakeroot stand-in: runs Debian'"'"'s /usr/bin/fakeroot (GPL-3.0+)' >"$d/COPYING"
}

# Each source package's upstream tarball, unpacked with dpkg-source --skip-debianization: the
# upstream source as the orig tarball carries it, without Debian's patches (Buildroot's .mk files
# are written for upstream's tree). The kernel is linux-source-6.1's tarball, Debian's patches
# included.
stage_sources() {
	stage_begin sources
	need dpkg-dev linux-source-$KERNEL_VERSION fakeroot
	apt-cache showsrc busybox 2>/dev/null | grep -q '^Package:' ||
		die "apt-get source finds nothing: add deb-src lines for bookworm (doc/buildroot.md) and apt-get update"
	mkdir -p "$srcs"
	: >"$srcs/versions.txt"
	for entry in $PACKAGES; do
		deb=${entry#*:}
		if [ ! -d "$srcs/$deb" ]; then
			rm -rf "$srcs/.get"
			mkdir -p "$srcs/.get"
			(cd "$srcs/.get" && apt-get source --download-only "$deb" >/dev/null 2>&1) ||
				die "apt-get source $deb failed"
			dsc=$(ls "$srcs/.get"/*.dsc)
			# dpkg-source warns that it cannot check the .dsc's signature (no keyring);
			# apt-get source has checked the files against the archive's signed index.
			dpkg-source -x --skip-debianization "$dsc" "$srcs/$deb" >"$srcs/.get.log" 2>&1 ||
				die "dpkg-source -x $dsc failed: $(cat "$srcs/.get.log")"
			basename "$dsc" .dsc >"$srcs/$deb/.debian-version"
			# kmod's autogen.sh does this when gtk-doc is not installed: automake needs
			# the file, empty will do.
			[ "$deb" != kmod ] || touch "$srcs/kmod/libkmod/docs/gtk-doc.make"
			rm -rf "$srcs/.get"
		fi
		echo "${entry%%:*} $(cat "$srcs/$deb/.debian-version")" >>"$srcs/versions.txt"
	done
	tarball=/usr/src/linux-source-$KERNEL_VERSION.tar.xz
	if [ ! -d "$srcs/linux" ]; then
		rm -rf "$srcs/linux.tmp"
		mkdir -p "$srcs/linux.tmp"
		tar -C "$srcs/linux.tmp" -xf "$tarball"
		mv "$srcs/linux.tmp/linux-source-$KERNEL_VERSION" "$srcs/linux"
		rmdir "$srcs/linux.tmp"
	fi
	echo "linux linux-source-${KERNEL_VERSION}_$(dpkg-query -W -f '${Version}' linux-source-$KERNEL_VERSION)" \
		>>"$srcs/versions.txt"
	if [ ! -d "$srcs/patchelf" ]; then
		if [ ! -f "${PATCHELF_SRC:-/nonexistent}/src/patchelf.cc" ]; then
			die "PATCHELF_SRC='${PATCHELF_SRC:-}' is no patchelf source tree: give upstream's 0.13 (doc/buildroot.md)"
		fi
		grep -qx 0.13 "$PATCHELF_SRC/version" ||
			die "PATCHELF_SRC is patchelf $(cat "$PATCHELF_SRC/version"), not 0.13: Buildroot's patch is for 0.13"
		cp -a "$PATCHELF_SRC" "$srcs/patchelf"
	fi
	echo "host-patchelf upstream patchelf $(cat "$srcs/patchelf/version")" >>"$srcs/versions.txt"
	for entry in $BR_PATCHED; do
		dir=$srcs/${entry#*:}
		[ ! -e "$dir/.buildroot-patched" ] || continue
		for p in "$BUILDROOT/package/${entry%%:*}"/*.patch; do
			patch -d "$dir" -p1 -s <"$p" || die "Buildroot's $p does not apply to $dir"
		done
		touch "$dir/.buildroot-patched"
	done
	fakeroot_standin "$srcs/fakeroot-standin"
	echo "host-fakeroot stand-in for fakeroot_$(dpkg-query -W -f '${Version}' fakeroot) (binary)" \
		>>"$srcs/versions.txt"
	cat "$srcs/versions.txt"
	stage_end
}

# local.mk: every package's <PKG>_OVERRIDE_SRCDIR. The .config: the defconfig, plus what is this
# machine's (the toolchain's path, the download directory), no download site but an empty local
# one (so that a package missed here fails at once instead of reaching out), and the guest-side
# checks as a rootfs overlay.
stage_configure() {
	stage_begin configure
	# What Buildroot takes from the build machine; without bison and flex it would build
	# host-bison and host-flex, whose sources are not fed here.
	need bison flex rsync bc cpio unzip file patch perl g++ make
	mkdir -p "$out" "$WORK/dl" "$WORK/no-site"
	{
		echo "# Written by modlatch's scripts/buildroot-image.sh: sources from Debian's archive."
		for entry in $PACKAGES; do
			pkg=${entry%%:*}
			echo "$(echo "$pkg" | tr 'a-z-' 'A-Z_')_OVERRIDE_SRCDIR = $srcs/${entry#*:}"
		done
		# Debian's orig tarballs of kmod and patchelf are git snapshots without a generated
		# configure: Buildroot runs autoreconf (with its host-autoconf/automake/libtool) first.
		echo 'HOST_KMOD_AUTORECONF = YES'
		echo 'HOST_PATCHELF_AUTORECONF = YES'
		# Buildroot's xz.mk asks for the riscv filter, which xz 5.4.1 (bookworm's) does not
		# have; xz builds every filter it has by default. `override`: xz.mk, read after this
		# file, would set the variable again.
		echo 'override HOST_XZ_CONF_OPTS = --enable-threads --disable-nls'
		echo "HOST_PATCHELF_OVERRIDE_SRCDIR = $srcs/patchelf"
		echo "HOST_FAKEROOT_OVERRIDE_SRCDIR = $srcs/fakeroot-standin"
		echo "LINUX_OVERRIDE_SRCDIR = $srcs/linux"
	} >"$out/local.mk"
	{
		cat "$src/buildroot/configs/$DEFCONFIG"
		echo "BR2_TOOLCHAIN_EXTERNAL_PATH=\"$tc/root/usr\""
		echo "BR2_DL_DIR=\"$WORK/dl\""
		echo "BR2_PRIMARY_SITE=\"file://$WORK/no-site\""
		echo 'BR2_PRIMARY_SITE_ONLY=y'
		echo "BR2_JLEVEL=$JOBS"
		echo "BR2_ROOTFS_OVERLAY=\"$src/buildroot/board/qemu-x86_64/check-overlay\""
	} >"$out/modlatch.defconfig"
	buildroot_make BR2_DEFCONFIG="$out/modlatch.defconfig" defconfig >/dev/null
	grep -q '^BR2_INIT_MODLATCH=y' "$out/.config" ||
		die "the .config has no BR2_INIT_MODLATCH=y: the toolchain's settings failed a dependency"
	stage_end
}

stage_build() {
	stage_begin build
	buildroot_make
	stage_end
	# Seconds per package, all steps added up, from Buildroot's build-time.log (over every make
	# run since the output directory was made).
	awk -F: '{ gsub(/ /, "", $2); gsub(/ /, "", $4) }
		$2 == "start" { s[$3, $4] = $1 }
		$2 == "end" { t[$4] += $1 - s[$3, $4] }
		END { for (p in t) printf "%8.1f s  %s\n", t[p], p }' \
		"$out/build/build-time.log" | sort -rn >"$WORK/package-times.txt"
	say "seconds per package ($WORK/package-times.txt):"
	head -n 12 "$WORK/package-times.txt"
	ls -l "$out/images/bzImage" "$out/images/rootfs.cpio" "$out/target/init"
}

# The boot: the kernel with its initramfs, no network, the serial console to a file. modlatch
# runs as /init, BusyBox init takes over, and check-overlay's S99modlatch-check prints "check:"
# lines and powers the machine off.
stage_boot() {
	stage_begin boot
	need qemu-system-x86
	log=$WORK/serial.log
	rm -f "$log"
	timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -M pc -m 512 -nographic -no-reboot \
		-nic none -kernel "$out/images/bzImage" -append 'console=ttyS0 panic=-1' \
		-serial "file:$log" -monitor none -display none </dev/null >/dev/null 2>&1 ||
		say "qemu exited with status $? (124: the timeout)"
	stage_end
	assert_boot "$log"
}

# assert_boot LOG: what the boot suite asserts elsewhere, from the serial log.
assert_boot() {
	log=$1 fail=0
	bad() {
		echo "buildroot-image: FAIL: $*" >&2
		fail=1
	}
	tr -d '\r' <"$1" >"$1.txt"
	log=$1.txt
	table=$(grep -c '^modlatch: module=' "$log" || true)
	loaded=$(grep -c '^modlatch: module=[^ ]* result=loaded' "$log" || true)
	[ "$table" -gt 0 ] || bad "no modlatch: module= line in the serial log"
	[ "$loaded" -eq "$table" ] || bad "$loaded of $table table modules loaded"
	for m in xor br_netfilter bridge stp llc; do
		grep -q "^modlatch: module=$m result=loaded" "$log" || bad "module $m not loaded"
	done
	grep -q '^modlatch: .*failed=0' "$log" || bad "no summary line with failed=0"
	grep -q '^modlatch: .*latched=yes' "$log" || bad "no latched=yes"
	grep -q '^check: modules_disabled=1$' "$log" || bad "modules_disabled is not 1 after the boot"
	grep -q '^check: insmod .*Operation not permitted' "$log" ||
		bad "an insmod of another module was not refused with Operation not permitted"
	# The kernel takes no value but 1 once the latch is set: EINVAL, as in the boot suite.
	grep -q '^check: write-modules_disabled refused: .*Invalid argument' "$log" ||
		bad "echo 0 > /proc/sys/kernel/modules_disabled was not refused"
	[ "$(grep -c '^check: modules_disabled=1$' "$log")" -eq 2 ] ||
		bad "modules_disabled is not 1 after the write"
	grep -q '^check: pid1=/bin/busybox comm=init$' "$log" || bad "BusyBox init is not PID 1"
	grep -q '^check: done$' "$log" || bad "the guest's checks did not finish"
	if [ "$fail" -ne 0 ]; then
		echo "buildroot-image: the serial log: $log" >&2
		exit 1
	fi
	say "boot: $loaded table modules loaded, latched, insmod and the sysctl refused, BusyBox init is PID 1"
	grep -E '^(modlatch|check):' "$log"
}

# The tamper case: one byte of xor.ko in the target directory changed after the package installed
# it. Buildroot's next `make` remakes the image, the package's ROOTFS_PRE_CMD_HOOKS check runs
# on the image's copy of the target and must fail naming xor. The byte is put back afterwards
# and the image made again.
stage_tamper() {
	stage_begin tamper
	ko=$(find "$out/target/lib/modules" -name 'xor.ko*' | head -n 1)
	[ -n "$ko" ] || die "no xor.ko in $out/target"
	cp "$ko" "$WORK/xor.ko.orig"
	size=$(stat -c %s "$ko")
	offset=$((size / 2))
	old=$(od -An -tu1 -j "$offset" -N1 "$ko" | tr -d ' ')
	printf '%b' "\\0$(printf %o $(((old + 1) % 256)))" |
		dd of="$ko" bs=1 seek="$offset" conv=notrunc status=none
	cmp -s "$ko" "$WORK/xor.ko.orig" && die "the byte did not change"
	rc=0
	buildroot_make >"$WORK/tamper.log" 2>&1 || rc=$?
	cp "$WORK/xor.ko.orig" "$ko"
	if [ "$rc" -eq 0 ]; then
		die "the build succeeded with a tampered xor.ko ($WORK/tamper.log)"
	fi
	grep -q 'FAIL xor: .*xor\.ko' "$WORK/tamper.log" ||
		die "the build failed, but no FAIL line names xor ($WORK/tamper.log)"
	say "tamper: the build failed as it should (status $rc):"
	grep -E 'FAIL|modlatch:' "$WORK/tamper.log"
	buildroot_make >"$WORK/untamper.log" 2>&1 ||
		die "the build with xor.ko restored failed ($WORK/untamper.log)"
	stage_end
}

check_buildroot
mkdir -p "$WORK"
[ $# -gt 0 ] || set -- toolchain sources configure build boot tamper
for stage in "$@"; do
	case $stage in
	toolchain | sources | configure | build | boot | tamper) "stage_$stage" ;;
	*) die "unknown stage '$stage': expected toolchain, sources, configure, build, boot or tamper" ;;
	esac
done
