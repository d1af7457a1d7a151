/* SPDX-License-Identifier: MIT */
/*
 * Load the table. Each file is opened once, without blocking, and checked against its pin
 * (filehash.c: a regular file, the pinned size, then the pinned SHA-256); the descriptor that was
 * hashed is the one handed to finit_module, and no other program runs meanwhile, so what was
 * checked is what gets loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include "fmt.h"
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "filehash.h"
#include "kernel.h"

long long monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool is_in_kernel(const struct module_result *r)
{
	return r->outcome == OUTCOME_LOADED || r->outcome == OUTCOME_ALREADY ||
	       r->outcome == OUTCOME_BUILTIN;
}

static void fail(struct module_result *r, enum step step, int err)
{
	r->outcome = OUTCOME_FAILED;
	r->step = step;
	r->err = err;
}

static void call_finit_module(const struct ml_entry *e, int fd, unsigned flags,
			      struct module_result *r)
{
	long long start = monotonic_us();
	long rc = syscall(SYS_finit_module, fd, e->params, flags);
	int err = errno;

	r->finit_usec = monotonic_us() - start;
	if (rc == 0)
		r->outcome = OUTCOME_LOADED;
	else if (err == EEXIST)
		r->outcome = OUTCOME_ALREADY;
	else
		fail(r, STEP_FINIT, err);
}

/* Where the shared pin check stopped, as a step of the report. */
static enum step step_of(enum pin_check check)
{
	static const enum step steps[] = {
		[PIN_OK] = STEP_NONE,	[PIN_OPEN] = STEP_OPEN, [PIN_NOT_REGULAR] = STEP_TYPE,
		[PIN_SIZE] = STEP_SIZE, [PIN_READ] = STEP_READ, [PIN_SHA256] = STEP_SHA256,
	};
	return steps[check];
}

void load_entry(const struct ml_entry *e, unsigned index, struct module_result *results)
{
	struct module_result *r = &results[index];
	char path[4096];
	enum pin_check check = PIN_OPEN;

	for (unsigned i = 0; i < e->ndeps; i++)
		if (!is_in_kernel(&results[e->deps[i]])) {
			fail(r, STEP_DEPENDENCY, 0);
			r->need = e->deps[i];
			return;
		}
	long long start = monotonic_us();
	int fd = -1;
	atomic_store(&r->loading, true);
	errno = ENAMETOOLONG;
	if (fmt(path, sizeof(path), "%s/%s/%s", ML_MODULES_DIR, ml_release, e->path) < sizeof(path))
		fd = pin_open(path, e->size, e->sha256, &check, &r->actual_size);
	if (fd < 0) {
		fail(r, step_of(check), check == PIN_OPEN || check == PIN_READ ? errno : 0);
	} else {
		call_finit_module(
			e, fd, e->compression == ML_COMP_NONE ? 0 : MODULE_INIT_COMPRESSED_FILE, r);
		close(fd);
	}
	atomic_store(&r->loading, false);
	r->usec = monotonic_us() - start;
}

/* Side by side loading uses at most one thread per CPU, and never more than the build allows. */
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
			fail(r, skip, 0);
		else
			r->outcome = OUTCOME_PENDING;
	}
	boot->threads = 1;
	if (ML_PARALLEL && worker_count() > 1) {
		boot->threads = load_in_waves(boot->results, worker_count());
		return;
	}
	for (unsigned i = 0; i < ml_table_len; i++)
		if (boot->results[i].outcome == OUTCOME_PENDING)
			load_entry(&ml_table[i], i, boot->results);
}

/* Optional means: may be missing, may find no device; never: may be tampered with. */
bool is_integrity_failure(const struct module_result *r)
{
	if (r->outcome != OUTCOME_FAILED)
		return false;
	if (r->step == STEP_TYPE || r->step == STEP_SIZE || r->step == STEP_SHA256)
		return true;
	return r->step == STEP_FINIT && (r->err == ENOEXEC || r->err == EKEYREJECTED ||
					 r->err == EBADMSG || r->err == ENOKEY);
}

bool failure_is_tolerated(const struct ml_entry *e, const struct module_result *r)
{
	if (!(e->flags & ML_OPTIONAL) || r->outcome != OUTCOME_FAILED)
		return false;
	switch (r->step) {
	case STEP_OPEN:
		return r->err == ENOENT;
	case STEP_FINIT:
		return r->err == ENODEV || r->err == ENXIO;
	case STEP_DEPENDENCY:
	case STEP_HELPERS:
	case STEP_RELEASE:
	case STEP_LATCHED:
		return true;
	default:
		return false;
	}
}
