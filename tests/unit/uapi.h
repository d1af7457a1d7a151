/* SPDX-License-Identifier: MIT */
/* Kernel ABI values, as the build host's uapi headers give them (uapi.c). */
#ifndef MODLATCH_UAPI_H
#define MODLATCH_UAPI_H

struct uapi_values {
	unsigned long module_init_compressed_file, futex_wait, futex_wake, futex_private_flag,
		fsopen_cloexec, fsconfig_cmd_create, fsmount_cloexec, proc_super_magic, ramfs_magic,
		tmpfs_magic, dm_version_major, dm_readonly_flag, dm_dev_create, dm_dev_suspend,
		dm_table_load, dm_ioctl_size, dm_ioctl_dev, dm_ioctl_name, dm_target_spec_size,
		dm_target_spec_type, capability_version_3, cap_header_size, cap_data_size,
		cap_data_inheritable;
};

extern const struct uapi_values uapi;

#endif
