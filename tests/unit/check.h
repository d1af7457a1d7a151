/* SPDX-License-Identifier: MIT */
/* A small test runner: tests are functions, checks record failures, the runner prints
 * "N passed, N failed" as its closing line. */
#ifndef MODLATCH_CHECK_H
#define MODLATCH_CHECK_H

#include <stdbool.h>

void check_record(bool ok, const char *what, const char *file, int line);

#define CHECK(cond)	check_record((cond), #cond, __FILE__, __LINE__)
#define CHECK_STR(a, b) check_record(strcmp((a), (b)) == 0, #a " == " #b, __FILE__, __LINE__)

struct unit_test {
	const char *name;
	void (*run)(void);
};

/* Each test file exports its tests as a NULL-terminated array. */
extern const struct unit_test sha256_tests[], list_tests[], plan_tests[], errname_tests[],
	emit_tests[], fmt_tests[];

#endif
