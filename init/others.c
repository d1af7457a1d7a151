/* SPDX-License-Identifier: MIT */
/*
 * Before the helpers are blanked, modlatch should be the only program. Processes that are
 * already there (a module helper the kernel started before PID 1, a daemon an initramfs stage
 * left running across switch_root) run as root, may hold CAP_SYS_MODULE, and would share the
 * window with modlatch. Each is named by pid and command; built with KILL_OTHERS=yes, each is
 * killed. Kernel threads are not programs and are left alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "fmt.h"
#include "kernel.h"
#include "log.h"
#include "text.h"

/* A process's flags, field 9 of /proc/PID/stat, and its command; false if it is gone. */
static bool read_stat(const char *pid, unsigned long *flags, char *comm, size_t len)
{
	char path[32], stat[512];

	fmt(path, sizeof(path), "/proc/%s/stat", pid);
	if (read_text(path, stat, sizeof(stat)) <= 0)
		return false;
	char *open_paren = find(stat, '('), *close_paren = strrchr(stat, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return false;
	fmt(comm, len, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
	const char *field = close_paren + 2; /* field 3, the state */
	for (int i = 3; i < 9 && *field; i++)
		field += span(field, " "), field += *field == ' ';
	for (*flags = 0; *field >= '0' && *field <= '9'; field++)
		*flags = *flags * 10 + (unsigned long)(*field - '0');
	return true;
}

/* Names the process of a /proc entry (and kills it, if built so) unless it is this one, a
 * kernel thread or not a process at all. */
static void name_other(const char *entry)
{
	unsigned long flags;
	char comm[64];
	pid_t pid = 0;

	for (const char *c = entry; *c; c++)
		if (*c < '0' || *c > '9')
			return;
		else
			pid = pid * 10 + (*c - '0');
	if (pid <= 1 || !read_stat(entry, &flags, comm, sizeof(comm)) || (flags & PF_KTHREAD))
		return;
	say(LOG_ERR, "process pid=%d comm=%s was running before modlatch%s", (int)pid, comm,
	    ML_KILL_OTHERS ? "; killed" : "");
	if (ML_KILL_OTHERS && kill(pid, SIGKILL) < 0)
		say(LOG_ERR, "cannot kill pid=%d: %s", (int)pid, errno_name(errno));
}

void name_other_processes(void)
{
	char entries[4096] __attribute__((aligned(8)));
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (fd < 0) {
		say(LOG_ERR, "cannot list /proc: %s", errno_name(errno));
		return;
	}
	/* musl's struct dirent is the kernel's linux_dirent64. */
	while ((n = syscall(SYS_getdents64, fd, entries, sizeof(entries))) > 0)
		for (long at = 0; at < n; at += ((struct dirent *)(entries + at))->d_reclen)
			name_other(((struct dirent *)(entries + at))->d_name);
	close(fd);
}
