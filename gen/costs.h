/* SPDX-License-Identifier: MIT */
/*
 * What loading each module costs, for the ready queue's ranks: by default the file's size, or
 * the time finit_module took in a boot whose report was saved (--costs REPORT).
 */
#ifndef MODLATCH_COSTS_H
#define MODLATCH_COSTS_H

#include "plan.h"

/* Each module's cost is the size of its file (0 for built-in and absent ones). */
void costs_from_sizes(struct plan *plan);

/*
 * Each module's cost is its finit_us in the report at path (the largest, when it appears more
 * than once); a module the report does not time gets the median of those it does, and a note
 * on stderr. -1 after saying why: unreadable, a malformed time (naming the line), or no timed
 * module of the table at all.
 */
int costs_from_report(struct plan *plan, const char *path);

#endif
