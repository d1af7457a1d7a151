/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "check.h"
#include "text.h"

static void span_counts_up_to_the_first_stop_byte_like_strcspn(void)
{
	static const char *const cases[][2] = {
		{ "bridge 1 - Live\n", " \n" },
		{ "no stop here", "\n" },
		{ "", " " },
		{ "\nfirst", "\n" },
		{ "abc", "" },
		{ "a b\nc", "\n " },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(span(cases[i][0], cases[i][1]) == strcspn(cases[i][0], cases[i][1]));
}

static void find_returns_the_first_byte_or_null_like_strchr(void)
{
	const char *line = "<3>modlatch: a > b";

	CHECK(find(line, '>') == strchr(line, '>'));
	CHECK(find(line, '<') == line);
	CHECK(find(line, '\n') == NULL);
	CHECK(find("", 'x') == NULL);
}

static const struct unit_test text_tests[] = {
	{ "span counts up to the first stop byte, like strcspn",
	  span_counts_up_to_the_first_stop_byte_like_strcspn },
	{ "find returns the first byte or NULL, like strchr",
	  find_returns_the_first_byte_or_null_like_strchr },
	{ NULL, NULL },
};
UNIT_SUITE(text_tests)
