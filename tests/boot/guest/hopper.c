/* SPDX-License-Identifier: MIT */
/*
 * Guest helper for the census test (others.bats): a process that never stays at one PID. It
 * forks and exits as fast as it can, and its child does the same, for ever: one pass that reads
 * /proc and then kills each PID it found is always a step behind it. A first process stays
 * behind as the hoppers' subreaper and reaps each one that exits, so that their zombies do not
 * use up the PIDs. All of them are named "hop\n<2>FORGED": a newline and a kernel-log level,
 * which a raw log line of the name would turn into a record of its own. It detaches first, so
 * the stage that started it goes on.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	if (fork() != 0)
		return 0;
	setsid();
	prctl(PR_SET_NAME, "hop\n<2>FORGED", 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (fork() == 0)
		for (;;)
			if (fork() != 0)
				_exit(0);
	for (;;)
		if (wait(NULL) < 0 && errno == ECHILD)
			return 0;
}
