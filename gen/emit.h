/* SPDX-License-Identifier: MIT */
/* Writes the load plan as the C table the shim compiles in. */
#ifndef MODLATCH_EMIT_H
#define MODLATCH_EMIT_H

#include <stdio.h>

#include "plan.h"

/* Same plan, same bytes: no dates, no host paths, nothing that varies between runs. */
int emit_table(FILE *out, const struct plan *plan, const char *release, const char *list_name);

/*
 * The module files the table pins, in table order, one a line as sha256sum prints them:
 * "SHA256  PATH", PATH relative to the modules tree (sha256sum -c checks a copy of the tree).
 * Built-in and absent entries have no file and no line. -1 when a path cannot be written as a
 * plain relative line (a newline, a backslash, an absolute path or a ".." component), naming it.
 */
int emit_files(FILE *out, const struct plan *plan);

#endif
