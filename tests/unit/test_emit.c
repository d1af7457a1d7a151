/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array_len.h"
#include "check.h"
#include "emit.h"

static char *emit_named(const struct plan *plan, const char *list_name)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	CHECK(emit_table(out, plan, "6.1.0-test", list_name) == 0);
	fclose(out);
	return text;
}

static char *emit(const struct plan *plan)
{
	return emit_named(plan, "demo.list");
}

static void writes_entries_in_load_order_with_dependency_indices(void)
{
	struct plan plan = { 0 };
	char err[128];
	size_t llc = (size_t)plan_module(&plan, "llc");
	size_t stp = (size_t)plan_module(&plan, "stp");

	plan_add_dep(&plan, stp, llc);
	plan.modules[stp].path = strdup("kernel/net/802/stp.ko");
	plan.modules[stp].size = 10009;
	plan.modules[stp].sha256[0] = 0xab;
	plan_list(&plan, stp, 1, false, "x=\"a b\\\"", err, sizeof(err));
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	char *text = emit(&plan);
	CHECK(strstr(text, "const char ml_release[] = \"6.1.0-test\";") != NULL);
	/* Each string once, at the offset the entries name: "", llc, stp, its directory, params. */
	CHECK(strstr(text, "const char ml_strings[] =\n"
			   "\t\"\" \"\\0\" /* 0 */\n"
			   "\t\"llc\" \"\\0\" /* 1 */\n"
			   "\t\"stp\" \"\\0\" /* 5 */\n"
			   "\t\"kernel/net/802/\" \"\\0\" /* 9 */\n"
			   "\t\"x=\\\"a b\\\\\\\"\" \"\\0\" /* 25 */;\n") != NULL);
	CHECK(strstr(text, "const uint16_t ml_deps[] = {\n\t/* 0 */ 0,\n};") != NULL);
	CHECK(strstr(text, "\t{\n\t\t.name = 5, /* \"stp\" */\n"
			   "\t\t.file = 5, /* \"stp\" */\n"
			   "\t\t.dir = 9, /* \"kernel/net/802/\" */\n"
			   "\t\t.params = 25, /* \"x=\\\"a b\\\\\\\"\" */\n"
			   "\t\t.pulled_by = ML_LISTED,\n"
			   "\t\t.deps = 0,\n\t\t.ndeps = 1,\n\t\t.nafter = 0,\n") != NULL);
	CHECK(strstr(text, ".size = 10009,\n\t\t.sha256 = {0xab, 0x00") != NULL);
	CHECK(strstr(text, ".flags = ML_DEPENDENCY,") != NULL);
	CHECK(strstr(text, "const unsigned ml_table_len = 2;") != NULL);
	free(text);
	plan_free(&plan);
}

static void writes_the_same_bytes_twice(void)
{
	struct plan plan = { 0 };
	char err[128];

	plan_list(&plan, (size_t)plan_module(&plan, "xor"), 1, true, "", err, sizeof(err));
	plan_order(&plan, err, sizeof(err));
	char *a = emit(&plan), *b = emit(&plan);
	CHECK_STR(a, b);
	CHECK(strstr(a, ".flags = ML_OPTIONAL,") != NULL);
	free(a);
	free(b);
	plan_free(&plan);
}

static void writes_a_valid_empty_table(void)
{
	struct plan plan = { 0 };
	char err[128];

	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	char *text = emit(&plan);
	CHECK(strstr(text, "const unsigned ml_table_len = 0;") != NULL);
	CHECK(strstr(text, "const uint16_t ml_deps[] = {\n\t0,\n};") != NULL);
	CHECK(strstr(text, "\t{ .name = 0 },\n") != NULL);
	free(text);
	plan_free(&plan);
}

static void keeps_any_list_name_inside_the_header_comment(void)
{
	struct plan plan = { 0 };
	char err[128];

	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	char *text = emit_named(&plan, "l*/ int evil; /*.list");
	/* The one comment closes where the header ends, and the name is still there to read. */
	CHECK(strstr(text, "*/") == strstr(text, " */\n#include \"table.h\"") + 1);
	CHECK(strstr(text, "int evil;") < strstr(text, "*/"));
	free(text);
	plan_free(&plan);
}

