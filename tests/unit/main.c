/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_len.h"
#include "check.h"

static unsigned failed_checks;
static const struct unit_test *suites[16];
static size_t nsuites;

void unit_register(const struct unit_test *tests)
{
	if (nsuites == ARRAY_LEN(suites)) {
		fprintf(stderr, "unit: more than %zu test files: raise the bound in main.c\n",
			ARRAY_LEN(suites));
		_Exit(2);
	}
	suites[nsuites++] = tests;
}

void check_record(bool ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	failed_checks++;
	printf("    %s:%d: check failed: %s\n", file, line, what);
}

int main(int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	for (size_t s = 0; s < nsuites; s++)
		for (const struct unit_test *t = suites[s]; t->name; t++) {
			if (argc > 1 && !strstr(t->name, argv[1]))
				continue;
			unsigned before = failed_checks;
			t->run();
			bool ok = failed_checks == before;
			printf("%s %s\n", ok ? "ok  " : "FAIL", t->name);
			ok ? passed++ : failed++;
		}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
