/* SPDX-License-Identifier: MIT */
/*
 * What the shim checks about the files it trusts: that a path is this very binary, and that a
 * knob, by its path or as opened, lies on the kernel's own filesystem.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "boot.h"

bool is_this_program(const char *path)
{
	struct stat self, other;

	return stat("/proc/self/exe", &self) == 0 && stat(path, &other) == 0 &&
	       self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

/* For an open file: what was opened, not what the path leads to now. A file that a bind mount
 * or a tmpfs put where a knob should be is not on the kernel's filesystem. */
bool fd_on_filesystem(int fd, unsigned long magic)
{
	struct statfs fs;

	return fstatfs(fd, &fs) == 0 && (unsigned long)fs.f_type == magic;
}

bool on_filesystem(const char *path, unsigned long magic)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	bool on = fd >= 0 && fd_on_filesystem(fd, magic);

	if (fd >= 0)
		close(fd);
	return on;
}
