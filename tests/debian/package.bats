#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The Debian package (debian/): dpkg-buildpackage -b -us -uc builds it from the release tarball,
# with Debian's build-dependencies only, on Debian 12 (this machine) and on Debian 13 (in a root
# of Debian 13's packages); two builds give the same bytes; lintian finds no error and no
# warning; it holds what doc/debian.md says, and sits in place of initramfs-tools. On Debian 13
# the package then installs, and the 6.12 kernel package's own hooks (linux-run-hooks) build
# the kernel's image with it. kernel-update.bats lives through kernel updates with it.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture
load ../systemd/systemd
load debian

setup_file() {
	DEB=$(debian_package) || return 1
	# The same tarball built again elsewhere, in a directory of another name.
	debian_build "$PACKAGES/again/other-place" || return 1
	export DEB
}

@test "dpkg-buildpackage -b -us -uc builds modlatch_${VERSION}_$DEB_ARCH.deb from the release tarball" {
	[ -s "$DEB" ]
	run dpkg-deb -f "$DEB" Package Version Architecture
	assert_output "Package: modlatch
Version: $VERSION
Architecture: $DEB_ARCH"
	# The source's build-dependencies are Debian packages, all installed here.
	run dpkg-checkbuilddeps "$PACKAGES/host/modlatch-$VERSION/debian/control"
	assert_success
}

@test "two builds of the same tree, in two directories, give the same bytes" {
	for deb in "modlatch_${VERSION}_$DEB_ARCH.deb" "modlatch-dbgsym_${VERSION}_$DEB_ARCH.deb"; do
		cmp "$PACKAGES/host/$deb" "$PACKAGES/again/other-place/$deb"
	done
}

@test "lintian reports no error and no warning; each override says why" {
	run lintian --fail-on error,warning --pedantic -I "$PACKAGES/host/modlatch_${VERSION}_$DEB_ARCH.changes"
	assert_success
	refute_output --regexp '^[EW]: '
	# Every override line follows a comment that gives its reason.
	run awk '/^#/ { why = 1; next } /^$/ { why = 0; next } !why { print FILENAME ": " $0 } { why = 0 }' \
		"$REPO"/debian/*.lintian-overrides
	assert_output ""
}

@test "the package carries modlatch-gen, the update command, the kernel hooks, the shim's sources, the lists and the man pages" {
	run dpkg-deb -c "$DEB"
	for path in ./usr/bin/modlatch-gen ./usr/sbin/modlatch-update-initramfs \
		./etc/kernel/postinst.d/modlatch ./etc/kernel/postrm.d/modlatch \
		./usr/share/modlatch/src/Makefile ./usr/share/modlatch/src/init/main.c \
		./usr/share/modlatch/src/common/table.h ./usr/share/modlatch/src/init/mkconfig.sh \
		./usr/share/modlatch/src/scripts/initramfs.sh ./usr/share/modlatch/src/scripts/musl-specs.sh \
		./usr/share/modlatch/lists/container-host.list ./usr/share/modlatch/lists/router.list \
		./usr/share/man/man8/modlatch-update-initramfs.8.gz ./usr/share/man/man5/modlatch.conf.5.gz \
		./usr/share/man/man5/modlatch.list.5.gz ./usr/share/man/man1/modlatch-gen.1.gz \
		./usr/share/doc/modlatch/debian.md.gz ./lib/systemd/system/modlatch-refused.service; do
		assert_line --regexp " $path$"
	done
	# Every source file of the shim, and nothing of the tests.
	for file in "$REPO"/init/*.[ch] "$REPO"/common/*.[ch]; do
		assert_output --partial " ./usr/share/modlatch/src/${file#"$REPO"/}"
	done
	refute_output --partial "/tests/"
}

@test "the settings, the list and the hooks are conffiles: an upgrade keeps the administrator's" {
	run sh -c "dpkg-deb --ctrl-tarfile '$DEB' | tar -xOf - ./conffiles"
	assert_output --partial "/etc/modlatch/modlatch.conf"
	assert_output --partial "/etc/modlatch/modules.list"
	assert_output --partial "/etc/modlatch/expected-refusals"
	assert_output --partial "/etc/kernel/postinst.d/modlatch"
	assert_output --partial "/etc/kernel/postrm.d/modlatch"
}

@test "it takes initramfs-tools' place (Provides and Conflicts linux-initramfs-tool) and depends on what builds the shim" {
	run dpkg-deb -f "$DEB" Provides Conflicts Depends
	assert_line "Provides: linux-initramfs-tool"
	assert_line "Conflicts: linux-initramfs-tool"
	assert_line --regexp '^Depends: cpio, gcc, kmod, make, musl-tools, .*libkmod2'
}

@test "the package's version is the release's (Makefile VERSION, debian/changelog)" {
	run dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version
	assert_output "$VERSION"
}

# --- Debian 13 ---

@test "debian 13: dpkg-buildpackage builds it in a root of Debian 13's packages, lintian-clean" {
	ROOT13=$(debian_root package-trixie package-trixie)
	debian_build /build "$ROOT13"
	[ -s "$ROOT13/build/modlatch_${VERSION}_$DEB_ARCH.deb" ]
	run lintian --fail-on error,warning --pedantic -I "$ROOT13/build/modlatch_${VERSION}_$DEB_ARCH.changes"
	assert_success
	refute_output --regexp '^[EW]: '
	# The same files as the Debian 12 build.
	diff <(dpkg-deb -c "$DEB" | awk '{ print $1, $6 }') \
		<(dpkg-deb -c "$ROOT13/build/modlatch_${VERSION}_$DEB_ARCH.deb" | awk '{ print $1, $6 }')
}

@test "debian 13: installed with the 6.12 kernel package, whose hooks (linux-run-hooks) build and check its image" {
	ROOT13=$FIXTURES/package-trixie/root
	[ -s "$ROOT13/build/modlatch_${VERSION}_$DEB_ARCH.deb" ]
	debian_dpkg "$ROOT13" install-modlatch -i "/build/modlatch_${VERSION}_$DEB_ARCH.deb"
	[ "$(step_rc package-trixie install-modlatch)" = 0 ] || step_out package-trixie install-modlatch
	run step_out package-trixie install-modlatch
	assert_line --partial "modlatch: no image was built; /boot is unchanged."
	debian_settings "$ROOT13" ROOT=/dev/vda ROOT_FSTYPE=ext4
	release=$(kernel_release trixie amd64)
	debian_install "$ROOT13" install-kernel "$(kernel_info deb trixie amd64)"
	run step_out package-trixie install-kernel
	[ "$(step_rc package-trixie install-kernel)" = 0 ]
	assert_line --regexp "^modlatch-update-initramfs: kernel $(re_quote "$release"): wrote /boot/initrd\\.img-$(re_quote "$release") \\([0-9]+ module files, [0-9]+ bytes, checked\\)$"
	# The image's own /init, run here in its command mode, names the kernel and passes its check.
	mkdir -p "$BATS_TEST_TMPDIR/image"
	(cd "$BATS_TEST_TMPDIR/image" && gzip -dc "$ROOT13/boot/initrd.img-$release" |
		cpio -i -d --quiet -f dev/console)
	run "$BATS_TEST_TMPDIR/image/init" --version
	assert_output --regexp "^modlatch $VERSION \\(kernel $(re_quote "$release"), [0-9]+ entries\\)$"
	run "$BATS_TEST_TMPDIR/image/init" --verify "$BATS_TEST_TMPDIR/image"
	assert_success
	assert_output --regexp 'verify ok: [0-9]+ checked, 0 failed'
}
