/* SPDX-License-Identifier: MIT */
/*
 * Every wait before the latch is bounded. Opening, hashing and reading are (filehash.c); a
 * module's init function is not: finit_module returns when the module says so, and one that
 * never does would hold PID 1, with loading open, forever. A thread armed before the first load
 * waits LOAD_DEADLINE seconds; if the latch has not been reached by then, it closes loading
 * itself, names every module still loading, and stops the machine. Reaching the latch disarms
 * it; exec'ing the supervisor ends it.
 *
 * The two ends race when an init returns just as the deadline passes, and only one may win:
 * the watch must not stop a machine whose boot goes on, nor the boot go on, exec the supervisor
 * (which ends the watch) and leave a deadline that fired without effect. Each side claims the
 * deadline with one compare-and-exchange from ARMED; the side that finds it taken yields.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "clock.h"
#include "config.h"
#include "errname.h"
#include "log.h"

enum deadline { DEADLINE_ARMED, DEADLINE_FIRED, DEADLINE_DISARMED };
static atomic_int deadline = DEADLINE_ARMED;

/* Moves the deadline from ARMED to the side's state; false if the other side was first. */
static bool claim_deadline(enum deadline side)
{
	int armed = DEADLINE_ARMED;

	return atomic_compare_exchange_strong(&deadline, &armed, (int)side);
}

void sleep_seconds(int seconds)
{
	long long now = monotonic_us();
	struct timespec when = { .tv_sec = now / 1000000 + seconds,
				 .tv_nsec = now % 1000000 * 1000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, NULL) == EINTR)
		;
}

static void *watch_load(void *arg)
{
	const struct module_result *results = arg;

	sleep_seconds(ML_LOAD_DEADLINE_S);
	if (!claim_deadline(DEADLINE_FIRED))
		return NULL;
	close_module_loading();
	for (unsigned i = 0; i < ml_table_len; i++)
		if (atomic_load(&results[i].loading))
			say(LOG_CRIT, "module=%s still loading after %d s",
			    ml_string(ml_table[i].name), ML_LOAD_DEADLINE_S);
	stop_machine("the latch was not reached within LOAD_DEADLINE");
}

int start_thread(void *(*run)(void *), void *arg)
{
	pthread_t thread;
	pthread_attr_t detached;
	sigset_t all, before;

	/*
	 * The thread (a watch, a loading helper) blocks every signal, from its first instruction:
	 * a signal sent to PID 1 (the reaper forwards SIGTERM, waits for SIGCHLD) must reach the
	 * thread that waits for it, not be taken, and dropped, by this one. It is detached from the
	 * start: pthread_detach on a thread that has ended would join it, and bring the C library's
	 * timed wait, and its vDSO clock, into the binary.
	 */
	sigfillset(&all);
	pthread_attr_init(&detached);
	pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
	pthread_sigmask(SIG_SETMASK, &all, &before);
	int err = pthread_create(&thread, &detached, run, arg);
	pthread_sigmask(SIG_SETMASK, &before, NULL);
	return err;
}

void arm_load_deadline(struct boot *boot)
{
	int err = start_thread(watch_load, boot->results);

	/* Without the watch, a hung module init would hang the boot: fail closed at once. */
	if (err) {
		say(LOG_CRIT, "cannot start the load deadline: %s", errno_name(err));
		stop_machine("no load deadline");
	}
}

void disarm_load_deadline(void)
{
	if (claim_deadline(DEADLINE_DISARMED))
		return;
	/* The watch fired first: it is naming what still loads and stopping the machine, and this
	 * thread goes no further (no report, no policy, no hand-off) until the machine is down. */
	for (;;)
		pause();
}
