/* SPDX-License-Identifier: MIT */
#include "costs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errname.h"

static bool is_loadable(const struct plan_module *m)
{
	return m->path && !(m->flags & (ML_BUILTIN | ML_ABSENT));
}

void costs_from_sizes(struct plan *plan)
{
	for (size_t i = 0; i < plan->len; i++)
		plan->modules[i].cost = is_loadable(&plan->modules[i]) ? plan->modules[i].size : 0;
}

/*
 * Reads "modlatch: module=NAME result=loaded ... finit_us=N" from line, wherever it starts
 * (a console or dmesg prefix may come first). 1 when found, 0 when the line is another one,
 * -1 when it is such a line with no number after finit_us=.
 */
static int timed_line(const char *line, char *name, size_t len, unsigned long long *us)
{
	const char *at = strstr(line, "modlatch: module=");
	const char *t;
	char *end;

	if (!at || !strstr(at, " result=loaded "))
		return 0;
	at += strlen("modlatch: module=");
	size_t n = strcspn(at, " \r\n");
	if (n == 0 || n >= len || !(t = strstr(at, " finit_us=")))
		return -1;
	memcpy(name, at, n);
	name[n] = '\0';
	t += strlen(" finit_us=");
	errno = 0;
	*us = strtoull(t, &end, 10);
	return end == t || *t == '-' || errno || !strchr(" \r\n", *end) ? -1 : 1;
}

static int by_value(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return (x > y) - (x < y);
}

/* The median of the measured costs; the unmeasured loadable modules get it, with a note. */
static void fill_unmeasured(struct plan *plan, const char *path, const bool *measured,
			    unsigned long long *sorted)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->len; i++)
		if (measured[i])
			sorted[n++] = plan->modules[i].cost;
	qsort(sorted, n, sizeof(*sorted), by_value);
	for (size_t i = 0; i < plan->len; i++) {
		struct plan_module *m = &plan->modules[i];
		if (!is_loadable(m) || measured[i])
			continue;
		m->cost = sorted[n / 2];
		fprintf(stderr,
			"%s: note: no finit_us for module %s; ranked at the median, %llu us\n",
			path, m->name, m->cost);
	}
}

/* Reads the report into the plan's costs; the number of modules it timed, or -1. */
static long read_report(struct plan *plan, const char *path, FILE *in, bool *measured)
{
	char *line = NULL, name[ML_MODULE_NAME_MAX + 1];
	size_t size = 0;
	unsigned long long us;
	unsigned number = 0;
	long timed = 0;

	while (getline(&line, &size, in) >= 0) {
		number++;
		int found = timed_line(line, name, sizeof(name), &us);
		if (found < 0) {
			fprintf(stderr,
				"%s:%u: a loaded module's line without a whole number after "
				"finit_us=\n",
				path, number);
			free(line);
			return -1;
		}
		long index = found ? plan_find(plan, name) : -1;
		if (index < 0 || !is_loadable(&plan->modules[index]))
			continue;
		struct plan_module *m = &plan->modules[index];
		if (!measured[index] || us > m->cost)
			m->cost = us;
		timed += !measured[index];
		measured[index] = true;
	}
	free(line);
	if (ferror(in)) {
		fprintf(stderr, "%s: %s\n", path, errno_name(errno));
		return -1;
	}
	return timed;
}

int costs_from_report(struct plan *plan, const char *path)
{
	bool *measured = calloc(plan->len ? plan->len : 1, sizeof(*measured));
	unsigned long long *sorted = calloc(plan->len ? plan->len : 1, sizeof(*sorted));
	FILE *in = fopen(path, "r");
	long timed = -1;

	if (!in)
		fprintf(stderr, "%s: %s\n", path, errno_name(errno));
	else if (!measured || !sorted)
		fprintf(stderr, "out of memory\n");
	else if ((timed = read_report(plan, path, in, measured)) == 0)
		fprintf(stderr,
			"%s: no line \"modlatch: module=NAME result=loaded ... finit_us=N\" times "
			"a "
			"module of the table\n",
			path);
	if (timed > 0)
		fill_unmeasured(plan, path, measured, sorted);
	if (in)
		fclose(in);
	free(measured);
	free(sorted);
	return timed > 0 ? 0 : -1;
}
