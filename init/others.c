/* SPDX-License-Identifier: MIT */
/*
 * Once the helpers are blanked (so the kernel can start no new one) and the log is open (so no
 * line of this is lost), modlatch should be the only program. Processes that are already there
 * (a module helper the kernel started before PID 1, a daemon an initramfs stage left running
 * across switch_root) run as root, may hold CAP_SYS_MODULE, and would share the window with
 * modlatch. Each is named by pid and command. Built with KILL_OTHERS=yes, all are killed at once
 * with kill(-1), which no fork can outrun, and /proc is read again, the dead reaped, until no
 * process is left or the bound is reached; any survivor is named. Kernel threads are not
 * programs and are left alone; zombies are dead already.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "fmt.h"
#include "kernel.h"
#include "log.h"
#include "text.h"

/* How many times /proc is read again after kill(-1), 10 ms apart, before survivors are named. */
#define KILL_ROUNDS 100

/* A process's flags, field 9 of /proc/PID/stat, its state and its command, with every byte
 * outside printable ASCII (a newline would start a kernel-log record of its own) and every
 * backslash written as \xHH; false if it is gone. */
static bool read_stat(const char *pid, unsigned long *flags, char *state, char *comm)
{
	char path[32], stat[512];

	fmt(path, sizeof(path), "/proc/%s/stat", pid);
	if (read_text(path, stat, sizeof(stat)) <= 0)
		return false;
	char *open_paren = find(stat, '('), *close_paren = strrchr(stat, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return false;
	for (const char *c = open_paren + 1; c < close_paren && c < open_paren + 17; c++)
		comm += *c > ' ' && *c < 127 && *c != '\\' ? fmt(comm, 2, "%c", *c)
							   : fmt(comm, 5, "\\x%02x", *c & 0xff);
	*comm = '\0';
	const char *field = close_paren + 2; /* field 3, the state */
	*state = *field;
	for (int i = 3; i < 9 && *field; i++)
		field += span(field, " "), field += *field == ' ';
	for (*flags = 0; *field >= '0' && *field <= '9'; field++)
		*flags = *flags * 10 + (unsigned long)(*field - '0');
	return true;
}

/*
 * Whether a /proc entry is a process other than this one, alive, and not a kernel thread; with
 * a format, names it.
 */
static bool other(const char *entry, const char *format)
{
	unsigned long flags;
	char comm[16 * 4 + 1], state;
	pid_t pid = 0;

	for (const char *c = entry; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
		else
			pid = pid * 10 + (*c - '0');
	if (pid <= 1 || !read_stat(entry, &flags, &state, comm) || (flags & PF_KTHREAD) ||
	    state == 'Z' || state == 'X')
		return false;
	if (format)
		say(LOG_ERR, format, (int)pid, comm);
	return true;
}

/* Reads /proc once: how many other processes there are, each named with format if given. */
static unsigned scan(const char *format)
{
	char entries[4096] __attribute__((aligned(8)));
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	unsigned found = 0;
	long n;

	if (fd < 0) {
		say(LOG_ERR, "cannot list /proc: %s", errno_name(errno));
		return 0;
	}
	/* musl's struct dirent is the kernel's linux_dirent64. */
	while ((n = syscall(SYS_getdents64, fd, entries, sizeof(entries))) > 0)
		for (long at = 0; at < n; at += ((struct dirent *)(entries + at))->d_reclen)
			found += other(((struct dirent *)(entries + at))->d_name, format);
	close(fd);
	return found;
}

/* kill(-1) until a scan finds nobody, reaping the dead (PID 1 is their parent now). */
static void kill_others(void)
{
	const struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };

	for (int round = 0; round < KILL_ROUNDS; round++) {
		if (kill(-1, SIGKILL) < 0 && errno != ESRCH)
			say(LOG_ERR, "cannot kill the other processes: %s", errno_name(errno));
		nanosleep(&pause, NULL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!scan(NULL))
			return;
	}
	scan("process pid=%d comm=%s survived KILL_OTHERS=yes");
}

void name_other_processes(void)
{
	if (scan(ML_KILL_OTHERS ? "process pid=%d comm=%s was running before modlatch; killed"
				: "process pid=%d comm=%s was running before modlatch") &&
	    ML_KILL_OTHERS)
		kill_others();
}
