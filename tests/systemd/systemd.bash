# SPDX-License-Identifier: MIT
# The fixture of tests/systemd/: a Debian root booted by its own systemd from a disk, behind
# modlatch as the whole initramfs (ROOT=/dev/vda). Loaded after ../lib/fixture.
#
# The root is the kernel's own Debian release (scripts/guestroot.sh dir systemd-bookworm on the
# 6.1 kernel, systemd-trixie on 6.12), copied with the kernel's modules tree under
# /usr/lib/modules, as a Debian root that has its kernel installed, and the boot check
# (guest/check.sh) as a service of its own. The table is the disk root's list, the container
# host's and etc/systemd-host.list, what systemd itself asks for.

SYSTEMD_GUEST=$REPO/tests/systemd/guest
# What modlatch execs on the root: Debian's /sbin/init, a link to /lib/systemd/systemd, where
# /lib is a link to usr/lib.
SYSTEMD_INIT=${SYSTEMD_INIT:-/sbin/init}

# systemd_enable DISK_ROOT TARGET UNIT_PATH: what `systemctl enable` does for a unit wanted by
# TARGET ([Install] WantedBy=), without the build machine's systemctl.
systemd_enable() {
	[ -e "$1$3" ] || [ -e "$1/usr$3" ] || {
		echo "systemd_enable: no $3 in $1" >&2
		return 1
	}
	mkdir -p "$1/etc/systemd/system/$2.wants" &&
		ln -sfn "$3" "$1/etc/systemd/system/$2.wants/$(basename "$3")"
}

systemd_root() { sh "$REPO/scripts/guestroot.sh" dir "systemd-$KERNEL"; }

# systemd_check_install DISK_ROOT [PART...]: the boot check (guest/check.sh) as a service of the
# root, enabled, with the PARTs of guest/ it runs; emergency and rescue run it too, to say why.
systemd_check_install() {
	local disk=$1 part
	shift
	install -D -m 0755 "$SYSTEMD_GUEST/check.sh" "$disk/usr/local/sbin/modlatch-check" &&
		install -D -m 0644 "$SYSTEMD_GUEST/modlatch-check.service" \
			"$disk/etc/systemd/system/modlatch-check.service" || return 1
	for unit in emergency rescue; do
		install -D -m 0644 "$SYSTEMD_GUEST/emergency.conf" \
			"$disk/etc/systemd/system/$unit.service.d/modlatch-check.conf" || return 1
	done
	mkdir -p "$disk/usr/local/lib/modlatch-check"
	for part in "$@"; do
		install -m 0644 "$SYSTEMD_GUEST/$part" "$disk/usr/local/lib/modlatch-check/$part" ||
			return 1
	done
	systemd_enable "$disk" multi-user.target /etc/systemd/system/modlatch-check.service
}

# systemd_list NAME [LEFT_OUT...]: the fixture's list, $FIXTURES/NAME/systemd.list, without the
# entries LEFT_OUT (for a case whose guest asks for a module the table lacks).
systemd_list() {
	local name=$1 out left_out=(-e /)
	shift
	# "/" stands for none: no line of a list is "/".
	for out in "$@"; do left_out+=(-e "$out"); done
	mkdir -p "$FIXTURES/$name"
	cat "$REPO/etc/disk-root.list" "$REPO/etc/container-host.list" \
		"$REPO/etc/systemd-host.list" | grep -vxF "${left_out[@]}" >"$FIXTURES/$name/systemd.list"
}

