/* SPDX-License-Identifier: MIT */
/*
 * LOAD_DEADLINE (init/deadline.c, as the shim compiles it): a module's init that returns just as
 * the deadline passes must end the boot one way, never two. The watch stops the machine and the
 * boot goes no further, or the boot goes on and the watch does nothing. Here the watch's actions
 * are stand-ins that only record (nothing touches the kernel), and the one that closes loading
 * holds the watch past its check while the boot reaches the latch and disarms.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "check.h"

static atomic_bool watch_closed_loading, machine_stopped, boot_went_on;

_Noreturn void stop_machine(const char *why)
{
	(void)why;
	atomic_store(&machine_stopped, true);
	pthread_exit(NULL);
}

/* The watch is past its check; the boot's last init returns now, and the watch takes its time
 * (logging, syncing) before it stops the machine. */
void close_module_loading(void)
{
	const struct timespec while_the_boot_latches = { .tv_nsec = 300 * 1000 * 1000 };

	atomic_store(&watch_closed_loading, true);
	nanosleep(&while_the_boot_latches, NULL);
}

static void *boot_thread(void *arg)
{
	const struct timespec poll = { .tv_nsec = 1000 * 1000 };

	(void)arg;
	while (!atomic_load(&watch_closed_loading))
		nanosleep(&poll, NULL);
	disarm_load_deadline();
	atomic_store(&boot_went_on, true);
	return NULL;
}

static void an_init_returning_as_the_deadline_fires_ends_the_boot_once(void)
{
	struct module_result results[1] = { 0 };
	struct boot boot = { .results = results };
	pthread_t thread;
	const struct timespec poll = { .tv_nsec = 10 * 1000 * 1000 };

	arm_load_deadline(&boot);
	CHECK(pthread_create(&thread, NULL, boot_thread, NULL) == 0);
	pthread_detach(thread);
	/* The deadline (1 s), the watch's 300 ms, and time to spare. */
	for (int i = 0; i < 300 && !atomic_load(&machine_stopped); i++)
		nanosleep(&poll, NULL);
	nanosleep(&poll, NULL);
	CHECK(atomic_load(&watch_closed_loading));
	CHECK(atomic_load(&machine_stopped));
	CHECK(!atomic_load(&boot_went_on));
}

static const struct unit_test deadline_tests[] = {
	{ "deadline: an init that returns as the deadline fires ends the boot once (G7)",
	  an_init_returning_as_the_deadline_fires_ends_the_boot_once },
	{ NULL, NULL },
};
UNIT_SUITE(deadline_tests)
