/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "check.h"

static unsigned failed_checks;

void check_record(bool ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	failed_checks++;
	printf("    %s:%d: check failed: %s\n", file, line, what);
}

int main(int argc, char **argv)
{
	const struct unit_test *const suites[] = { sha256_tests,  list_tests, plan_tests,
						   errname_tests, emit_tests, fmt_tests };
	unsigned passed = 0, failed = 0;

	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++)
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
