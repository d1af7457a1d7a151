/* SPDX-License-Identifier: MIT */
/* Writes the load plan as the C table the shim compiles in. */
#ifndef MODLATCH_EMIT_H
#define MODLATCH_EMIT_H

#include <stdio.h>

#include "plan.h"

/* Same plan, same bytes: no dates, no host paths, nothing that varies between runs. */
int emit_table(FILE *out, const struct plan *plan, const char *release, const char *list_name);

#endif
