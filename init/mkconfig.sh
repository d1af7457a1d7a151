#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes config.h, the one place where the shim's compile-time choices live, from the Makefile's
# variables. Bad values stop the build with the variable named.
set -eu
# No word of a variable is ever a pattern: SUPERVISOR='/bin/ba*' must not become the build
# host's /bin/bash.
set -f

die() {
	echo "mkconfig: $*" >&2
	exit 1
}

# c_string NAME VALUE: VALUE goes into config.h between double quotes, so it may hold no quote,
# backslash, '?' (a trigraph such as ??/ is a backslash in C11) or control character.
c_string() {
	case "$2" in
	*[\"\\?]* | *[[:cntrl:]]*) die "$1='$2': quotes, backslashes, '?' and control characters are not supported" ;;
	esac
}

# two_way NAME VALUE ZERO ONE: prints 0 for ZERO and 1 for ONE; any other value stops the build.
two_way() {
	case "$2" in
	"$3") echo 0 ;;
	"$4") echo 1 ;;
	*) die "$1='$2': expected $3 or $4" ;;
	esac
}

reboot=$(two_way ON_FATAL "$ON_FATAL" poweroff reboot)
halt=$(two_way ON_MODULE_FAILURE "$ON_MODULE_FAILURE" continue halt)
kill_others=$(two_way KILL_OTHERS "${KILL_OTHERS:-no}" no yes)
halt_on_foreign=$(two_way ON_FOREIGN_MODULE "${ON_FOREIGN_MODULE:-continue}" continue halt)
halt_on_integrity=$(two_way ON_INTEGRITY_FAILURE "${ON_INTEGRITY_FAILURE:-halt}" continue halt)
reaper=$(two_way HANDOFF "$HANDOFF" exec reaper)
exit_reboot=$(two_way ON_EXIT "$ON_EXIT" poweroff reboot)
parallel=$(two_way LOAD "$LOAD" serial parallel)
sha256_fast=$(two_way SHA256 "${SHA256:-portable}" portable fast)
record=$(two_way AFTER_LATCH "${AFTER_LATCH:-blank}" blank record)
# Companion latches: words from a fixed set, or "all".
latch_kexec=0 latch_bpf=0 latch_ptrace=0 latch_usermodehelper=0 latch_sys_module=0
also_latch=""
for word in $(echo "${ALSO_LATCH:-}" | tr ',' ' '); do
	case "$word" in
	all) set -- kexec bpf ptrace usermodehelper sys_module ;;
	kexec | bpf | ptrace | usermodehelper | sys_module) set -- "$word" ;;
	# Set after the latch, module.sig_enforce guarded nothing: no module can load anyway.
	sig_enforce) die "ALSO_LATCH: sig_enforce is gone: set after the latch it guarded nothing, as modules_disabled already refuses every module; for signature checks build the kernel with CONFIG_MODULE_SIG_FORCE" ;;
	*) die "ALSO_LATCH: unknown latch '$word': expected kexec, bpf, ptrace, usermodehelper, sys_module or all" ;;
	esac
	for latch in "$@"; do
		eval "latch_$latch=1"
	done
done
for latch in kexec bpf ptrace usermodehelper sys_module; do
	eval "[ \$latch_$latch = 0 ] || also_latch=\"\$also_latch \$latch\""
