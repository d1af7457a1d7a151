/* SPDX-License-Identifier: MIT */
/*
 * Every wait before the latch is bounded. Opening, hashing and reading are (filehash.c); a
 * module's init function is not: finit_module returns when the module says so, and one that
 * never does would hold PID 1, with loading open, forever. A thread armed before the first load
 * waits LOAD_DEADLINE seconds; if the latch has not been reached by then, it closes loading
 * itself, names every module still loading, and stops the machine. Reaching the latch disarms
 * it; exec'ing the supervisor ends it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "log.h"

static atomic_bool latch_reached;

static void sleep_until(const struct timespec *when)
{
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, when, NULL) == EINTR)
		;
}

static void *watch(void *arg)
{
	const struct module_result *results = arg;
	struct timespec when;

	clock_gettime(CLOCK_MONOTONIC, &when);
	when.tv_sec += ML_LOAD_DEADLINE_S;
	sleep_until(&when);
	if (atomic_load(&latch_reached))
		return NULL;
	int fd = open("/proc/sys/kernel/modules_disabled", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1\n", 2) != 2)
		say(LOG_CRIT, "cannot close module loading: %s", errno_name(errno));
	if (fd >= 0)
		close(fd);
	for (unsigned i = 0; i < ml_table_len; i++)
		if (atomic_load(&results[i].loading))
			say(LOG_CRIT, "module=%s still loading after %d s",
			    ml_string(ml_table[i].name), ML_LOAD_DEADLINE_S);
	stop_machine("the latch was not reached within LOAD_DEADLINE");
}

void arm_load_deadline(struct boot *boot)
{
	pthread_t thread;
	sigset_t all, before;

	/*
	 * The watch blocks every signal, from its first instruction: a signal sent to PID 1 (the
	 * reaper forwards SIGTERM, waits for SIGCHLD) must reach the thread that waits for it, not
	 * be taken, and dropped, by this one.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &before);
	int err = pthread_create(&thread, NULL, watch, boot->results);
	pthread_sigmask(SIG_SETMASK, &before, NULL);

	/* Without the watch, a hung module init would hang the boot: fail closed at once. */
	if (err) {
		say(LOG_CRIT, "cannot start the load deadline: %s", errno_name(err));
		stop_machine("no load deadline");
	}
	pthread_detach(thread);
}

void disarm_load_deadline(void)
{
	atomic_store(&latch_reached, true);
}
