/* SPDX-License-Identifier: MIT */
/*
 * Loading from a ready queue, on up to as many workers as the build and the CPUs allow. An entry
 * is ready once every entry it waits for is done. In parallel mode the ready entry the build
 * ranked first (the longest chain of load costs waits behind it) starts on the first free
 * worker; a sequential entry ('!') starts only when no other is loading, and none starts beside
 * it. In serial mode the next entry in table order starts once the one before is done. A worker
 * with nothing to start opens and hashes an entry ahead (entry.c), so its pin check is done
 * when its turn comes. The workers besides PID 1 are child processes that share its
 * descriptors and the queue's memory (deadline.c says why not threads); each has ended, and
 * been reaped, before this returns, and so before the latch.
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "kernel.h"
#include "log.h"

/* Files opened and hashed ahead of their turn, at most: each holds a descriptor. */
#define AHEAD_MAX 8

enum slot { WAITING, HASHING, HASHED, LOADING, DONE };

/* In memory shared by the workers: each entry's place in the queue, and the queue's counts. */
struct queue {
	atomic_uint lock;    /* 0 free, 1 held, 2 held and waited for */
	atomic_uint changes; /* counts the changes workers wait for */
	struct module_result *results;
	unsigned loading, ahead, done;
	bool alone;  /* a sequential entry is loading */
	bool serial; /* LOAD=serial: one at a time, in table order */
	struct {
		unsigned char slot;   /* enum slot */
		struct opened opened; /* for HASHED entries */
	} entries[];
};

/*
 * The queue's lock and its "something changed", on two futex words, shared between processes
 * (so not FUTEX_PRIVATE_FLAG). A futex wait that returns early (EAGAIN, EINTR) is harmless:
 * every caller checks again what it waits for.
 */
static void futex(atomic_uint *word, int op, unsigned value)
{
	syscall(SYS_futex, word, op, value, NULL, NULL, 0);
}

static void lock(struct queue *q)
{
	unsigned unheld = 0;

	if (atomic_compare_exchange_strong(&q->lock, &unheld, 1))
		return;
	while (atomic_exchange(&q->lock, 2) != 0)
		futex(&q->lock, FUTEX_WAIT, 2);
}

static void unlock(struct queue *q)
{
	if (atomic_exchange(&q->lock, 0) == 2)
		futex(&q->lock, FUTEX_WAKE, 1);
}

/* Sleeps until another worker announces a change; the lock is held before and after. */
static void wait_for_change(struct queue *q)
{
	unsigned seen = atomic_load(&q->changes);

	unlock(q);
	futex(&q->changes, FUTEX_WAIT, seen);
	lock(q);
}

/* Wakes every waiting worker; the lock is held, so none can miss it. */
static void announce_change(struct queue *q)
{
	atomic_fetch_add(&q->changes, 1);
	futex(&q->changes, FUTEX_WAKE, INT_MAX);
}

static bool waits_are_done(const struct queue *q, unsigned i)
{
	const struct ml_entry *e = &ml_table[i];

	for (unsigned d = 0; d < e->ndeps + e->nafter; d++)
		if (q->entries[ml_deps[e->deps + d]].slot != DONE)
			return false;
	return true;
}

/* The entry to load now, or -1 when none may start yet. */
static int next_to_load(const struct queue *q)
{
	int best = -1;

	for (unsigned i = 0; i < ml_table_len; i++) {
		if (q->entries[i].slot == LOADING || q->entries[i].slot == DONE)
			continue;
		if (q->serial) /* the first not yet loaded, once nothing loads, and not mid-hash */
			return q->loading || q->entries[i].slot == HASHING ? -1 : (int)i;
		if (q->entries[i].slot != HASHING && waits_are_done(q, i) &&
		    (best < 0 || ml_table[i].rank < ml_table[best].rank))
			best = (int)i;
	}
	if (best < 0 || q->alone || ((ml_table[best].flags & ML_SEQUENTIAL) && q->loading))
		return -1;
	return best;
}

/* The entry to open and hash ahead, or -1: the next in table order, or the best ranked. */
static int next_to_hash(const struct queue *q)
{
	int best = -1;

	if (q->ahead >= AHEAD_MAX)
		return -1;
	for (unsigned i = 0; i < ml_table_len; i++)
		if (q->entries[i].slot == WAITING &&
		    (best < 0 || (!q->serial && ml_table[i].rank < ml_table[best].rank)))
			best = (int)i;
	return best;
}

/* Loads entry i, opening its file now unless that was done ahead; the lock is not held. */
static void load(struct queue *q, unsigned i, bool hashed)
{
	if (!hashed)
		open_entry(&ml_table[i], &q->results[i], &q->entries[i].opened);
	load_opened(&ml_table[i], i, q->results, &q->entries[i].opened);
}

/* Takes one step of work, or waits for one; false once every entry is done. Lock held. */
static bool step(struct queue *q)
{
	int i = next_to_load(q);

	if (i >= 0) {
		bool hashed = q->entries[i].slot == HASHED,
		     alone = ml_table[i].flags & ML_SEQUENTIAL;
		q->ahead -= hashed;
		q->entries[i].slot = LOADING;
		q->loading++;
		q->alone = alone;
		unlock(q);
		load(q, (unsigned)i, hashed);
		lock(q);
		q->entries[i].slot = DONE;
		q->loading--;
		q->alone = q->alone && !alone;
		q->done++;
	} else if (q->done == ml_table_len) {
		return false;
	} else if ((i = next_to_hash(q)) >= 0) {
		q->entries[i].slot = HASHING;
		unlock(q);
		open_entry(&ml_table[i], &q->results[i], &q->entries[i].opened);
		lock(q);
		q->entries[i].slot = HASHED;
		q->ahead++;
	} else {
		wait_for_change(q);
		return true;
	}
	announce_change(q);
	return true;
}

static void work(struct queue *q)
{
	lock(q);
	while (step(q))
		;
	unlock(q);
}

/* Starts a worker beside this process: it works until every entry is done, then exits. */
static pid_t start_worker(struct queue *q)
{
	pid_t pid = start_child(true);

	if (pid == 0) {
		work(q);
		_exit(0);
	}
	return pid;
}

unsigned load_from_queue(struct module_result *results, unsigned workers, bool serial)
{
	size_t len = sizeof(struct queue) +
		     (ml_table_len ? ml_table_len : 1) * sizeof(((struct queue *)0)->entries[0]);
	struct queue *q = shared_memory(len);
	pid_t helpers[ML_MAX_THREADS];
	unsigned started = 0;

	if (!q) {
		say(LOG_CRIT, "cannot map the loading queue: %s", errno_name(errno));
		stop_machine("no memory to load modules in");
	}
	q->results = results;
	q->serial = serial;
	for (unsigned i = 0; i < ml_table_len; i++) {
		q->entries[i].slot = results[i].outcome == OUTCOME_PENDING ? WAITING : DONE;
		q->done += q->entries[i].slot == DONE;
	}
	/* No more workers than entries to load, nor than MAX_THREADS. */
	if (workers > ml_table_len - q->done)
		workers = ml_table_len - q->done;
	if (workers > ML_MAX_THREADS)
		workers = ML_MAX_THREADS;
	for (; started + 1 < workers; started++)
		if ((helpers[started] = start_worker(q)) < 0) {
			say(LOG_WARNING, "cannot start a loading worker: %s", errno_name(errno));
			break;
		}
	work(q);
	for (unsigned i = 0; i < started; i++)
		while (waitpid(helpers[i], NULL, 0) < 0 && errno == EINTR)
			;
	munmap(q, len);
	return started + 1;
}
