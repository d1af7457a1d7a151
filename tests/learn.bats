#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# modlatch-gen --learn: a list from a reference system's /proc/modules. The recordings in
# tests/data/learn/ come from Debian's kernels booted in QEMU with udev-style coldplug and a few
# modules loaded by hand (tests/data/learn/record.sh): /proc/modules and, per module, the
# devices its drivers were bound to.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load lib/kernel

DATA=$REPO/tests/data/learn

setup_file() {
	build_generator
}

# fake_sysfs SUITE: a directory shaped like /sys/module/*/drivers/*/DEVICE from the recording.
fake_sysfs() {
	local dir=$BATS_TEST_TMPDIR/sys entry
	while read -r entry; do mkdir -p "$dir/$entry"; done <"$DATA/$1.sysfs"
	for entry in bind unbind uevent; do
		touch "$dir/module/virtio_pci/drivers/pci:virtio-pci/$entry"
	done
	echo "$dir"
}

# The module names of a list, in order.
names() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/[[:space:]].*//' "$1"; }

@test "only modules nothing else uses are listed, in the order they were loaded" {
	"$GEN" --learn "$DATA/bookworm.proc-modules" >"$BATS_TEST_TMPDIR/learned.list"
	run names "$BATS_TEST_TMPDIR/learned.list"
	assert_output "$(printf '%s\n' button qemu_fw_cfg evdev virtio_pci ata_generic ata_piix \
		serio_raw sr_mod virtio_net virtio_blk virtio_rng virtio_balloon br_netfilter 8021q \
		veth dummy xfs)"
	run head -n 3 "$BATS_TEST_TMPDIR/learned.list"
	assert_line --partial "# 33 module(s) loaded: 17 listed here in load order, 16 left out as"
}

@test "each line says which dependencies it pulled in" {
	run "$GEN" --learn "$DATA/bookworm.proc-modules"
	assert_success
	assert_line --regexp '^br_netfilter +# pulls in llc, stp, bridge$'
	assert_line --regexp '^8021q +# pulls in llc, stp, mrp, garp$'
	assert_line --regexp '^virtio_net +# pulls in virtio_ring, virtio, failover, net_failover$'
	assert_line 'veth'
	refute_line --regexp '^(bridge|stp|llc|garp|mrp|libcrc32c|virtio|virtio_ring|libata)\b'
}

@test "with sysfs, each line also names the devices its drivers are bound to" {
	local sys
	sys=$(fake_sysfs bookworm)
	run "$GEN" --learn "$DATA/bookworm.proc-modules" --sysfs "$sys"
	assert_success
	assert_line --regexp '^virtio_net +# device virtio0 \(virtio:virtio_net\); pulls in virtio_ring, virtio, failover, net_failover$'
	assert_line --regexp '^virtio_pci +# device 0000:00:03.0 \(pci:virtio-pci\), device 0000:00:04.0 \(pci:virtio-pci\), device 0000:00:05.0 \(pci:virtio-pci\) and 1 more; pulls in'
	assert_line --regexp '^qemu_fw_cfg +# device QEMU0002:00 \(platform:fw_cfg\)$'
	assert_line 'evdev'
}

