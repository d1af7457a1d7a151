/* SPDX-License-Identifier: MIT */
/*
 * Load one table entry. The file is opened once, without blocking, and checked against its pin
 * (common/filehash.c: a regular file, the pinned size, then the pinned SHA-256); the descriptor
 * that was hashed is the one handed to finit_module, and no other program runs meanwhile, so what
 * was checked is what gets loaded.
 */
#include <errno.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "boot.h"
#include "clock.h"
#include "config.h"
#include "filehash.h"
#include "fmt.h"
#include "kernel.h"

static bool is_in_kernel(const struct module_result *r)
{
	return r->outcome == OUTCOME_LOADED || r->outcome == OUTCOME_ALREADY ||
	       r->outcome == OUTCOME_BUILTIN;
}

void fail_entry(struct module_result *r, enum step step, int err)
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
		fail_entry(r, STEP_FINIT, err);
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
			fail_entry(r, STEP_DEPENDENCY, 0);
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
		fail_entry(r, step_of(check), check == PIN_OPEN || check == PIN_READ ? errno : 0);
	} else {
		call_finit_module(
			e, fd, e->compression == ML_COMP_NONE ? 0 : MODULE_INIT_COMPRESSED_FILE, r);
		close(fd);
	}
	atomic_store(&r->loading, false);
	r->usec = monotonic_us() - start;
}
