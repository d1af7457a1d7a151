/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "array_len.h"
#include "check.h"
#include "util.h"

static void plain_relative_takes_paths_below_their_start(void)
{
	static const char *const good[] = {
		"init",	 "dev/console", "kernel/net/802/stp.ko", "a/.hidden", "a/..b",
		"a/b..", "...",
	};
	static const char *const bad[] = {
		"", "/init", "dev/", "a//b", ".", "..", "./a", "a/.", "a/..", "../a", "a/../b",
	};

	for (size_t i = 0; i < ARRAY_LEN(good); i++)
		CHECK(plain_relative(good[i]));
	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		CHECK(!plain_relative(bad[i]));
}

static const struct unit_test util_tests[] = {
	{ "plain_relative takes paths below their start, nothing else",
	  plain_relative_takes_paths_below_their_start },
	{ NULL, NULL },
};
UNIT_SUITE(util_tests)
