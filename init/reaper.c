/* SPDX-License-Identifier: MIT */
/*
 * The reaper hand-off, for images with no supervisor: a single service, or a test VM that must
 * report a result and stop. modlatch stays PID 1, runs one program as its child, reaps every
 * process that ends up orphaned on it, and passes the usual control signals on to the child.
 * When the child ends, it says how, stops what is left, unmounts, and powers off or reboots.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "array_len.h"
#include "boot.h"
#include "config.h"
#include "errname.h"
#include "log.h"

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

static const char *signal_name(int sig)
{
	static const struct {
		int number;
		const char *name;
	} names[] = {
		{ SIGHUP, "SIGHUP" },	{ SIGINT, "SIGINT" },	{ SIGQUIT, "SIGQUIT" },
		{ SIGILL, "SIGILL" },	{ SIGABRT, "SIGABRT" }, { SIGBUS, "SIGBUS" },
		{ SIGFPE, "SIGFPE" },	{ SIGKILL, "SIGKILL" }, { SIGUSR1, "SIGUSR1" },
		{ SIGSEGV, "SIGSEGV" }, { SIGUSR2, "SIGUSR2" }, { SIGPIPE, "SIGPIPE" },
		{ SIGALRM, "SIGALRM" }, { SIGTERM, "SIGTERM" }, { SIGWINCH, "SIGWINCH" },
	};

	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (names[i].number == sig)
			return names[i].name;
	return "SIGOTHER";
}

/* The child starts with the signal mask PID 1 had before it blocked everything it waits for, in
 * a session of its own with the console as its controlling terminal, so ^C reaches it. */
static _Noreturn void become_child(const char *const *argv, char *const *envp, const sigset_t *mask)
{
	sigprocmask(SIG_SETMASK, mask, NULL);
	if (setsid() < 0 || (isatty(STDIN_FILENO) && ioctl(STDIN_FILENO, TIOCSCTTY, 1) < 0))
		say(LOG_WARNING, "%s runs without a controlling terminal: %s", argv[0],
		    errno_name(errno));
	execve(argv[0], (char *const *)argv, envp);
	say(LOG_ERR, "cannot exec %s: %s", argv[0], errno_name(errno));
	_exit(127);
}

static void report_end(const char *name, int status)
{
	if (WIFEXITED(status))
		say(WEXITSTATUS(status) ? LOG_ERR : LOG_NOTICE, "child %s exited status=%d", name,
		    WEXITSTATUS(status));
	else
		say(LOG_ERR, "child %s killed signal=%s%s", name, signal_name(WTERMSIG(status)),
		    WCOREDUMP(status) ? " core=dumped" : "");
}

/* Reaps whatever has ended; true once the child is among them. */
static bool reap(pid_t child, const char *name)
{
	int status;
	pid_t pid;
	bool child_ended = false;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == child) {
			report_end(name, status);
			child_ended = true;
		}
	return child_ended;
}

/* Waits up to timeout_ms for every other process to end, reaping them. */
static bool wait_for_all(long timeout_ms)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };

	for (long waited = 0; waited <= timeout_ms; waited += 50) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			return true;
		nanosleep(&tick, NULL);
	}
	return false;
}

static void stop_everything_else(void)
{
	if (kill(-1, SIGTERM) < 0 && errno != ESRCH)
		say(LOG_ERR, "cannot signal the remaining processes: %s", errno_name(errno));
	if (wait_for_all(ML_STOP_TIMEOUT_S * 1000L))
		return;
	say(LOG_WARNING, "processes left after %ds; sending SIGKILL", ML_STOP_TIMEOUT_S);
	kill(-1, SIGKILL);
	if (!wait_for_all(1000))
		say(LOG_ERR, "processes left after SIGKILL");
}

_Noreturn void run_as_reaper(const char *const *argv, char *const *envp)
{
	sigset_t waited, previous;
	int sig;

	sigemptyset(&waited);
	sigaddset(&waited, SIGCHLD);
	for (size_t i = 0; i < ARRAY_LEN(forwarded); i++)
		sigaddset(&waited, forwarded[i]);
	sigprocmask(SIG_BLOCK, &waited, &previous);
	/* Ctrl-Alt-Del would restart at once, with nothing synced or unmounted; now it sends
	 * SIGINT to PID 1, which passes it on to the child like any other signal. */
	if (reboot(RB_DISABLE_CAD) < 0)
		say(LOG_WARNING, "cannot hand Ctrl-Alt-Del to the child: %s", errno_name(errno));
	say(LOG_INFO, "running %s as the child of PID 1 (reaper)", argv[0]);
	pid_t child = fork();
	if (child == 0)
		become_child(argv, envp, &previous);
	if (child < 0)
		stop_machine("cannot fork the child");
	for (;;) {
		sig = sigwaitinfo(&waited, NULL);
		if (sig == SIGCHLD && reap(child, argv[0]))
			break;
		if (sig > 0 && sig != SIGCHLD && kill(child, sig) < 0)
			say(LOG_WARNING, "cannot forward %s: %s", signal_name(sig),
			    errno_name(errno));
	}
	stop_everything_else();
	unmount_all();
	say(LOG_NOTICE, "%s", ML_ON_EXIT_REBOOT ? "rebooting" : "powering off");
	power_down(ML_ON_EXIT_REBOOT);
}
