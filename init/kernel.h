/* SPDX-License-Identifier: MIT */
/*
 * Kernel ABI values the shim needs. musl ships no Linux uapi headers, so they are spelled out here,
 * each from the uapi header named beside it.
 */
#ifndef MODLATCH_KERNEL_H
#define MODLATCH_KERNEL_H

/* include/uapi/linux/module.h */
#define MODULE_INIT_COMPRESSED_FILE 4

/* include/uapi/linux/mount.h */
#define FSOPEN_CLOEXEC	    0x00000001
#define FSCONFIG_CMD_CREATE 6
#define FSMOUNT_CLOEXEC	    0x00000001

/* include/uapi/linux/magic.h: what statfs says /proc and /sys are when they are the kernel's. */
#define PROC_SUPER_MAGIC 0x9fa0

/* include/linux/sched.h: the flag of a kernel thread, field 9 of /proc/PID/stat. */
#define PF_KTHREAD 0x00200000

/* include/linux/proc_ns.h: PROC_PID_INIT_INO, as /proc/self/ns/pid spells it. */
#define INITIAL_PID_NS_LINK "pid:[4026531836]"

#endif
