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

/* Each test file lists its tests in a NULL-terminated array and names it once with UNIT_SUITE,
 * which registers it before main() runs: adding a test file touches nothing else. */
void unit_register(const struct unit_test *tests);
#define UNIT_SUITE(tests)                                                                          \
	__attribute__((constructor)) static void register_##tests(void)                            \
	{                                                                                          \
		unit_register(tests);                                                              \
	}

#endif
