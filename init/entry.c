/* SPDX-License-Identifier: MIT */
/*
 * Load one table entry, in two halves that may run in different workers (ready.c): open_entry()
 * opens the file once, without blocking, checks it against its pin (common/filehash.c: a regular
 * file, the pinned size, then the pinned SHA-256) and keeps exactly the bytes it hashed in a
 * sealed memfd; load_opened() hands that memfd to finit_module once all the entry needs is in
 * (when one is not, that is what it reports, and nothing is loaded). A process that rewrites the
 * file after its hash (one left running, named but not killed) changes nothing that loads: what
 * was checked is what gets loaded, read from the disk once.
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
	long long start = r->finit_start_us = monotonic_us();
	long rc = syscall(SYS_finit_module, fd, ml_string(e->params), flags);
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

bool module_path(char *path, size_t len, const char *root, const struct ml_entry *e)
{
	errno = ENAMETOOLONG;
	return fmt(path, len, "%s%s/%s/%s%s%s", root, ML_MODULES_DIR, ml_release, ml_string(e->dir),
		   ml_string(e->file), ml_suffix(e->compression)) < len;
}

void open_entry(const struct ml_entry *e, struct module_result *r, struct opened *o)
{
	char path[4096];
	long long start = monotonic_us();

	atomic_store(&r->loading, true);
	o->fd = -1;
	o->check = PIN_OPEN;
	if (module_path(path, sizeof(path), "", e))
		o->fd = pin_open(path, e->size, e->sha256, &o->check, &r->actual_size);
	o->err = o->check == PIN_OPEN || o->check == PIN_READ ? errno : 0;
	o->usec = monotonic_us() - start;
	atomic_store(&r->loading, false);
}

/* Fails r when an entry that e needs is not in the kernel; what it only follows may have failed. */
static bool needs_are_in(const struct ml_entry *e, struct module_result *results,
			 struct module_result *r)
{
	for (unsigned i = 0; i < e->ndeps; i++)
		if (!is_in_kernel(&results[ml_deps[e->deps + i]])) {
			fail_entry(r, STEP_DEPENDENCY, 0);
			r->need = ml_deps[e->deps + i];
			return false;
		}
	return true;
}

void load_opened(const struct ml_entry *e, unsigned index, struct module_result *results,
		 const struct opened *o)
{
	struct module_result *r = &results[index];

	/* A missing dependency is what the report names, whatever the file was. */
	if (!needs_are_in(e, results, r)) {
	} else if (o->fd < 0) {
		fail_entry(r, step_of(o->check), o->err);
	} else {
		atomic_store(&r->loading, true);
		call_finit_module(e, o->fd,
				  e->compression == ML_COMP_NONE ? 0 : MODULE_INIT_COMPRESSED_FILE,
				  r);
		atomic_store(&r->loading, false);
	}
	if (o->fd >= 0)
		close(o->fd);
	r->usec = o->usec + r->finit_usec;
}
