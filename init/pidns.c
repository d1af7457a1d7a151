/* SPDX-License-Identifier: MIT */
/*
 * Which mode to run in. Only PID 1 of the initial PID namespace may mount and latch: as PID 1
 * of a container or of `unshare --pid` it would lock the host's kernel, so there it refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "errname.h"
#include "fmt.h"
#include "kernel.h"

/* The link of /proc/self/ns/pid, read from a proc instance that is never attached anywhere. */
static ssize_t read_ns_from_detached_proc(char *buf, size_t len)
{
	int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	ssize_t n = -1;

	if (fs < 0)
		return -1;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0) {
		int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
		if (mnt >= 0) {
			n = readlinkat(mnt, "self/ns/pid", buf, len);
			close(mnt);
		}
	}
	int saved = errno;
	close(fs);
	errno = saved;
	return n;
}

static _Noreturn void refuse(const char *why, const char *detail)
{
	fdprint(STDERR_FILENO,
		"modlatch: refusing to boot: %s (%s); nothing was mounted, loaded or latched\n",
		why, detail);
	_exit(1);
}

enum mode choose_mode(void)
{
	char link[64];
	ssize_t n;

	if (getpid() != 1)
		return MODE_COMMAND;
	/* Read it at once where /proc is already mounted (after switch_root, or --mount-proc). */
	n = readlink("/proc/self/ns/pid", link, sizeof(link) - 1);
	if (n < 0)
		n = read_ns_from_detached_proc(link, sizeof(link) - 1);
	if (n < 0)
		refuse("cannot tell which PID namespace this is", errno_name(errno));
	link[n] = '\0';
	if (strcmp(link, INITIAL_PID_NS_LINK) != 0)
		refuse("PID 1 of a child PID namespace, not of the machine", link);
	return MODE_BOOT;
}
