#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# A Debian 12 machine lives through kernel updates with the modlatch package, as its
# administrator would (doc/debian.md): the package is installed with dpkg into a Debian root,
# modlatch.conf set to its root disk (ROOT=/dev/vda, ext4), then Debian's 6.1 kernel package
# installed: its postinst hook builds /boot/initrd.img-6.1..., which boots that kernel through
# the switch to the root, latched, to systemd's "running". Then the 6.12 kernel package beside it,
# and its own image. Then a list line the 6.12 tree lacks (ipt_CLUSTERIP, gone from Linux 6.2
# on): reinstalling 6.12 fails the dpkg run, naming the line, and the 6.12 image written before
# is untouched and still boots. With the line gone, `dpkg --configure -a` recovers. Removing the
# 6.1 kernel removes its image. Then bad input, each refused with its file and line or its
# path, the old image kept. Nothing touches this machine's /boot: the root is a fixture's.

bats_load_library bats-support
bats_load_library bats-assert
load ../lib/fixture
load ../systemd/systemd
load debian

NAME=debian-host
REL61=$(kernel_release bookworm amd64)
REL612=$(kernel_release trixie amd64)
# The releases as they stand in an extended regular expression (6.12's has a '+').
RE61=$(re_quote "$REL61")
RE612=$(re_quote "$REL612")

setup_file() {
	local deb root
	deb=$(debian_package) || return 1
	root=$(debian_root "$NAME" package-bookworm) || return 1
	debian_install "$root" install-modlatch "$deb"
	# The administrator's part: the root disk in modlatch.conf, its fstab, a boot loader's
	# post-update hook (here one that notes its arguments), and the boot check as a service.
	debian_settings "$root" "ROOT=/dev/vda" "ROOT_FSTYPE=ext4"
	echo "/dev/vda / ext4 defaults 0 1" >"$root/etc/fstab"
	mkdir -p "$root/etc/initramfs/post-update.d"
	printf '#!/bin/sh\necho "$@" >>/var/log/post-update.args\n' \
		>"$root/etc/initramfs/post-update.d/record"
	chmod 0755 "$root/etc/initramfs/post-update.d/record"
	systemd_check_install "$root" || return 1
	debian_install "$root" install-6.1 "$(kernel_info deb bookworm amd64)"
	ls -l "$root/boot" >"$FIXTURES/$NAME/steps/boot-after-6.1"
	debian_install "$root" install-6.12 "$(kernel_info deb trixie amd64)"
	debian_boot "$NAME" debian-boot-6.1 "$REL61" || true
	sha256sum "$root/boot/initrd.img-$REL612" >"$FIXTURES/$NAME/image-6.12.sha256"
	# A line the 6.12 tree lacks; the kernel package's postinst runs again on reinstall.
	printf '# an old cluster rule\nipt_CLUSTERIP\n' >>"$root/etc/modlatch/modules.list"
	debian_install "$root" reinstall-6.12 "$(kernel_info deb trixie amd64)"
	cp "$root/boot/initrd.img-$REL612" "$FIXTURES/$NAME/image-6.12-after-failure"
	debian_boot "$NAME" debian-boot-6.12 "$REL612" || true
	# The line removed again, dpkg finishes what it could not.
	sed -i '/^# an old cluster rule$/d; /^ipt_CLUSTERIP$/d' "$root/etc/modlatch/modules.list"
	debian_dpkg "$root" configure-all --configure -a
	debian_dpkg "$root" remove-6.1 -r "linux-image-$REL61-unsigned"
	# An upgrade of the package itself (here the same version again) rebuilds every image.
	debian_install "$root" reinstall-modlatch "$deb"
}

setup() { ROOT=$FIXTURES/$NAME/root; }

# --- installing the package ---

@test "dpkg -i modlatch: installs, builds nothing until modlatch.conf names a root, and says so" {
	[ "$(step_rc "$NAME" install-modlatch)" = 0 ]
	run step_out "$NAME" install-modlatch
	assert_line --partial "modlatch-update-initramfs: /etc/modlatch/modlatch.conf: no ROOT"
	assert_line "modlatch: no image was built; /boot is unchanged. See /usr/share/doc/modlatch/debian.md"
}

# --- the first kernel ---

