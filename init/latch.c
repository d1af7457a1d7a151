/* SPDX-License-Identifier: MIT */
/*
 * Close module loading for the rest of this boot. Writing the sysctl is not proof: the value is
 * read back, and a load that can change nothing is tried, whose errno says whether the kernel
 * still accepts modules.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "clock.h"
#include "errname.h"
#include "log.h"

#define MODULES_DISABLED "/proc/sys/kernel/modules_disabled"

/* Writes 1, once, here and in the load deadline's watch (deadline.c); the caller checks. */
void close_module_loading(void)
{
	int fd = open(MODULES_DISABLED, O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		say(LOG_ERR, "cannot open %s: %s", MODULES_DISABLED, errno_name(errno));
		return;
	}
	if (write(fd, "1\n", 2) != 2)
		say(LOG_ERR, "cannot write 1 to %s: %s", MODULES_DISABLED, errno_name(errno));
	close(fd);
}

/* The value the sysctl reads now: '0', '1', or '?' when it cannot be read. */
static char read_back(void)
{
	char value[8];
	ssize_t n = read_text(MODULES_DISABLED, value, sizeof(value));

	if (n <= 0)
		say(LOG_ERR, "cannot read back %s: %s", MODULES_DISABLED,
		    n == 0 ? "empty" : errno_name(errno));
	return n > 0 ? value[0] : '?';
}

/* The latch is checked before the descriptor: EPERM closed, EBADF open, ENOSYS no modules. */
static int probe(void)
{
	if (syscall(SYS_finit_module, -1, "", 0) == 0)
		return 0;
	return errno;
}

void latch_module_loading(struct boot *boot)
{
	close_module_loading();
	boot->latch_value = read_back();
	boot->probe_err = probe();
	boot->latched_us = monotonic_us();
	boot->latched =
		(boot->latch_value == '1' && boot->probe_err == EPERM) || boot->probe_err == ENOSYS;
}
