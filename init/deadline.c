/* SPDX-License-Identifier: MIT */
/*
 * Every wait before the latch is bounded. Opening, hashing and reading are (filehash.c); a
 * module's init function is not: finit_module returns when the module says so, and one that
 * never does would hold PID 1, with loading open, forever. A watch armed before the first load
 * waits LOAD_DEADLINE seconds; if the latch has not been reached by then, it closes loading
 * itself, names every module still loading, and stops the machine. Reaching the latch disarms
 * it. The root step (root.c) has a watch of its own.
 *
 * A watch, like a loading worker (ready.c), is a child process, not a thread: a process of its
 * own has its own errno, so every error it names is its own, and the C library's thread code
 * (a quarter of this binary) stays out. What it shares with PID 1 is in memory mapped shared
 * before it starts. Disarming kills it and reaps it, so no child of this program is left when
 * the supervisor starts.
 *
 * The two ends race when an init returns just as the deadline passes, and only one may win:
 * the watch must not stop a machine whose boot goes on, nor the boot go on, exec the supervisor
 * and leave a deadline that fired without effect. Each side claims the watch with one
 * compare-and-exchange from ARMED; the side that finds it taken yields.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "clock.h"
#include "config.h"
#include "errname.h"
#include "log.h"

enum { WATCH_ARMED, WATCH_FIRED, WATCH_DISARMED };

/* Moves the watch from ARMED to the side's state; false if the other side was first. */
static bool claim(struct watch *w, int side)
{
	int armed = WATCH_ARMED;

	return atomic_compare_exchange_strong(&w->state, &armed, side);
}

void sleep_seconds(int seconds)
{
	long long now = monotonic_us();
	struct timespec when = { .tv_sec = now / 1000000 + seconds,
				 .tv_nsec = now % 1000000 * 1000 };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, NULL) == EINTR)
		;
}

void *shared_memory(size_t len)
{
	void *memory = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return memory == MAP_FAILED ? NULL : memory;
}

/* fork(), as the system call: the C library's fork would run its at-fork handlers. A child
 * with CLONE_FILES shares PID 1's descriptors, opened or closed later by either side. */
pid_t start_child(bool share_files)
{
	return (pid_t)syscall(SYS_clone, SIGCHLD | (share_files ? CLONE_FILES : 0), 0, 0, 0, 0);
}

bool arm_watch(struct watch *w, int seconds, void (*fire)(struct watch *w))
{
	atomic_init(&w->state, WATCH_ARMED);
	pid_t pid = start_child(false);
	if (pid == 0) {
		sleep_seconds(seconds);
		if (claim(w, WATCH_FIRED))
			fire(w);
		_exit(0);
	}
	/* Only PID 1 writes the pid: w is shared, and the child's fork result (0) written there
	 * would have disarm_watch signal and wait for its whole process group. */
	w->pid = pid;
	return pid > 0;
}

void disarm_watch(struct watch *w)
{
	/* The watch fired first: it is naming what hangs and stopping the machine, and PID 1 goes
	 * no further (no report, no policy, no hand-off) until the machine is down. */
	if (!claim(w, WATCH_DISARMED))
		for (;;)
			pause();
	kill(w->pid, SIGKILL);
	while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The load deadline's watch, and the results it names modules from, shared with it. */
struct load_watch {
	struct watch watch;
	struct module_result results[];
};
static struct load_watch *load_watch;

static _Noreturn void load_deadline_passed(struct watch *w)
{
	const struct load_watch *lw = (const struct load_watch *)w;

	close_module_loading();
	for (unsigned i = 0; i < ml_table_len; i++)
		if (atomic_load(&lw->results[i].loading))
			say(LOG_CRIT, "module=%s still loading after %d s",
			    ml_string(ml_table[i].name), ML_LOAD_DEADLINE_S);
	stop_machine("the latch was not reached within LOAD_DEADLINE");
}

void arm_load_deadline(struct boot *boot)
{
	load_watch = shared_memory(sizeof(*load_watch) + (ml_table_len ? ml_table_len : 1) *
								 sizeof(load_watch->results[0]));
	/* Without the watch, a hung module init would hang the boot: fail closed at once. */
	if (!load_watch ||
	    !arm_watch(&load_watch->watch, ML_LOAD_DEADLINE_S, load_deadline_passed)) {
		say(LOG_CRIT, "cannot start the load deadline: %s", errno_name(errno));
		stop_machine("no load deadline");
	}
	boot->results = load_watch->results;
}

void disarm_load_deadline(void)
{
	disarm_watch(&load_watch->watch);
}
