/* SPDX-License-Identifier: MIT */
/* The kernel's own uapi headers, as this build host has them: test_kernel.c compares the values
 * the shim spells out (init/kernel.h, which cannot share a file with these) against them. */
#include <linux/capability.h>
#include <linux/ioctl.h> /* before dm-ioctl.h, which uses _IOWR without including it */
#include <linux/dm-ioctl.h>
#include <linux/futex.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <stddef.h>

#include "uapi.h"

const struct uapi_values uapi = {
	.module_init_compressed_file = MODULE_INIT_COMPRESSED_FILE,
	.futex_wait = FUTEX_WAIT,
	.futex_wake = FUTEX_WAKE,
	.futex_private_flag = FUTEX_PRIVATE_FLAG,
	.fsopen_cloexec = FSOPEN_CLOEXEC,
	.fsconfig_cmd_create = FSCONFIG_CMD_CREATE,
	.fsmount_cloexec = FSMOUNT_CLOEXEC,
	.proc_super_magic = PROC_SUPER_MAGIC,
	.ramfs_magic = RAMFS_MAGIC,
	.tmpfs_magic = TMPFS_MAGIC,
	.dm_version_major = DM_VERSION_MAJOR,
	.dm_readonly_flag = DM_READONLY_FLAG,
	.dm_dev_create = DM_DEV_CREATE,
	.dm_dev_suspend = DM_DEV_SUSPEND,
	.dm_table_load = DM_TABLE_LOAD,
	.dm_ioctl_size = sizeof(struct dm_ioctl),
	.dm_ioctl_dev = offsetof(struct dm_ioctl, dev),
	.dm_ioctl_name = offsetof(struct dm_ioctl, name),
	.dm_target_spec_size = sizeof(struct dm_target_spec),
	.dm_target_spec_type = offsetof(struct dm_target_spec, target_type),
	.capability_version_3 = _LINUX_CAPABILITY_VERSION_3,
	.cap_header_size = sizeof(struct __user_cap_header_struct),
	.cap_data_size = sizeof(struct __user_cap_data_struct),
	.cap_data_inheritable = offsetof(struct __user_cap_data_struct, inheritable),
};