static char *emit_file_list(const struct plan *plan, int *rc)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	*rc = emit_files(out, plan);
	fclose(out);
	return text;
}

static void lists_each_pinned_file_once_as_sha256sum_prints_it(void)
{
	struct plan plan = { 0 };
	char err[128];
	size_t llc = (size_t)plan_module(&plan, "llc");
	size_t stp = (size_t)plan_module(&plan, "stp");
	size_t builtin = (size_t)plan_module(&plan, "crc32c");
	size_t absent = (size_t)plan_module(&plan, "veth");
	int rc;

	plan_add_dep(&plan, stp, llc);
	plan.modules[llc].path = strdup("kernel/net/llc/llc.ko.xz");
	plan.modules[llc].sha256[0] = 0x01;
	plan.modules[stp].path = strdup("kernel/net/802/stp.ko");
	plan.modules[stp].sha256[31] = 0xff;
	plan.modules[builtin].flags |= ML_BUILTIN;
	plan.modules[absent].flags |= ML_ABSENT;
	plan_list(&plan, stp, 1, false, "", err, sizeof(err));
	plan_list(&plan, builtin, 2, false, "", err, sizeof(err));
	plan_list(&plan, absent, 3, true, "", err, sizeof(err));
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	char *text = emit_file_list(&plan, &rc);
	CHECK(rc == 0);
	CHECK_STR(text, "01000000000000000000000000000000000000000000000000000000000000"
			"00  kernel/net/llc/llc.ko.xz\n"
			"00000000000000000000000000000000000000000000000000000000000000"
			"ff  kernel/net/802/stp.ko\n");
	free(text);
	plan_free(&plan);
}

static void refuses_a_file_path_that_would_not_read_back(void)
{
	static const char *const bad[] = { "/lib/modules/x.ko", "../x.ko", "a/../../x.ko",
					   "a\nb.ko",		"a\\b.ko", "a//b.ko" };

	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct plan plan = { 0 };
		char err[128];
		size_t x = (size_t)plan_module(&plan, "x");
		int rc;

		plan.modules[x].path = strdup(bad[i]);
		plan_list(&plan, x, 1, false, "", err, sizeof(err));
		CHECK(plan_order(&plan, err, sizeof(err)) == 0);
		free(emit_file_list(&plan, &rc));
		CHECK(rc == -1);
		plan_free(&plan);
	}
}

static void refuses_a_file_whose_suffix_is_not_its_compressions(void)
{
	struct plan plan = { 0 };
	char err[128];
	size_t x = (size_t)plan_module(&plan, "x");
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	plan.modules[x].path = strdup("kernel/x.ko.xz");
	plan.modules[x].compression = ML_COMP_ZSTD;
	plan_list(&plan, x, 1, false, "", err, sizeof(err));
	CHECK(plan_order(&plan, err, sizeof(err)) == 0);
	CHECK(emit_table(out, &plan, "6.1.0-test", "demo.list") == -1);
	fclose(out);
	free(text);
	plan_free(&plan);
}

static const struct unit_test emit_tests[] = {
	{ "emit writes entries in load order with dependency indices",
	  writes_entries_in_load_order_with_dependency_indices },
	{ "emit writes the same bytes twice", writes_the_same_bytes_twice },
	{ "emit writes a valid empty table", writes_a_valid_empty_table },
	{ "emit keeps any list name inside the header comment",
	  keeps_any_list_name_inside_the_header_comment },
	{ "emit lists each pinned file once as sha256sum prints it",
	  lists_each_pinned_file_once_as_sha256sum_prints_it },
	{ "emit refuses a file whose suffix is not its compression's",
	  refuses_a_file_whose_suffix_is_not_its_compressions },
	{ "emit refuses a file path that would not read back",
	  refuses_a_file_path_that_would_not_read_back },
	{ NULL, NULL },
};
UNIT_SUITE(emit_tests)