@test "the learned list gives back every loaded module when the table is generated (6.1)" {
	local list=$BATS_TEST_TMPDIR/learned.list out=$BATS_TEST_TMPDIR/table.c
	"$GEN" --learn "$DATA/bookworm.proc-modules" >"$list"
	run "$GEN" -o "$out" "$list" "$(kernel_modules_dir bookworm)"
	assert_success
	[ "$(sed -n 's/.*\.name = [0-9]*, \/\* "\([^"]*\)".*/\1/p' "$out" | sort)" = \
		"$(cut -d' ' -f1 "$DATA/bookworm.proc-modules" | sort)" ]
}

@test "the same on 6.12, whose modules are .ko.xz" {
	local list=$BATS_TEST_TMPDIR/learned.list out=$BATS_TEST_TMPDIR/table.c
	"$GEN" --learn "$DATA/trixie.proc-modules" >"$list"
	run "$GEN" -k "$(kernel_info config trixie)" -o "$out" "$list" "$(kernel_modules_dir trixie)"
	assert_success
	[ "$(sed -n 's/.*\.name = [0-9]*, \/\* "\([^"]*\)".*/\1/p' "$out" | sort)" = \
		"$(cut -d' ' -f1 "$DATA/trixie.proc-modules" | sort)" ]
}

@test "names from sysfs and the input path cannot add a line to the list: only safe characters" {
	local sys=$BATS_TEST_TMPDIR/sys in=$BATS_TEST_TMPDIR/$'modules\nevil_path #' list=$BATS_TEST_TMPDIR/learned.list
	mkdir -p "$sys/module/veth/drivers/pci:dr"$'\n''evil_driver #'
	local driver="$sys/module/veth/drivers/pci:dr"$'\n''evil_driver #'
	mkdir "$driver/0000:00:03.0" "$driver/"$'dev0\nevil_module #'
	printf '%s\n' 'veth 36864 0 - Live'$'\r''evil_state 0x0' >"$in"
	"$GEN" --learn "$in" --sysfs "$sys" >"$list"
	run names "$list"
	assert_output 'veth'
	run grep -c '^#' "$list"
	assert_output 4
	run grep -v '^#' "$list"
	assert_output --regexp '^veth  # device 0000:00:03.0 \(pci:dr\?evil_driver\?\?\), device dev0\?evil_module\?\? \(pci:dr\?evil_driver\?\?\)$'
	run grep '^#' "$list"
	assert_line --index 0 "# Learned by modlatch-gen --learn from $BATS_TEST_TMPDIR/modules?evil_path??."
	assert_line --index 3 '# veth was Live?evil_state, not Live, when read'
	# Read back by the generator, the list names veth and nothing else.
	run "$GEN" -o "$BATS_TEST_TMPDIR/table.c" "$list" "$(kernel_modules_dir bookworm)"
	assert_success
	[ "$(sed -n 's/.*\.name = [0-9]*, \/\* "\([^"]*\)".*/\1/p' "$BATS_TEST_TMPDIR/table.c")" = veth ]
}

@test "a module whose only users are missing from the file (read mid-unload) is kept" {
	printf '%s\n' 'llc 16384 1 stp, Live 0x0' 'veth 36864 0 - Live 0x0' >"$BATS_TEST_TMPDIR/modules"
	run --separate-stderr "$GEN" --learn "$BATS_TEST_TMPDIR/modules"
	assert_success
	assert_line 'llc'
	[[ "$stderr" == *"note: llc is used only by modules not listed (stp); kept"* ]]
}

@test "a malformed line is named by file and line, and nothing is printed" {
	local bad=$BATS_TEST_TMPDIR/modules
	{
		head -n 2 "$DATA/bookworm.proc-modules"
		echo 'bridge 294912 1 br_netfilter Live 0xffffffffc0442000'
		echo 'stp many 2 garp,bridge, Live 0x0'
		echo 'lonely'
	} >"$bad"
	run --separate-stderr "$GEN" --learn "$bad"
	assert_failure 1
	assert_output ''
	[[ "$stderr" == *"$bad:3: users must be '-' or names each followed by ','"* ]]
	[[ "$stderr" == *"$bad:4: size and reference count must be numbers"* ]]
	[[ "$stderr" == *"$bad:5: expected 'name size refcount users state address'"* ]]
}

@test "a name no kernel module can have is refused: in a list it would mean something else" {
	printf '%s\n' '?veth 36864 0 - Live 0x0' 'llc 16384 1 #stp, Live 0x0' >"$BATS_TEST_TMPDIR/modules"
	run --separate-stderr "$GEN" --learn "$BATS_TEST_TMPDIR/modules"
	assert_failure 1
	assert_output ''
	[[ "$stderr" == *":1: module name with a character other than letters, digits, '_' and '-'"* ]]
	[[ "$stderr" == *":2: users must be '-' or names each followed by ','"* ]]
}

@test "a missing file is named with its errno, and usage errors exit 2" {
	run "$GEN" --learn "$BATS_TEST_TMPDIR/nothing"
	assert_failure 1
	assert_output "$BATS_TEST_TMPDIR/nothing: cannot open: ENOENT"
	run "$GEN" --learn a b
	assert_failure 2
	assert_output --partial 'usage: modlatch-gen --learn'
}

@test "without arguments it reads this machine's /proc/modules" {
	run --separate-stderr "$GEN" --learn
	if [ ! -e /proc/modules ]; then
		# A kernel built without modules (as this project's CI machine may be) has none.
		assert_failure 1
		[ "$stderr" = "/proc/modules: cannot open: ENOENT" ]
		return
	fi
	assert_success
	assert_line --index 0 '# Learned by modlatch-gen --learn from /proc/modules.'
	local unused
	unused=$(awk '$4 == "-"' /proc/modules | wc -l)
	assert_line --index 1 --regexp "^# [0-9]+ module\(s\) loaded: $unused listed here"
}
