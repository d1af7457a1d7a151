/* SPDX-License-Identifier: MIT */
/*
 * After the latch, /proc/modules must hold only the table (init/foreign.c, as the shim compiles
 * it, reading the /proc/modules this file gives it). The kernel lists the newest module first,
 * so one loaded before modlatch is at the end: a list too long to read whole must not be taken
 * for a clean one (G6).
 */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "boot.h"
#include "check.h"
#include "shim_stubs.h"

static char proc_modules[512 * 1024];

ssize_t read_text(const char *path, char *buf, size_t len)
{
	size_t n = strlen(proc_modules);

	if (strcmp(path, "/proc/modules") != 0)
		return -1;
	if (n > len - 1)
		n = len - 1;
	memcpy(buf, proc_modules, n);
	buf[n] = '\0';
	return (ssize_t)n;
}

/* LINES lines of xor, the table's entry, then nlmon, loaded before modlatch; the foreign count. */
static unsigned foreign_after(unsigned lines)
{
	static const char xor_line[] = "xor 24576 0 - Live 0xffffffffc0a1b000\n";
	struct module_result results[1] = { { .outcome = OUTCOME_LOADED } };
	struct boot boot = { .results = results };
	size_t at = 0;

	for (unsigned i = 0; i < lines && at + sizeof(xor_line) < sizeof(proc_modules) - 64; i++)
		at += (size_t)snprintf(proc_modules + at, sizeof(proc_modules) - at, "%s",
				       xor_line);
	snprintf(proc_modules + at, sizeof(proc_modules) - at, "nlmon 16384 0 - Live 0x0\n");
	check_loaded_modules(&boot);
	return boot.foreign;
}

static void a_module_loaded_before_modlatch_is_foreign(void)
{
	CHECK(foreign_after(10) == 1);
	CHECK(strcmp(last_said, "foreign module=nlmon: in the kernel, not loaded from the table") ==
	      0);
}

static void a_list_too_long_to_read_whole_is_not_clean(void)
{
	/* Some 400 KiB: more than any buffer of the shim's holds. */
	CHECK(foreign_after(10000) > 0);
	CHECK(strcmp(last_said, "cannot read /proc/modules: EFBIG") == 0);
}

static const struct unit_test foreign_tests[] = {
	{ "foreign: a module loaded before modlatch is named",
	  a_module_loaded_before_modlatch_is_foreign },
	{ "foreign: a /proc/modules too long to read whole is not taken for clean (G6)",
	  a_list_too_long_to_read_whole_is_not_clean },
	{ NULL, NULL },
};
UNIT_SUITE(foreign_tests)
