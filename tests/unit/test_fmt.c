/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "check.h"
#include "fmt.h"

static char buf[128];

static void formats_what_the_shim_uses(void)
{
	fmt(buf, sizeof(buf), "module=%s us=%lld size=%llu level=%u", "xor", -12LL, 28145ULL, 3u);
	CHECK_STR(buf, "module=xor us=-12 size=28145 level=3");
	fmt(buf, sizeof(buf), "<%d>%c %zu %ld %lu", 6, 'x', (size_t)7, -5L, 9UL);
	CHECK_STR(buf, "<6>x 7 -5 9");
	fmt(buf, sizeof(buf), "%02x%02x %x 100%%", 0x0f, 0xab, 0xdeadu);
	CHECK_STR(buf, "0fab dead 100%");
	fmt(buf, sizeof(buf), "'%.*s'", 3, "abcdef");
	CHECK_STR(buf, "'abc'");
	fmt(buf, sizeof(buf), "%d %lld", -2147483647 - 1, -9223372036854775807LL - 1);
	CHECK_STR(buf, "-2147483648 -9223372036854775808");
}

static void truncates_and_reports_the_full_length(void)
{
	char small[8];

	CHECK(fmt(small, sizeof(small), "%s", "0123456789") == 10);
	CHECK_STR(small, "0123456");
	CHECK(fmt(small, sizeof(small), "%u", 42u) == 2);
	CHECK_STR(small, "42");
}

static const struct unit_test fmt_tests[] = {
	{ "fmt formats what the shim uses", formats_what_the_shim_uses },
	{ "fmt truncates and reports the full length", truncates_and_reports_the_full_length },
	{ NULL, NULL },
};
UNIT_SUITE(fmt_tests)
