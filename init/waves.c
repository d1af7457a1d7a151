/* SPDX-License-Identifier: MIT */
/*
 * Parallel loading in waves. The generator gave each entry a level: 0 when it needs nothing,
 * else one more than the highest level it needs. A wave is every pending entry of one level;
 * all it needs finished in earlier waves, so its members can load side by side. Entries marked
 * sequential ('!' in the list) load alone after their wave. Every thread is joined before the
 * next wave starts, and so before the latch.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "log.h"

struct wave {
	const unsigned short *members;
	unsigned count;
	atomic_uint next;
	struct module_result *results;
};

static void *work(void *arg)
{
	struct wave *w = arg;
	unsigned k;

	while ((k = atomic_fetch_add(&w->next, 1)) < w->count)
		load_entry(&ml_table[w->members[k]], w->members[k], w->results);
	return NULL;
}

/* Runs a wave on up to threads threads, this one included; returns how many ran. */
static unsigned run_wave(struct wave *w, unsigned threads)
{
	pthread_t helpers[ML_MAX_THREADS];
	unsigned started = 0;

	while (started + 1 < threads && started + 1 < w->count) {
		int err = pthread_create(&helpers[started], NULL, work, w);
		if (err) {
			say(LOG_WARNING, "cannot start a loading thread: %s", errno_name(err));
			break;
		}
		started++;
	}
	work(w);
	for (unsigned i = 0; i < started; i++)
		pthread_join(helpers[i], NULL);
	return started + 1;
}

static bool in_wave(unsigned i, unsigned level, const struct module_result *results)
{
	return results[i].outcome == OUTCOME_PENDING && ml_table[i].level == level;
}

unsigned load_in_waves(struct module_result *results, unsigned threads)
{
	unsigned short members[ml_table_len ? ml_table_len : 1];
	unsigned top = 0, most = 1;

	for (unsigned i = 0; i < ml_table_len; i++)
		if (ml_table[i].level > top)
			top = ml_table[i].level;
	for (unsigned level = 0; level <= top; level++) {
		struct wave w = { .members = members, .results = results };
		atomic_init(&w.next, 0);
		for (unsigned i = 0; i < ml_table_len; i++)
			if (in_wave(i, level, results) && !(ml_table[i].flags & ML_SEQUENTIAL))
				members[w.count++] = (unsigned short)i;
		unsigned ran = w.count ? run_wave(&w, threads) : 0;
		if (ran > most)
			most = ran;
		for (unsigned i = 0; i < ml_table_len; i++)
			if (in_wave(i, level, results))
				load_entry(&ml_table[i], i, results);
	}
	return most;
}
