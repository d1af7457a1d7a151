/* SPDX-License-Identifier: MIT */
/*
 * Loading from a ready queue, on up to as many workers as the build and the CPUs allow. An entry
 * is ready once every entry it waits for is done. In parallel mode the ready entry the build
 * ranked first (the longest chain of load costs waits behind it) starts on the first free
 * worker; a sequential entry ('!') starts only when no other is loading, and none starts beside
 * it. In serial mode the next entry in table order starts once the one before is done. A worker
 * with nothing to start opens and hashes an entry ahead (entry.c), so its pin check is done
 * when its turn comes. Every worker is joined before this returns, and so before the latch.
 */
#include <limits.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "kernel.h"
#include "log.h"

/* Files opened and hashed ahead of their turn, at most: each holds a descriptor. */
#define AHEAD_MAX 8

enum slot { WAITING, HASHING, HASHED, LOADING, DONE };

struct queue {
	atomic_uint lock;    /* 0 free, 1 held, 2 held and waited for */
	atomic_uint changes; /* counts the changes workers wait for */
	atomic_uint helpers; /* helper threads still working */
	struct module_result *results;
	unsigned char *slots;  /* enum slot, one per entry */
	struct opened *opened; /* for HASHED entries */
	unsigned loading, ahead, done;
	bool alone;  /* a sequential entry is loading */
	bool serial; /* LOAD=serial: one at a time, in table order */
};

/*
 * The queue's lock and its "something changed", on two futex words: musl's mutex and condition
 * variable would cost 4 KiB of the 32 KiB binary for what this does. A futex wait that returns
 * early (EAGAIN, EINTR) is harmless: every caller checks again what it waits for.
 */
static void futex(atomic_uint *word, int op, unsigned value)
{
	syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, value, NULL, NULL, 0);
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
		if (q->slots[ml_deps[e->deps + d]] != DONE)
			return false;
	return true;
}

/* The entry to load now, or -1 when none may start yet. */
static int next_to_load(const struct queue *q)
{
	int best = -1;

	for (unsigned i = 0; i < ml_table_len; i++) {
		if (q->slots[i] == LOADING || q->slots[i] == DONE)
			continue;
		if (q->serial) /* the first not yet loaded, once nothing loads, and not mid-hash */
			return q->loading || q->slots[i] == HASHING ? -1 : (int)i;
		if (q->slots[i] != HASHING && waits_are_done(q, i) &&
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
		if (q->slots[i] == WAITING &&
		    (best < 0 || (!q->serial && ml_table[i].rank < ml_table[best].rank)))
			best = (int)i;
	return best;
}

/* Loads entry i, opening its file now unless that was done ahead; the lock is not held. */
static void load(struct queue *q, unsigned i, bool hashed)
{
	if (!hashed)
		open_entry(&ml_table[i], &q->results[i], &q->opened[i]);
	load_opened(&ml_table[i], i, q->results, &q->opened[i]);
}

/* Takes one step of work, or waits for one; false once every entry is done. Lock held. */
static bool step(struct queue *q)
{
	int i = next_to_load(q);

	if (i >= 0) {
		bool hashed = q->slots[i] == HASHED, alone = ml_table[i].flags & ML_SEQUENTIAL;
		q->ahead -= hashed;
		q->slots[i] = LOADING;
		q->loading++;
		q->alone = alone;
		unlock(q);
		load(q, (unsigned)i, hashed);
		lock(q);
		q->slots[i] = DONE;
		q->loading--;
		q->alone = q->alone && !alone;
		q->done++;
	} else if (q->done == ml_table_len) {
		return false;
	} else if ((i = next_to_hash(q)) >= 0) {
		q->slots[i] = HASHING;
		unlock(q);
		open_entry(&ml_table[i], &q->results[i], &q->opened[i]);
		lock(q);
		q->slots[i] = HASHED;
		q->ahead++;
	} else {
		wait_for_change(q);
		return true;
	}
	announce_change(q);
	return true;
}

static void *work(void *arg)
{
	struct queue *q = arg;

	lock(q);
	while (step(q))
		;
	unlock(q);
	return NULL;
}

/*
 * A helper thread, detached: it says when it is done on a futex word, which the caller waits
 * on instead of pthread_join (whose timed wait would bring the vDSO lookup in, some 1.5 KiB).
 * Its last act is the wake; the word may be gone by then, which the kernel does not mind.
 */
static void *help(void *arg)
{
	struct queue *q = arg;

	work(q);
	atomic_fetch_sub(&q->helpers, 1);
	futex(&q->helpers, FUTEX_WAKE, 1);
	return NULL;
}

unsigned load_from_queue(struct module_result *results, unsigned workers, bool serial)
{
	unsigned char slots[ml_table_len ? ml_table_len : 1];
	struct opened opened[ml_table_len ? ml_table_len : 1];
	struct queue q = { .results = results, .slots = slots, .opened = opened, .serial = serial };
	unsigned started = 0, running;

	atomic_init(&q.lock, 0);
	atomic_init(&q.changes, 0);
	atomic_init(&q.helpers, 0);
	for (unsigned i = 0; i < ml_table_len; i++) {
		slots[i] = results[i].outcome == OUTCOME_PENDING ? WAITING : DONE;
		q.done += slots[i] == DONE;
	}
	/* No more workers than entries to load, nor than MAX_THREADS. */
	if (workers > ml_table_len - q.done)
		workers = ml_table_len - q.done;
	if (workers > ML_MAX_THREADS)
		workers = ML_MAX_THREADS;
	while (started + 1 < workers) {
		atomic_fetch_add(&q.helpers, 1);
		int err = start_thread(help, &q);
		if (err) {
			atomic_fetch_sub(&q.helpers, 1);
			say(LOG_WARNING, "cannot start a loading thread: %s", errno_name(err));
			break;
		}
		started++;
	}
	work(&q);
	while ((running = atomic_load(&q.helpers)) != 0)
		futex(&q.helpers, FUTEX_WAIT, running);
	return started + 1;
}
