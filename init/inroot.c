/* SPDX-License-Identifier: MIT */
/*
 * Where the supervisor is, in the root it will run from. A path of the build (SUPERVISOR) names
 * a file of the new root, and so does every link on the way: Debian's /sbin/init is the absolute
 * link /lib/systemd/systemd, and /lib itself is the link usr/lib. Resolved from the initramfs,
 * both would lead into the initramfs; resolved here, with the new root's directory standing for
 * "/", they lead where execve() leads once that root is "/". ".." never climbs above it (openat2's
 * RESOLVE_IN_ROOT), exactly as after chroot(), and no /proc magic link is followed.
 *
 * The boot checks the new root before it switches (root.c); `modlatch --verify` checks an image's
 * tree the same way (command.c). A kernel without openat2 (before 5.6) answers ENOSYS: the boot
 * then checks after the switch, through the process's own root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "kernel.h"

/* path opened with flags as if root were "/"; root is AT_FDCWD for the process's own root. */
static int open_in_root(int root, const char *path, int flags)
{
	if (root == AT_FDCWD)
		return open(path, flags | O_CLOEXEC);
	struct open_how how = { .flags = (unsigned long long)(flags | O_CLOEXEC),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int fd;
	/* EAGAIN: a rename or a mount somewhere raced a ".."; openat2(2) says to try again. */
	for (int tries = 0; tries < 8; tries++)
		if ((fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how))) >= 0 ||
		    errno != EAGAIN)
			break;
	return fd;
}

int program_in_root(int root, const char *path, char *link, size_t len)
{
	struct stat st;
	int err = 0;

	link[0] = '\0';
	int fd = open_in_root(root, path, O_PATH | O_NOFOLLOW);
	if (fd >= 0) {
		ssize_t n = readlinkat(fd, "", link, len - 1);
		link[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	fd = open_in_root(root, path, O_PATH);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0)
		err = errno;
	else if (!S_ISREG(st.st_mode) || !(st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)))
		err = EACCES; /* as execve() answers for a directory, a device, no x bit */
	close(fd);
	return err;
}
