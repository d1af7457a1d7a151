/* SPDX-License-Identifier: MIT */
/*
 * Kernel ABI values the shim needs. musl ships no Linux uapi headers, so they are spelled out here,
 * each from the uapi header named beside it.
 */
#ifndef MODLATCH_KERNEL_H
#define MODLATCH_KERNEL_H

/* include/uapi/linux/module.h */
#define MODULE_INIT_COMPRESSED_FILE 4

/* include/uapi/linux/futex.h: what the loading workers wait on (ready.c). */
#define FUTEX_WAIT	   0
#define FUTEX_WAKE	   1
#define FUTEX_PRIVATE_FLAG 128

/* include/uapi/linux/mount.h */
#define FSOPEN_CLOEXEC	    0x00000001
#define FSCONFIG_CMD_CREATE 6
#define FSMOUNT_CLOEXEC	    0x00000001

/* include/uapi/linux/magic.h: what statfs says /proc and /sys are when they are the kernel's. */
#define PROC_SUPER_MAGIC 0x9fa0

/* include/linux/sched.h: the flag of a kernel thread, field 9 of /proc/PID/stat. */
#define PF_KTHREAD 0x00200000

/* include/uapi/linux/magic.h: what statfs says an initramfs root is (ramfs, or tmpfs). */
#define RAMFS_MAGIC 0x858458f6
#define TMPFS_MAGIC 0x01021994

/*
 * include/uapi/linux/dm-ioctl.h, interface version 4: the device-mapper ioctls on
 * /dev/mapper/control that set up a verity device (what veritysetup does through libdevmapper).
 * A request is struct dm_ioctl followed, at data_start, by its payload: for a table load, one
 * struct dm_target_spec per target, each followed by its parameter string.
 */
#define DM_VERSION_MAJOR 4
#define DM_NAME_LEN	 128
#define DM_UUID_LEN	 129
#define DM_MAX_TYPE_NAME 16
#define DM_READONLY_FLAG (1u << 0)

struct dm_ioctl {
	unsigned version[3];
	unsigned data_size; /* the whole request, this header included */
	unsigned data_start;
	unsigned target_count;
	int open_count;
	unsigned flags;
	unsigned event_nr;
	unsigned padding;
	unsigned long long dev; /* out: the new device, encoded as huge_encode_dev() does */
	char name[DM_NAME_LEN];
	char uuid[DM_UUID_LEN];
	char data[7];
};

struct dm_target_spec {
	unsigned long long sector_start;
	unsigned long long length; /* in 512-byte sectors */
	int status;
	unsigned next;
	char target_type[DM_MAX_TYPE_NAME];
};

/* _IOWR(0xfd, nr, struct dm_ioctl): direction 3, the struct's size, type 0xfd, the command. */
#define DM_IOWR(nr)    ((3u << 30) | ((unsigned)sizeof(struct dm_ioctl) << 16) | (0xfdu << 8) | (nr))
#define DM_DEV_CREATE  DM_IOWR(3)
#define DM_DEV_SUSPEND DM_IOWR(6) /* without DM_SUSPEND_FLAG: resume, making the table live */
#define DM_TABLE_LOAD  DM_IOWR(9)

/* include/uapi/linux/openat2.h: resolving a path as if a directory were "/" (inroot.c). */
struct open_how {
	unsigned long long flags;
	unsigned long long mode;
	unsigned long long resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT	      0x10

/* include/linux/dirent.h: what getdents64 fills a buffer with, one record after another. */
struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* include/uapi/linux/capability.h: capset(2), version 3 (two data words, 64 capabilities). */
#define LINUX_CAPABILITY_VERSION_3 0x20080522
struct cap_header {
	unsigned version;
	int pid;
};
struct cap_data {
	unsigned effective, permitted, inheritable;
};

/* include/linux/proc_ns.h: PROC_PID_INIT_INO, as /proc/self/ns/pid spells it. */
#define INITIAL_PID_NS_LINK "pid:[4026531836]"

#endif
