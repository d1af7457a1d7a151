/* SPDX-License-Identifier: MIT */
/*
 * Hand PID 1 over. By default modlatch execs the first supervisor of the compiled-in list that
 * can run. Built with HANDOFF=reaper it stays PID 1 instead, runs that program as its child and
 * reaps (reaper.c).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "log.h"

extern char **environ;

/* The kernel starts init without PATH; supervisors and their scripts expect one. */
static char *const *supervisor_environment(void)
{
	static char *env[64];
	static char path[] = "PATH=" ML_DEFAULT_PATH;
	size_t n = 0;
	bool has_path = false;

	for (char **e = environ; *e && n < 62; e++) {
		has_path |= strncmp(*e, "PATH=", 5) == 0;
		env[n++] = *e;
	}
	if (!has_path)
		env[n++] = path;
	env[n] = NULL;
	return env;
}

static _Noreturn void exec_supervisor(void)
{
	for (unsigned i = 0; ml_supervisors[i]; i++) {
		const char *const *argv = ml_supervisors[i];
		/* A supervisor path leading back here (say /sbin/init -> modlatch) would loop. */
		if (is_this_program(argv[0])) {
			say(LOG_WARNING, "skipping supervisor %s: it is modlatch itself", argv[0]);
			continue;
		}
		say(LOG_INFO, "exec %s", argv[0]);
		execve(argv[0], (char *const *)argv, supervisor_environment());
		say(LOG_ERR, "cannot exec %s: %s", argv[0], errno_name(errno));
	}
	stop_machine("no supervisor could be executed");
}

/* For the reaper: the first program of the list that exists and may be executed. */
static const char *const *first_runnable(void)
{
	for (unsigned i = 0; ml_supervisors[i]; i++) {
		const char *path = ml_supervisors[i][0];
		if (is_this_program(path))
			say(LOG_WARNING, "skipping %s: it is modlatch itself", path);
		else if (access(path, X_OK) == 0)
			return ml_supervisors[i];
		else
			say(LOG_ERR, "cannot run %s: %s", path, errno_name(errno));
	}
	stop_machine("no program to run could be found");
}

_Noreturn void hand_off(void)
{
	if (ML_HANDOFF_REAPER)
		run_as_reaper(first_runnable(), supervisor_environment());
	exec_supervisor();
}
