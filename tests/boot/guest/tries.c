/* SPDX-License-Identifier: MIT */
/*
 * Companion-latch helper: tries, as root, what the companion latches forbid, and prints what the
 * kernel answered as CHECK lines. With nothing latched both attempts succeed.
 *   kexec_load with no segments unloads a (missing) crash kernel: 0, or EPERM once kexec is
 *   disabled.
 *   PTRACE_ATTACH to our own child: 0 up to ptrace_scope 2 for root, EPERM at 3.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void answer(const char *what, long rc)
{
	printf("CHECK %s=%s\n", what, rc == 0 ? "ok" : strerror(errno));
}

int main(void)
{
	answer("kexec_load", syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL));

	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	if (child < 0) {
		perror("fork");
		return 1;
	}
	answer("ptrace_attach", ptrace(PTRACE_ATTACH, child, NULL, NULL));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}