# systemd_tree NAME FSTYPE [PART...]: $FIXTURES/NAME/disk-root, the root the disk is made of:
# the Debian root, the kernel's modules tree, the boot check with the PARTs of guest/ it runs
# (appliance.sh, outsider.sh...), and what the filesystem needs: on ext4 (read-write) an fstab
# line for it; on erofs (read-only) tmpfs on /var and /tmp, a volatile journal, and podman's
# networks in /run.
systemd_tree() {
	local name=$1 fstype=$2 disk=$FIXTURES/$1/disk-root src tree release part
	shift 2
	src=$(systemd_root) || return 1
	tree=$(kernel_modules_dir "${BOOT_KERNEL:-$KERNEL}")
	release=$(basename "$tree")
	rm -rf "$disk"
	mkdir -p "$FIXTURES/$name"
	cp -a "$src" "$disk"
	mkdir -p "$disk/usr/lib/modules"
	cp -a "$tree" "$disk/usr/lib/modules/$release"
	# modlatch's systemd layout, as doc/boot.md tells a user to copy it: the units that report
	# refused module requests, and the requests every boot makes that need no module.
	cp -a "$REPO/rootfs-overlay/etc/systemd" "$REPO/rootfs-overlay/etc/modlatch" "$disk/etc/"
	systemd_check_install "$disk" "$@" || return 1
	case "$fstype" in
	ext4) echo "/dev/vda / ext4 rw 0 1" >"$disk/etc/fstab" ;;
	erofs)
		printf '%s\n' "tmpfs /var tmpfs mode=0755,nosuid,nodev 0 0" \
			"tmpfs /tmp tmpfs mode=1777,nosuid,nodev 0 0" >"$disk/etc/fstab"
		# podman keeps its networks and their lock in /etc/containers/networks, made at its
		# first run: on a read-only /etc, podman.service and podman-restart.service fail with
		# "read-only file system". They go to /run instead.
		if [ -d "$disk/etc/containers" ]; then
			mkdir -p "$disk/etc/containers/containers.conf.d"
			printf '%s\n' '[network]' 'network_config_dir = "/run/containers/networks"' \
				>"$disk/etc/containers/containers.conf.d/read-only-root.conf"
		fi
		mkdir -p "$disk/etc/systemd/journald.conf.d"
		printf '%s\n' "[Journal]" "Storage=volatile" \
			>"$disk/etc/systemd/journald.conf.d/volatile.conf"
		;;
	esac
}

# systemd_appliance NAME: adds the appliance of tests/systemd/appliance/ to the disk root (the
# nftables ruleset, podman's configuration, the web container's units) and enables
# nftables.service and web.service, as an administrator would.
systemd_appliance() {
	local disk=$FIXTURES/$1/disk-root
	cp -a "$REPO/tests/systemd/appliance/." "$disk/"
	systemd_enable "$disk" sysinit.target /lib/systemd/system/nftables.service &&
		systemd_enable "$disk" multi-user.target /etc/systemd/system/web.service
}

# systemd_disk NAME FSTYPE: the disk image $FIXTURES/NAME/disk.img from disk-root: ext4 with
# room for podman's store, or erofs followed by its dm-verity hash tree (scripts/verity.sh,
# parameters in $FIXTURES/NAME/verity).
systemd_disk() {
	local name=$1 fstype=$2 dir=$FIXTURES/$1 mb
	rm -f "$dir/fs.img" "$dir/disk.img" "$dir/verity"
	case "$fstype" in
	ext4)
		mb=$(du -sm "$dir/disk-root" | cut -f1)
		mkfs.ext4 -q -F -L root -d "$dir/disk-root" "$dir/disk.img" "$((mb + 1024))M"
		;;
	erofs)
		mkfs.erofs "$dir/fs.img" "$dir/disk-root" >"$dir/mkfs.log" 2>&1 || {
			cat "$dir/mkfs.log" >&2
			return 1
		}
		truncate -s %4096 "$dir/fs.img"
		sh "$REPO/scripts/verity.sh" "$dir/fs.img" "$dir/disk.img" "$dir/verity"
		;;
	esac
}

# systemd_build NAME FSTYPE [MAKE_VAR=VALUE ...]: modlatch for the disk, built from the
# fixture's list (systemd_list) with ROOT=/dev/vda, SUPERVISOR=$SYSTEMD_INIT and the MAKE_VARs,
# and its initramfs: modlatch, the table's module files, /dev/console and nothing else.
systemd_build() {
	local name=$1 fstype=$2 dir=$FIXTURES/$1
	shift 2
	local root_vars=(ROOT=/dev/vda ROOT_FSTYPE="$fstype")
	case "$fstype" in
	ext4) root_vars+=(ROOT_MODE=rw) ;;
	erofs) root_vars+=(VERITY="$dir/verity") ;;
	esac
	fixture_build "$name" "$dir/systemd.list" "${root_vars[@]}" SUPERVISOR="$SYSTEMD_INIT" "$@" &&
		fixture_initramfs "$name" INITRAMFS_OVERLAY=
}

# systemd_boot NAME: boots the fixture's initramfs with its disk and prints the boot's times.
# The console carries systemd's status lines too; the check's lines are the CHECK lines.
systemd_boot() {
	fixture_boot "$1" -drive "file=$FIXTURES/$1/disk.img,if=virtio,format=raw" || return 1
	echo "# $RUN $1: boot to power-off $(cat "$FIXTURES/$1/boot-seconds") s," \
		"modlatch start to latch $(summary_field "$1" total_ms) ms, systemd running at" \
		"$(check_lines "$1" | sed -n 's/^uptime_running=//p') s of uptime" >&3
}

