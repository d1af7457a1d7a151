/* SPDX-License-Identifier: MIT */
/*
 * The load plan: modules and their dependencies in, load order and levels out.
 * It knows nothing of libkmod or files, so it can be tested with made-up graphs.
 */
#ifndef MODLATCH_PLAN_H
#define MODLATCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "table.h"

struct plan_module {
	char *name;
	char *path; /* relative to the modules tree; NULL when built in or absent */
	char *params;
	const char *pulled_by; /* name of the listed module that first needed it */
	size_t *deps;
	size_t ndeps;
	size_t *after; /* loaded before it without being needed: its pre: softdeps in the table */
	size_t nafter;
	char **weakdeps; /* names its .modinfo gives as weakdep, for the generator's check */
	size_t nweakdeps;
	bool described; /* path, file facts and deps are filled in */
	unsigned long long size;
	unsigned char sha256[SHA256_DIGEST_LEN];
	unsigned compression;
	unsigned flags; /* enum ml_entry_flag */
	unsigned level;
	unsigned long long cost; /* what loading it takes: file size, or measured microseconds */
	unsigned rank;		 /* place in the ready queue (plan_rank) */
	unsigned listed_line;	 /* 0 when only pulled in */
	bool listed_optional;
	bool sequential;
	int state; /* internal to plan_order */
};

struct plan {
	struct plan_module *modules;
	size_t len;
	size_t *listed; /* indices, in list order, each once */
	size_t nlisted;
	size_t *order; /* indices, in load order */
	size_t norder;
};

/* The index of the module called name, added when new; -1 when out of memory. */
long plan_module(struct plan *plan, const char *name);

/* The index of the module called name; -1 when the plan has none. */
long plan_find(const struct plan *plan, const char *name);

/* Records that module index depends on dep. */
int plan_add_dep(struct plan *plan, size_t index, size_t dep);

/*
 * Records that module before must load before module index (a pre: softdep): an ordering edge
 * that raises the level like a dependency, but not one the table lists as needed.
 */
int plan_add_order(struct plan *plan, size_t index, size_t before);

/*
 * Records that the list names module index at line. Listing it again with the same parameters
 * collapses; other parameters are an error, written to err.
 */
int plan_list(struct plan *plan, size_t index, unsigned line, bool optional, const char *params,
	      char *err, size_t errlen);

/* Records that module index must be loaded alone ('!' in the list). */
void plan_mark_sequential(struct plan *plan, size_t index);

/*
 * Orders every listed module after all it depends on and all it is ordered after, sets levels,
 * marks as optional only what nothing required needs, and names who pulled each dependency in.
 * Fails on a cycle. May be called again after more ordering edges are added.
 */
int plan_order(struct plan *plan, char *err, size_t errlen);

/*
 * Ranks the ordered modules for the shim's ready queue: 0 for the one with the longest chain of
 * costs from it to the end of anything that waits for it, then down; ties in load order. A
 * module is worth starting early when much waits behind it.
 */
int plan_rank(struct plan *plan);

/* Position of module index in the load order. */
size_t plan_position(const struct plan *plan, size_t index);

void plan_free(struct plan *plan);

#endif