@test "installing the 6.1 kernel package: its postinst hook writes /boot/initrd.img-$REL61, checked" {
	run step_out "$NAME" install-6.1
	[ "$(step_rc "$NAME" install-6.1)" = 0 ]
	assert_line --regexp "^modlatch-update-initramfs: kernel $RE61: wrote /boot/initrd\\.img-$RE61 \\([0-9]+ module files, [0-9]+ bytes, checked\\)$"
	run cat "$FIXTURES/$NAME/steps/boot-after-6.1"
	assert_line --regexp " initrd\.img-$RE61\$"
	refute_line --regexp " initrd\.img-$RE61\.new\$"
	# The boot loader's post-update hook was told of it.
	run cat "$ROOT/var/log/post-update.args"
	assert_line "$REL61 /boot/initrd.img-$REL61"
}

@test "6.1: the hook's image boots the kernel; modlatch latches, mounts /dev/vda and execs /sbin/init" {
	run modlatch_lines debian-boot-6.1
	assert_line --regexp "^modlatch: root: /dev/vda \\(ext4, ro\\) is / after [0-9]+ms; initramfs freed; next: /sbin/init\$"
	assert_systemd_pid1 debian-boot-6.1
	assert_latch_in_journal debian-boot-6.1
}

@test "6.1: Debian's systemd reaches running, the root remounted read-write by its fstab, no error about a module" {
	assert_running debian-boot-6.1
	run check_lines debian-boot-6.1
	assert_line 'root=/dev/vda ext4 rw'
	assert_no_module_errors debian-boot-6.1
}

# --- the next kernel ---

@test "installing the 6.12 kernel package beside it writes /boot/initrd.img-$REL612 for 6.12's own tree" {
	run step_out "$NAME" install-6.12
	[ "$(step_rc "$NAME" install-6.12)" = 0 ]
	assert_line --regexp "^modlatch-update-initramfs: kernel $RE612: wrote /boot/initrd\\.img-$RE612 \\([0-9]+ module files, [0-9]+ bytes, checked\\)$"
	run cat "$ROOT/var/log/post-update.args"
	assert_line "$REL612 /boot/initrd.img-$REL612"
}

# --- a list line the new tree lacks ---

@test "a list line the 6.12 tree lacks fails the kernel's dpkg run, naming the line" {
	[ "$(step_rc "$NAME" reinstall-6.12)" != 0 ]
	run step_out "$NAME" reinstall-6.12
	# The package's list, then the comment and the line the test added.
	local line=$(($(grep -c '' "$REPO/etc/debian-host.list") + 2))
	assert_line "/etc/modlatch/modules.list:$line: unknown module or alias 'ipt_CLUSTERIP' in /lib/modules/$REL612"
	assert_line "modlatch-update-initramfs: kernel $REL612: /boot/initrd.img-$REL612 is unchanged"
	assert_line --partial "run-parts: /etc/kernel/postinst.d/modlatch exited with return code 1"
	assert_line --regexp "^dpkg: error processing package linux-image-$RE612-unsigned "
}

@test "after the failure the 6.12 image is the one written before, with no .new beside it" {
	run sha256sum -c "$FIXTURES/$NAME/image-6.12.sha256"
	assert_success
	cmp "$FIXTURES/$NAME/image-6.12-after-failure" "$ROOT/boot/initrd.img-$REL612"
	[ ! -e "$ROOT/boot/initrd.img-$REL612.new" ]
}

@test "6.12: that image still boots: latched, /sbin/init exec'd from /dev/vda, systemd running" {
	run modlatch_lines debian-boot-6.12
	assert_line --regexp "^modlatch: root: /dev/vda \\(ext4, ro\\) is / after [0-9]+ms; initramfs freed; next: /sbin/init\$"
	assert_systemd_pid1 debian-boot-6.12
	assert_latch_in_journal debian-boot-6.12
	assert_running debian-boot-6.12
	assert_no_module_errors debian-boot-6.12
}

@test "with the line gone, dpkg --configure -a finishes the kernel's installation and rebuilds the same image" {
	[ "$(step_rc "$NAME" configure-all)" = 0 ] || step_out "$NAME" configure-all
	run step_out "$NAME" configure-all
	assert_line --regexp "^modlatch-update-initramfs: kernel $RE612: wrote /boot/initrd\\.img-$RE612 "
	# The same inputs give the same bytes.
	run sha256sum -c "$FIXTURES/$NAME/image-6.12.sha256"
	assert_success
}