# What the check saw, one value per line: the values of KEY.
check_values() { check_lines "$1" | sed -n "s/^$2=//p"; }

# --- what every boot of the suite asserts (each a test of its own in the .bats files) ---

# systemd_case NAME FSTYPE [--part PART]... [--appliance] [--without MODULE]... [--edit FUNCTION]
# [MAKE_VAR=VALUE ...]: builds the fixture (list without the MODULEs, disk root with the check's
# PARTs and the appliance, then `FUNCTION DISK_ROOT`, the disk image, modlatch and its
# initramfs) and boots it.
systemd_case() {
	local name=$1 fstype=$2 parts=() appliance=no without=() edit=""
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--part) parts+=("$2") && shift 2 ;;
		--appliance) appliance=yes && shift ;;
		--without) without+=("$2") && shift 2 ;;
		--edit) edit=$2 && shift 2 ;;
		*) break ;;
		esac
	done
	systemd_list "$name" "${without[@]}" && systemd_tree "$name" "$fstype" "${parts[@]}" ||
		return 1
	if [ "$appliance" = yes ]; then systemd_appliance "$name" || return 1; fi
	if [ -n "$edit" ]; then "$edit" "$FIXTURES/$name/disk-root" || return 1; fi
	systemd_disk "$name" "$fstype" && systemd_build "$name" "$fstype" "$@" &&
		systemd_boot "$name" || return 1
	# For the log: what became of systemd's module loaders (skipped for an unmet condition,
	# or run and made harmless by the latch).
	check_values "$name" unit | sed "s/^/# $RUN $name: /" >&3
}

# PID 1 is Debian's systemd, exec'd by modlatch as /sbin/init.
assert_systemd_pid1() {
	run modlatch_lines "$1"
	assert_line "modlatch: exec $SYSTEMD_INIT"
	run check_lines "$1"
	assert_line 'pid1_comm=systemd'
	assert_line 'pid1_exe=/usr/lib/systemd/systemd'
}

# The latch holds under systemd, and modlatch's report is in systemd's journal (journalctl -k).
assert_latch_in_journal() {
	run modlatch_lines "$1"
	assert_line --regexp '^modlatch: summary .* failed=0 optional_failed=[0-9]+ latched=yes '
	run check_lines "$1"
	assert_line 'modules_disabled=1'
	assert_line --regexp '^klog=\[ *[0-9.]+\] [^ ]+ modlatch: latch modules_disabled=1 probe=EPERM confirmed$'
}

# `systemctl is-system-running --wait` said running, and no unit failed (the failed units and
# their last words are the message otherwise).
assert_running() {
	local failed
	failed=$(check_values "$1" failed)
	[ -z "$failed" ] || {
		echo "systemctl --failed:"
		echo "$failed"
		check_values "$1" failed_log
		return 1
	}
	run check_lines "$1"
	assert_line 'state=running'
}

# No error in the journal (kernel and userspace) is about a module: the lines, if any.
assert_no_module_errors() {
	local errors
	errors=$( (check_values "$1" err && check_values "$1" kerr) |
		grep -E 'Failed to insert module|Failed to find module|modprobe|kmod' | sort -u)
	[ -z "$errors" ] || {
		echo "errors about modules in the journal:"
		echo "$errors"
		return 1
	}
	# The journal was read: the check's own lines are there.
	run check_lines "$1"
	assert_line --regexp '^klog='
}

# The ext4 boots' own checks, for ext4.bats and appliance.bats (the same boot with the
# appliance added): the root mounted read-write and /sbin/init exec'd; systemd-modules-load ran
# with PID 1 holding CAP_SYS_MODULE; a modules-load.d name the table lacks (nlmon, outsider.sh)
# failed it, named; and with the name gone and the failure reset, nothing is failed.
assert_ext4_root() {
	run modlatch_lines "$1"
	assert_line --regexp "^modlatch: root: /dev/vda \\(ext4, rw\\) is / after [0-9]+ms; initramfs freed; next: $SYSTEMD_INIT\$"
	run check_lines "$1"
	assert_line 'root=/dev/vda ext4 rw'
}

assert_modules_load_ran() {
	run check_lines "$1"
	assert_line 'unit=systemd-modules-load.service ActiveState=active ConditionResult=yes Result=success'
}

assert_outsider_named() {
	assert_step "$1" outsider-modules-load
	run check_lines "$1"
	assert_line "outsider_log=Failed to insert module 'nlmon': Operation not permitted"
	assert_line 'outsider_log=Failed to start systemd-modules-load.service - Load Kernel Modules.'
}
