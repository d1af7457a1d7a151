/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "costs.h"

/* A file holding text; its path, to unlink after. */
static const char *report_file(const char *text)
{
	static char path[64];
	FILE *out;

	strcpy(path, "/tmp/modlatch-costs-XXXXXX");
	int fd = mkstemp(path);
	CHECK(fd >= 0 && (out = fdopen(fd, "w")) != NULL);
	fputs(text, out);
	fclose(out);
	return path;
}

/* Three loadable modules, a built-in one, and their files' sizes. */
static struct plan three_modules(void)
{
	static const char *const names[] = { "llc", "stp", "bridge", "crc32c" };
	struct plan plan = { 0 };

	for (size_t i = 0; i < 4; i++) {
		size_t m = (size_t)plan_module(&plan, names[i]);
		plan.modules[m].path = i < 3 ? strdup("kernel/x.ko") : NULL;
		plan.modules[m].size = 1000 * (i + 1);
	}
	plan.modules[3].flags |= ML_BUILTIN;
	return plan;
}

static void costs_are_file_sizes_by_default(void)
{
	struct plan plan = three_modules();

	costs_from_sizes(&plan);
	CHECK(plan.modules[0].cost == 1000 && plan.modules[2].cost == 3000);
	CHECK(plan.modules[3].cost == 0);
	plan_free(&plan);
}

static void costs_come_from_a_saved_reports_finit_us(void)
{
	struct plan plan = three_modules();
	const char *path = report_file(
		"[    1.5] modlatch: module=llc result=loaded us=900 finit_us=700\n"
		"<6>modlatch: module=stp result=loaded us=90 finit_us=40\r\n"
		"modlatch: module=stp result=loaded us=95 finit_us=60\n"
		"modlatch: module=bridge result=failed step=finit_module errno=ENOENT us=5\n"
		"modlatch: module=crc32c result=builtin us=0 finit_us=0\n"
		"modlatch: module=veth result=loaded us=3 finit_us=2\n"
		"modlatch: summary loaded=2 finit_ms=1\n");

	CHECK(costs_from_report(&plan, path) == 0);
	CHECK(plan.modules[0].cost == 700);
	CHECK(plan.modules[1].cost == 60);  /* the larger of two boots */
	CHECK(plan.modules[2].cost == 700); /* untimed: the median of 60 and 700 */
	CHECK(plan.modules[3].cost == 0);
	unlink(path);
	plan_free(&plan);
}

static void a_report_that_times_nothing_or_garbles_a_time_is_refused(void)
{
	struct plan plan = three_modules();
	const char *path = report_file("modlatch: module=veth result=loaded us=3 finit_us=2\n");

	CHECK(costs_from_report(&plan, path) == -1);
	unlink(path);
	path = report_file("modlatch: module=llc result=loaded us=3 finit_us=2\n"
			   "modlatch: module=stp result=loaded us=3 finit_us=-4\n");
	CHECK(costs_from_report(&plan, path) == -1);
	unlink(path);
	CHECK(costs_from_report(&plan, "/nonexistent/report") == -1);
	plan_free(&plan);
}

static const struct unit_test costs_tests[] = {
	{ "costs are file sizes by default", costs_are_file_sizes_by_default },
	{ "costs come from a saved report's finit_us", costs_come_from_a_saved_reports_finit_us },
	{ "a report that times nothing or garbles a time is refused",
	  a_report_that_times_nothing_or_garbles_a_time_is_refused },
	{ NULL, NULL },
};
UNIT_SUITE(costs_tests)