# --- removing a kernel ---

@test "removing the 6.1 kernel package removes its image, and keeps 6.12's" {
	[ "$(step_rc "$NAME" remove-6.1)" = 0 ] || step_out "$NAME" remove-6.1
	run step_out "$NAME" remove-6.1
	assert_line "modlatch-update-initramfs: kernel $REL61: removed /boot/initrd.img-$REL61"
	[ ! -e "$ROOT/boot/initrd.img-$REL61" ]
	[ -s "$ROOT/boot/initrd.img-$REL612" ]
}

@test "reinstalling (upgrading) the package rebuilds every installed kernel's image with its shim" {
	[ "$(step_rc "$NAME" reinstall-modlatch)" = 0 ] || step_out "$NAME" reinstall-modlatch
	run step_out "$NAME" reinstall-modlatch
	assert_line --regexp "^modlatch-update-initramfs: kernel $RE612: wrote /boot/initrd\\.img-$RE612 "
	refute_line --partial "kernel $REL61"
	run sha256sum -c "$FIXTURES/$NAME/image-6.12.sha256"
	assert_success
}

# --- bad input: each named, nothing written, the old image kept ---

# update_with_settings LINE...: modlatch-update-initramfs -k 6.12 with the LINEs added to
# modlatch.conf, which is then restored; the image must be unchanged and no .new left.
update_with_settings() {
	cp "$ROOT/etc/modlatch/modlatch.conf" "$BATS_TEST_TMPDIR/modlatch.conf"
	debian_settings "$ROOT" "$@"
	run in_root "$ROOT" modlatch-update-initramfs -k "$REL612"
	cp "$BATS_TEST_TMPDIR/modlatch.conf" "$ROOT/etc/modlatch/modlatch.conf"
	sha256sum -c --quiet "$FIXTURES/$NAME/image-6.12.sha256"
	[ ! -e "$ROOT/boot/initrd.img-$REL612.new" ]
}

conf_lines() { grep -c '' "$ROOT/etc/modlatch/modlatch.conf"; }

@test "a line of modlatch.conf that is not NAME=value is named with its line" {
	local line=$(($(conf_lines) + 1))
	update_with_settings "ROOT_MODE rw"
	assert_failure 1
	assert_output "modlatch-update-initramfs: /etc/modlatch/modlatch.conf:$line: expected NAME=value, not 'ROOT_MODE rw'"
}

@test "an unknown setting is named with its line" {
	local line=$(($(conf_lines) + 1))
	update_with_settings "ROOT_FS_TYPE=ext4"
	assert_failure 1
	assert_output "modlatch-update-initramfs: /etc/modlatch/modlatch.conf:$line: 'ROOT_FS_TYPE' is not a setting; modlatch.conf(5) lists them"
}

@test "a value the build refuses is named with its line and what it takes" {
	local line=$(($(conf_lines) + 1))
	update_with_settings "ON_FATAL=explode"
	assert_failure 1
	assert_line "/etc/modlatch/modlatch.conf:$line: ON_FATAL='explode': expected poweroff or reboot"
	assert_line "modlatch-update-initramfs: kernel $REL612: /boot/initrd.img-$REL612 is unchanged"
}

@test "a setting given twice is named with both lines" {
	local line=$(($(conf_lines) + 1))
	update_with_settings "ROOT=/dev/vdb"
	assert_failure 1
	assert_output --regexp "^modlatch-update-initramfs: /etc/modlatch/modlatch.conf:$line: ROOT is set again \\(first on line [0-9]+\\)$"
}

@test "a value is taken as written, never globbed: SUPERVISOR=/sbin/ini* is no supervisor of this root" {
	update_with_settings "SUPERVISOR=/sbin/ini*"
	assert_failure 1
	assert_line --partial "FAIL supervisor: /sbin/ini*: ENOENT"
	assert_line "modlatch-update-initramfs: kernel $REL612: /boot/initrd.img-$REL612 is unchanged"
}

@test "a list that does not exist is named with its setting's line" {
	local line=$(($(conf_lines) + 1))
	update_with_settings "LIST=/etc/modlatch/typo.list"
	assert_failure 1
	assert_output "modlatch-update-initramfs: /etc/modlatch/modlatch.conf:$line: LIST=/etc/modlatch/typo.list: no such file, or not readable"
}

