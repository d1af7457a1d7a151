/* SPDX-License-Identifier: MIT */
/*
 * LOAD_DEADLINE (init/deadline.c, as the shim compiles it): a module's init that returns just as
 * the deadline passes must end the boot one way, never two. The watch stops the machine and the
 * boot goes no further, or the boot goes on and the watch does nothing. Here the watch's actions
 * are stand-ins that only record (nothing touches the kernel), in memory shared with the watch,
 * which is a child process; the one that closes loading holds the watch past its check while
 * the boot reaches the latch and disarms.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "check.h"

/* What each side did, where both sides see it. */
struct sides {
	atomic_bool watch_closed_loading, machine_stopped, boot_went_on;
};
static struct sides *sides;

_Noreturn void stop_machine(const char *why)
{
	(void)why;
	atomic_store(&sides->machine_stopped, true);
	_exit(0);
}

/* The watch is past its check; the boot's last init returns now, and the watch takes its time
 * (logging, syncing) before it stops the machine. */
void close_module_loading(void)
{
	const struct timespec while_the_boot_latches = { .tv_nsec = 300 * 1000 * 1000 };

	atomic_store(&sides->watch_closed_loading, true);
	nanosleep(&while_the_boot_latches, NULL);
}

/* The boot, in a thread of the test: it disarms once the watch has fired, and must stop there. */
static void *boot_thread(void *arg)
{
	const struct timespec poll = { .tv_nsec = 1000 * 1000 };

	(void)arg;
	while (!atomic_load(&sides->watch_closed_loading))
		nanosleep(&poll, NULL);
	disarm_load_deadline();
	atomic_store(&sides->boot_went_on, true);
	return NULL;
}

static void an_init_returning_as_the_deadline_fires_ends_the_boot_once(void)
{
	struct boot boot = { 0 };
	pthread_t thread;
	const struct timespec poll = { .tv_nsec = 10 * 1000 * 1000 };

	sides = shared_memory(sizeof(*sides));
	CHECK(sides != NULL);
	arm_load_deadline(&boot);
	CHECK(boot.results != NULL);
	CHECK(pthread_create(&thread, NULL, boot_thread, NULL) == 0);
	pthread_detach(thread);
	/* The deadline (1 s), the watch's 300 ms, and time to spare. */
	for (int i = 0; i < 300 && !atomic_load(&sides->machine_stopped); i++)
		nanosleep(&poll, NULL);
	nanosleep(&poll, NULL);
	CHECK(atomic_load(&sides->watch_closed_loading));
	CHECK(atomic_load(&sides->machine_stopped));
	CHECK(!atomic_load(&sides->boot_went_on));
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* A boot that reaches the latch first kills the watch, and only the watch, and reaps it. */
static void a_disarmed_watch_is_gone(void)
{
	struct watch *w = shared_memory(sizeof(*w));
	static void (*const never)(struct watch *) = NULL;

	const struct timespec while_the_child_starts = { .tv_nsec = 50 * 1000 * 1000 };

	CHECK(w != NULL);
	CHECK(arm_watch(w, 60, never));
	/* The child has long been running by now; the pid is still its own, not the 0 its fork
	 * returned to it (which would make the disarm signal this whole process group). */
	nanosleep(&while_the_child_starts, NULL);
	pid_t pid = w->pid;
	CHECK(pid > 0);
	if (pid <= 0)
		return; /* disarming would signal this test's own process group */
	CHECK(waitpid(pid, NULL, WNOHANG) == 0);
	disarm_watch(w);
	/* Reaped by disarm_watch: the process is gone, not a zombie. */
	CHECK(kill(pid, 0) < 0);
	CHECK(waitpid(pid, NULL, WNOHANG) < 0);
}

static const struct unit_test deadline_tests[] = {
	{ "deadline: an init that returns as the deadline fires ends the boot once (G7)",
	  an_init_returning_as_the_deadline_fires_ends_the_boot_once },
	{ "deadline: a disarmed watch, and only it, is killed and reaped",
	  a_disarmed_watch_is_gone },
	{ NULL, NULL },
};
UNIT_SUITE(deadline_tests)
