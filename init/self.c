/* SPDX-License-Identifier: MIT */
/*
 * What the shim checks about the files it trusts: that a path is this very binary, and that a
 * knob lies on the kernel's own filesystem.
 */
#include <sys/stat.h>
#include <sys/statfs.h>

#include "boot.h"

bool is_this_program(const char *path)
{
	struct stat self, other;

	return stat("/proc/self/exe", &self) == 0 && stat(path, &other) == 0 &&
	       self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

bool on_filesystem(const char *path, unsigned long magic)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && (unsigned long)fs.f_type == magic;
}
