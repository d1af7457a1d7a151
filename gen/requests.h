/* SPDX-License-Identifier: MIT */
/*
 * modlatch-gen --requests: list lines for the module requests that the shim refused after the
 * latch (AFTER_LATCH=record), read from /run/modlatch/refused or from a saved kernel log.
 */
#ifndef MODLATCH_REQUESTS_H
#define MODLATCH_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct request {
	char *name;
	unsigned line; /* the first line that names it */
};

struct requests {
	struct request *items; /* each name once, in the order first seen */
	size_t len;
	bool from_log; /* a kernel log: only the shim's refused lines counted */
};

/*
 * Reads request names from in: a kernel log when any line carries the shim's
 * "modlatch: refused ", else one name per
 * line (blank lines skipped). A name must pass the shim's own check (request_name_error).
 * Errors go to stderr as "path:line: what"; every bad line is named before it returns -1.
 */
int requests_read(FILE *in, const char *path, struct requests *rq);
void requests_free(struct requests *rq);

/*
 * Runs the requests command; returns the exit status: 0 every request answered, 1 bad input or
 * tree (nothing printed), 2 usage, 3 printed but some request answered by no module.
 */
int requests_main(int argc, char **argv);

#endif
