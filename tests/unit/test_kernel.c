/* SPDX-License-Identifier: MIT */
/* init/kernel.h spells out the kernel ABI the shim needs (musl ships no uapi headers): each value
 * must be the one the kernel's own headers give. */
#include <stddef.h>

#include "check.h"
#include "kernel.h"
#include "uapi.h"

static void module_and_mount_values_match_the_uapi_headers(void)
{
	CHECK(MODULE_INIT_COMPRESSED_FILE == uapi.module_init_compressed_file);
	CHECK(FUTEX_WAIT == uapi.futex_wait);
	CHECK(FUTEX_WAKE == uapi.futex_wake);
	CHECK(FUTEX_PRIVATE_FLAG == uapi.futex_private_flag);
	CHECK(FSOPEN_CLOEXEC == uapi.fsopen_cloexec);
	CHECK(FSCONFIG_CMD_CREATE == uapi.fsconfig_cmd_create);
	CHECK(FSMOUNT_CLOEXEC == uapi.fsmount_cloexec);
	CHECK(PROC_SUPER_MAGIC == uapi.proc_super_magic);
	CHECK(RAMFS_MAGIC == uapi.ramfs_magic);
	CHECK(TMPFS_MAGIC == uapi.tmpfs_magic);
}

static void device_mapper_ioctls_match_the_uapi_header(void)
{
	CHECK(DM_VERSION_MAJOR == uapi.dm_version_major);
	CHECK(DM_READONLY_FLAG == uapi.dm_readonly_flag);
	CHECK(DM_DEV_CREATE == uapi.dm_dev_create);
	CHECK(DM_DEV_SUSPEND == uapi.dm_dev_suspend);
	CHECK(DM_TABLE_LOAD == uapi.dm_table_load);
	CHECK(sizeof(struct dm_ioctl) == uapi.dm_ioctl_size);
	CHECK(offsetof(struct dm_ioctl, dev) == uapi.dm_ioctl_dev);
	CHECK(offsetof(struct dm_ioctl, name) == uapi.dm_ioctl_name);
	CHECK(sizeof(struct dm_target_spec) == uapi.dm_target_spec_size);
	CHECK(offsetof(struct dm_target_spec, target_type) == uapi.dm_target_spec_type);
}

static void capability_structs_match_the_uapi_header(void)
{
	CHECK(LINUX_CAPABILITY_VERSION_3 == uapi.capability_version_3);
	CHECK(sizeof(struct cap_header) == uapi.cap_header_size);
	CHECK(sizeof(struct cap_data) == uapi.cap_data_size);
	CHECK(offsetof(struct cap_data, inheritable) == uapi.cap_data_inheritable);
}

static const struct unit_test kernel_tests[] = {
	{ "kernel.h: module and mount values match the uapi headers",
	  module_and_mount_values_match_the_uapi_headers },
	{ "kernel.h: device-mapper ioctls match the uapi header",
	  device_mapper_ioctls_match_the_uapi_header },
	{ "kernel.h: the capset structures match the uapi header",
	  capability_structs_match_the_uapi_header },
	{ NULL, NULL },
};
UNIT_SUITE(kernel_tests)
