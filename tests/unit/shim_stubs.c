/* SPDX-License-Identifier: MIT */
/*
 * What the init/ files that the unit tests link (deadline.c, foreign.c) call in the rest of the
 * shim, as stand-ins: a table of one entry, xor (the generator writes the real one), and a log
 * that keeps the last line said instead of writing to the kernel.
 */
#include <stdarg.h>

#include "fmt.h"
#include "log.h"
#include "shim_stubs.h"
#include "table.h"

const struct ml_entry ml_table[1] = { { .name = 1 } };
const unsigned ml_table_len = 1;
const char ml_strings[] = "\0xor";

char last_said[512];

void say(int level, const char *format, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, format);
	vfmt(last_said, sizeof(last_said), format, ap);
	va_end(ap);
}
