/* SPDX-License-Identifier: MIT */
/*
 * Load the table from the ready queue (ready.c): side by side on the CPUs there are, or with
 * LOAD=serial one at a time in table order, the next file hashed on a second CPU meanwhile.
 */
#include <sched.h>
#include <string.h>

#include "boot.h"
#include "config.h"
#include "log.h"
#include "sha256.h"

/* Side by side loading uses at most one worker per CPU, and never more than the build allows. */
static unsigned worker_count(void)
{
	cpu_set_t cpus;

	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0)
		return 1;
	unsigned count = (unsigned)CPU_COUNT(&cpus);
	return count < ML_MAX_THREADS ? count : ML_MAX_THREADS;
}

void load_modules(struct boot *boot)
{
	enum step skip = !boot->helpers_blanked	  ? STEP_HELPERS
			 : !boot->release_matches ? STEP_RELEASE
			 : boot->latched_before	  ? STEP_LATCHED
						  : STEP_NONE;

	for (unsigned i = 0; i < ml_table_len; i++) {
		const struct ml_entry *e = &ml_table[i];
		struct module_result *r = &boot->results[i];
		memset(r, 0, sizeof(*r));
		if (e->flags & ML_BUILTIN)
			r->outcome = OUTCOME_BUILTIN;
		else if (e->flags & ML_ABSENT)
			r->outcome = OUTCOME_ABSENT;
		else if (skip != STEP_NONE)
			fail_entry(r, skip, 0);
		else
			r->outcome = OUTCOME_PENDING;
	}
	if (ML_SHA256_FAST)
		say(LOG_INFO, "sha256=%s", sha256_use_fastest());
	/* Ranks only pay where modules can load side by side: one CPU loads in table order. Serial,
	 * one loads at a time, and a second worker hashes ahead where there is a CPU for it. */
	unsigned workers = worker_count();
	bool serial = !ML_PARALLEL || workers == 1;
	unsigned threads =
		load_from_queue(boot->results, serial && workers > 2 ? 2 : workers, serial);
	boot->threads = serial ? 1 : threads;
}