done
case "$MAX_THREADS" in
'' | *[!0-9]* | 0) die "MAX_THREADS='$MAX_THREADS': expected a whole number from 1" ;;
esac
case "${LOAD_DEADLINE:-120}" in
'' | *[!0-9]* | 0) die "LOAD_DEADLINE='${LOAD_DEADLINE:-}': expected whole seconds from 1" ;;
esac
case "$STOP_TIMEOUT" in
'' | *[!0-9]*) die "STOP_TIMEOUT='$STOP_TIMEOUT': expected whole seconds" ;;
esac
# Named presets for the layouts in rootfs-overlay/.
case "$SUPERVISOR" in
s6) SUPERVISOR="/etc/s6/boot" ;;
busybox-init) SUPERVISOR="/sbin/init" ;;
esac
# A root shell on the console when no supervisor can run: only when asked for by name, as it
# gives an unauthenticated root shell to whoever can break the supervisor or sits at the console.
shell=$(two_way FALLBACK_SHELL "${FALLBACK_SHELL:-no}" no yes)
[ "$shell" = 0 ] || SUPERVISOR="$SUPERVISOR:/bin/sh"
c_string SUPERVISOR "$SUPERVISOR"
c_string VERSION "$VERSION"
c_string TARGET_MODULES "$TARGET_MODULES"
c_string AFTER_LATCH_HELPER "${AFTER_LATCH_HELPER:-}"
# Module names, as the kernel writes them in /proc/modules ('-' is '_' there).
# shellcheck disable=SC2086 # unquoted: runs of blanks become one space
allow_foreign=$(echo ${ALLOW_FOREIGN:-} | tr ',-' ' _')
case "$allow_foreign" in
*[!A-Za-z0-9_\ ]*) die "ALLOW_FOREIGN='${ALLOW_FOREIGN:-}': expected module names" ;;
esac
case "$TARGET_MODULES" in
/*) ;;
*) die "TARGET_MODULES='$TARGET_MODULES': must be an absolute path" ;;
esac
# The kernel execs kernel.modprobe by its path, and modlatch checks at boot that the path leads
# to itself; a relative or quoted path could do neither.
case "${AFTER_LATCH_HELPER:-}" in
/*[[:space:]]*) die "AFTER_LATCH_HELPER='$AFTER_LATCH_HELPER': spaces are not supported" ;;
/*) ;;
*) die "AFTER_LATCH_HELPER='${AFTER_LATCH_HELPER:-}': must be the absolute path of modlatch in the image" ;;
esac

# The real root (ROOT=): a device under /dev or a GPT partition by name, its filesystem type,
# read-only unless asked, and how long to wait for it. Checked here so that a typo cannot wait
# ROOT_WAIT seconds at boot and stop the machine.
root_switch=0
root_readonly=$(two_way ROOT_MODE "${ROOT_MODE:-ro}" rw ro)
case "${ROOT:-}" in
'') ;;
/dev/*[!A-Za-z0-9/_.:-]* | /dev/ | PARTLABEL= | PARTLABEL=*[!A-Za-z0-9_.-]*)
	die "ROOT='$ROOT': expected /dev/NAME or PARTLABEL=NAME (letters, digits, '_', '.', '-')" ;;
/dev/* | PARTLABEL=*) root_switch=1 ;;
*) die "ROOT='$ROOT': expected /dev/NAME or PARTLABEL=NAME" ;;
esac
case "${ROOT_FSTYPE:-}" in
'') [ "$root_switch" = 0 ] || die "ROOT_FSTYPE is empty: name the root's filesystem (ext4, erofs, squashfs...)" ;;
*[!a-z0-9]*) die "ROOT_FSTYPE='$ROOT_FSTYPE': expected a filesystem type such as ext4 or erofs" ;;
esac
case "${ROOT_WAIT:-30}" in
'' | *[!0-9]* | 0) die "ROOT_WAIT='${ROOT_WAIT:-}': expected whole seconds from 1" ;;
esac
# With ROOT the initramfs, /init included, is gone once the disk is "/": the helper is a copy of
# modlatch that it makes on /run, which moves into the new root at the same path.
helper_copy=0
if [ "$root_switch" = 1 ] && [ "$record" = 1 ]; then
	case "$AFTER_LATCH_HELPER" in
	/init | /run/modlatch/helper) AFTER_LATCH_HELPER=/run/modlatch/helper helper_copy=1 ;;
	*) die "AFTER_LATCH_HELPER='$AFTER_LATCH_HELPER' with ROOT: the initramfs is freed at the switch, so the helper is modlatch's own copy at /run/modlatch/helper; leave AFTER_LATCH_HELPER unset" ;;
	esac
fi

# The verified root (VERITY=FILE): the parameters scripts/verity.sh wrote, read as data (never
# sourced), each checked.
verity=0 verity_options="" verity_root_hash="" verity_salt="-" verity_algorithm=sha256
verity_data_blocks=0 verity_data_block_size=4096 verity_hash_block_size=4096 verity_hash_start=0
if [ -n "${VERITY:-}" ]; then
	[ "$root_switch" = 1 ] || die "VERITY='$VERITY' needs ROOT: the device the verity data is on"
	[ "$root_readonly" = 1 ] || die "VERITY with ROOT_MODE=rw: a verity device is read-only"
	[ -f "$VERITY" ] || die "VERITY='$VERITY': no such file (make verity-image writes it)"
	verity=1
	n=0
	while IFS='=' read -r key value; do
		n=$((n + 1))
		case "$key=$value" in
		'=' | '#'*) continue ;;
		VERITY_ROOT_HASH=*) pattern=hex verity_root_hash=$value ;;
		VERITY_SALT=*) pattern=hex verity_salt=$value ;;
		VERITY_ALGORITHM=*) pattern=word verity_algorithm=$value ;;
		VERITY_DATA_BLOCKS=*) pattern=number verity_data_blocks=$value ;;
		VERITY_DATA_BLOCK_SIZE=*) pattern=number verity_data_block_size=$value ;;
		VERITY_HASH_BLOCK_SIZE=*) pattern=number verity_hash_block_size=$value ;;
		VERITY_HASH_START=*) pattern=number verity_hash_start=$value ;;
		*) die "$VERITY:$n: unknown line '$key=$value'" ;;
		esac
		case "$pattern:$value" in
		hex:-) [ "$key" = VERITY_SALT ] || die "$VERITY:$n: $key='-': only the salt may be empty" ;;
		hex:*[!0-9a-f]* | hex: | word:*[!a-z0-9]* | word: | number:*[!0-9]* | number:)
			die "$VERITY:$n: $key='$value' is not a $pattern" ;;
		esac
	done <"$VERITY"
	[ -n "$verity_root_hash" ] || die "$VERITY: no VERITY_ROOT_HASH"
	[ "$verity_data_blocks" -gt 0 ] || die "$VERITY: no VERITY_DATA_BLOCKS"
	for size in "$verity_data_block_size" "$verity_hash_block_size"; do
		case "$size" in
		512 | 1024 | 2048 | 4096) ;;
		*) die "$VERITY: block size $size: expected 512, 1024, 2048 or 4096" ;;
		esac
	done
fi
case "${VERITY_ON_CORRUPTION:-eio}" in
eio) ;;
restart) verity_options=" 1 restart_on_corruption" ;;
panic) verity_options=" 1 panic_on_corruption" ;;
*) die "VERITY_ON_CORRUPTION='$VERITY_ON_CORRUPTION': expected eio, restart or panic" ;;
esac

echo "/* Generated by init/mkconfig.sh from the Makefile's variables. Do not edit. */"
echo "#ifndef MODLATCH_CONFIG_H"
echo "#define MODLATCH_CONFIG_H"
echo
echo "#include <stddef.h>"
echo
echo "#define ML_VERSION \"$VERSION\""
echo "#define ML_MODULES_DIR \"$TARGET_MODULES\""
echo "#define ML_ON_FATAL_REBOOT $reboot"
echo "#define ML_HALT_ON_MODULE_FAILURE $halt"
echo "#define ML_HALT_ON_INTEGRITY_FAILURE $halt_on_integrity"
echo "#define ML_HALT_ON_FOREIGN_MODULE $halt_on_foreign"
echo "#define ML_KILL_OTHERS $kill_others"
echo "#define ML_ALLOW_FOREIGN \"$allow_foreign\""
echo "#define ML_HANDOFF_REAPER $reaper"
echo "#define ML_ON_EXIT_REBOOT $exit_reboot"
echo "#define ML_STOP_TIMEOUT_S $STOP_TIMEOUT"
echo "#define ML_LOAD_DEADLINE_S ${LOAD_DEADLINE:-120}"
echo "#define ML_PARALLEL $parallel"
echo "#define ML_SHA256_FAST $sha256_fast"
echo "#define ML_MAX_THREADS $MAX_THREADS"
echo "#define ML_LATCH_KEXEC $latch_kexec"
echo "#define ML_LATCH_BPF $latch_bpf"
echo "#define ML_LATCH_PTRACE $latch_ptrace"
echo "#define ML_LATCH_UMH_BSET $latch_usermodehelper"
echo "#define ML_LATCH_SYS_MODULE $latch_sys_module"
echo "#define ML_ANY_COMPANION $([ -n "$also_latch" ] && echo 1 || echo 0)"
echo "#define ML_ALSO_LATCH \"${also_latch# }\""
echo "#define ML_AFTER_LATCH_RECORD $record"
echo "#define ML_AFTER_LATCH_HELPER \"$AFTER_LATCH_HELPER\""
echo "#define ML_AFTER_LATCH_HELPER_COPY $helper_copy"
echo "#define ML_ROOT_SWITCH $root_switch"
echo "#define ML_ROOT \"${ROOT:-}\""
echo "#define ML_ROOT_FSTYPE \"${ROOT_FSTYPE:-}\""
echo "#define ML_ROOT_READONLY $root_readonly"
echo "#define ML_ROOT_WAIT_S ${ROOT_WAIT:-30}"
echo "#define ML_VERITY $verity"
echo "#define ML_VERITY_NAME \"root\""
echo "#define ML_VERITY_ROOT_HASH \"$verity_root_hash\""
echo "#define ML_VERITY_SALT \"$verity_salt\""
echo "#define ML_VERITY_ALGORITHM \"$verity_algorithm\""
echo "#define ML_VERITY_DATA_BLOCKS ${verity_data_blocks}ULL"
echo "#define ML_VERITY_DATA_BLOCK_SIZE ${verity_data_block_size}u"
echo "#define ML_VERITY_HASH_BLOCK_SIZE ${verity_hash_block_size}u"
echo "#define ML_VERITY_HASH_START ${verity_hash_start}ULL"
echo "#define ML_VERITY_ON_CORRUPTION \"${VERITY_ON_CORRUPTION:-eio}\""
echo "#define ML_VERITY_OPTIONS \"$verity_options\""
echo "#define ML_DEFAULT_PATH \"/usr/sbin:/usr/bin:/sbin:/bin\""
echo
echo "/* Supervisors to exec, in order of preference; each an argv. */"
echo "static const char *const *const ml_supervisors[] = {"
count=0
old_ifs=$IFS
IFS=:
for choice in $SUPERVISOR; do
	IFS=$old_ifs
	# shellcheck disable=SC2086 # splitting the choice into its words is the point
	set -- $choice
	[ $# -gt 0 ] || continue
	case "$1" in
	/*) ;;
	*) die "SUPERVISOR: '$1' must be an absolute path" ;;
	esac
	printf '\t(const char *const[]){'
	for word in "$@"; do printf '"%s", ' "$word"; done
	printf 'NULL},\n'
	count=$((count + 1))
	IFS=:
done
IFS=$old_ifs
[ "$count" -gt 0 ] || die "SUPERVISOR is empty: name at least one program to exec"
echo "	NULL,"
echo "};"
echo
echo "#endif"