@test "a typo in a list line is named with the list's file and line" {
	cp "$ROOT/etc/modlatch/modules.list" "$BATS_TEST_TMPDIR/modules.list"
	echo "virtio_bkl" >>"$ROOT/etc/modlatch/modules.list"
	local line
	line=$(grep -c '' "$ROOT/etc/modlatch/modules.list")
	run in_root "$ROOT" modlatch-update-initramfs -k "$REL612"
	cp "$BATS_TEST_TMPDIR/modules.list" "$ROOT/etc/modlatch/modules.list"
	assert_failure 1
	assert_line "/etc/modlatch/modules.list:$line: unknown module or alias 'virtio_bkl' in /lib/modules/$REL612"
	run sha256sum -c "$FIXTURES/$NAME/image-6.12.sha256"
	assert_success
}

@test "a kernel without its modules tree is named by the path" {
	run in_root "$ROOT" modlatch-update-initramfs -k 6.99.0-1-amd64
	assert_failure 1
	assert_line "modlatch-update-initramfs: kernel 6.99.0-1-amd64: /lib/modules/6.99.0-1-amd64: no such directory: the kernel's modules are not installed (is its package?)"
	assert_line "modlatch-update-initramfs: kernel 6.99.0-1-amd64: no image was written"
	[ ! -e "$ROOT/boot/initrd.img-6.99.0-1-amd64" ]
}

@test "a full /boot: the write's error is named, the old image kept, no .new left" {
	# /boot as a small filesystem of its own, holding what it held, then filled to the last
	# block, as by old kernels nobody removed.
	# shellcheck disable=SC2016 # the script expands its own arguments
	run unshare --mount --propagation private -- sh -c '
		root=$1 rel=$3
		cp -a "$root/boot" "$root/../boot.saved" && mount -t tmpfs -o size=64m tmpfs "$root/boot" &&
			cp -a "$root/../boot.saved/." "$root/boot/" || exit 9
		dd if=/dev/zero of="$root/boot/old-kernels" bs=64k 2>/dev/null
		[ "$(stat -f -c %a "$root/boot")" = 0 ] || exit 9
		mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" || exit 9
		chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin modlatch-update-initramfs -k "$rel"
		rc=$?
		sha256sum -c --quiet "$root/../image-6.12.sha256" || exit 8
		[ ! -e "$root/boot/initrd.img-$rel.new" ] || exit 7
		exit $rc' sh "$ROOT" - "$REL612"
	rm -rf "$ROOT/../boot.saved"
	assert_failure 1
	assert_line "modlatch-update-initramfs: kernel $REL612: error writing '/boot/initrd.img-$REL612.new': No space left on device"
	assert_line "modlatch-update-initramfs: kernel $REL612: /boot/initrd.img-$REL612 is unchanged"
}

@test "INITRD=No: the postinst hook builds nothing" {
	local before
	before=$(stat -c %Y "$ROOT/boot/initrd.img-$REL612")
	run in_root "$ROOT" env INITRD=No DEB_MAINT_PARAMS="configure" /etc/kernel/postinst.d/modlatch \
		"$REL612" "/boot/vmlinuz-$REL612"
	assert_success
	assert_output ""
	[ "$(stat -c %Y "$ROOT/boot/initrd.img-$REL612")" = "$before" ]
}

@test "the hooks act on configure and remove only: abort-upgrade and purge do nothing" {
	run in_root "$ROOT" env DEB_MAINT_PARAMS="abort-upgrade 1" /etc/kernel/postinst.d/modlatch \
		"$REL612" "/boot/vmlinuz-$REL612"
	assert_success
	assert_output ""
	run in_root "$ROOT" env DEB_MAINT_PARAMS="'purge'" /etc/kernel/postrm.d/modlatch \
		"$REL612" "/boot/vmlinuz-$REL612"
	assert_success
	assert_output ""
	[ -s "$ROOT/boot/initrd.img-$REL612" ]
}

@test "the hooks write nothing to standard output" {
	run in_root "$ROOT" sh -c "DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/modlatch $REL612 /boot/vmlinuz-$REL612 2>/dev/null"
	assert_success
	assert_output ""
	run sha256sum -c "$FIXTURES/$NAME/image-6.12.sha256"
	assert_success
}
