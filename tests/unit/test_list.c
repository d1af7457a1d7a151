/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "list.h"

static struct list_entry entry;
static char err[256];

static enum list_line_kind parse(const char *line)
{
	err[0] = '\0';
	return list_parse_line(line, &entry, err, sizeof(err));
}

static void reads_a_name_and_its_parameters(void)
{
	CHECK(parse("bonding  mode=4 miimon=100\t max_bonds=0") == LIST_ENTRY);
	CHECK_STR(entry.name, "bonding");
	CHECK_STR(entry.params, "mode=4 miimon=100 max_bonds=0");
	CHECK(!entry.optional);
}

static void marks_question_mark_entries_optional(void)
{
	CHECK(parse("?crc32c-intel") == LIST_ENTRY);
	CHECK_STR(entry.name, "crc32c-intel");
	CHECK(entry.optional);
	CHECK(parse("? crc32c-intel") == LIST_ERROR);
	CHECK(strstr(err, "'?' and '!' must be followed by a module name") != NULL);
}

static void marks_exclamation_mark_entries_sequential(void)
{
	CHECK(parse("!bonding mode=4") == LIST_ENTRY);
	CHECK(entry.sequential && !entry.optional);
	CHECK_STR(entry.name, "bonding");
	CHECK(parse("?!veth") == LIST_ENTRY);
	CHECK(entry.sequential && entry.optional);
	CHECK(parse("!?veth") == LIST_ENTRY);
	CHECK(entry.sequential && entry.optional);
	CHECK(parse("!!veth") == LIST_ERROR);
	CHECK(strstr(err, "'!' given twice") != NULL);
}

static void skips_blank_lines_and_comments(void)
{
	CHECK(parse("") == LIST_NOTHING);
	CHECK(parse("   \t ") == LIST_NOTHING);
	CHECK(parse("# xor") == LIST_NOTHING);
	CHECK(parse("xor # the RAID helper") == LIST_ENTRY);
	CHECK_STR(entry.name, "xor");
	CHECK_STR(entry.params, "");
}

static void accepts_aliases(void)
{
	CHECK(parse("net-pf-10") == LIST_ENTRY);
	CHECK_STR(entry.name, "net-pf-10");
	CHECK(parse("crypto-sha256") == LIST_ENTRY);
	CHECK(parse("fs-overlay") == LIST_ENTRY);
}

static void keeps_quoted_values_whole(void)
{
	CHECK(parse("dummy numdummies=2 name=\"a b\" flag") == LIST_ENTRY);
	CHECK_STR(entry.params, "numdummies=2 name=\"a b\" flag");
	CHECK(parse("dummy name=\"a b") == LIST_ERROR);
	CHECK(strstr(err, "unterminated") != NULL);
}

static void rejects_malformed_words(void)
{
	CHECK(parse("xor/evil") == LIST_ERROR);
	CHECK(strstr(err, "bad character '/' in module name 'xor/evil'") != NULL);
	CHECK(parse("xor =1") == LIST_ERROR);
	CHECK(strstr(err, "bad parameter '=1'") != NULL);
	CHECK(parse("xor a.b=1") == LIST_ERROR);
	CHECK(parse("xor\x01") == LIST_ERROR);
	CHECK(strstr(err, "control character 0x01") != NULL);
}

static void rejects_overlong_names_parameters_and_lines(void)
{
	char line[LIST_LINE_MAX + 2];

	memset(line, 'a', LIST_NAME_MAX + 1);
	line[LIST_NAME_MAX + 1] = '\0';
	CHECK(parse(line) == LIST_ERROR);
	CHECK(strstr(err, "module name is 128 bytes, longer than 127") != NULL);
	line[LIST_NAME_MAX] = '\0';
	CHECK(parse(line) == LIST_ENTRY);

	strcpy(line, "xor p=");
	memset(line + 6, 'v', ML_PARAMS_MAX - 1);
	line[6 + ML_PARAMS_MAX - 1] = '\0';
	CHECK(parse(line) == LIST_ERROR);
	CHECK(strstr(err, "parameters of 'xor' exceed 1023 bytes") != NULL);
	line[6 + ML_PARAMS_MAX - 2 - 1] = '\0';
	CHECK(parse(line) == LIST_ENTRY);

	memset(line, ' ', LIST_LINE_MAX + 1);
	line[LIST_LINE_MAX + 1] = '\0';
	CHECK(parse(line) == LIST_ERROR);
	CHECK(strstr(err, "longer than 4095") != NULL);
}

static char *write_temp(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/modlatch-list-XXXXXX");
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void reads_a_file_with_line_numbers(void)
{
	struct list list;
	char *path = write_temp("# demo\nxor\n\n?dummy numdummies=1\nbr_netfilter");

	CHECK(list_read(path, &list) == 0);
	CHECK(list.len == 3);
	CHECK(list.entries[0].line == 2);
	CHECK(list.entries[1].line == 4 && list.entries[1].optional);
	CHECK(list.entries[2].line == 5);
	CHECK_STR(list.entries[2].name, "br_netfilter");
	list_free(&list);
	unlink(path);
}

static void names_every_bad_line_of_a_file(void)
{
	struct list list;
	char *path = write_temp("xor\nbad/name\nok\n?\n");
	char *captured = NULL;
	size_t size = 0;
	FILE *memory = open_memstream(&captured, &size);
	FILE *saved = stderr;

	stderr = memory;
	int rc = list_read(path, &list);
	stderr = saved;
	fclose(memory);
	CHECK(rc == -1);
	CHECK(list.len == 0 && list.entries == NULL);
	char expected[160];
	snprintf(expected, sizeof(expected), "%s:2: bad character '/'", path);
	CHECK(strstr(captured, expected) != NULL);
	snprintf(expected, sizeof(expected), "%s:4: '?' and '!' must be followed", path);
	CHECK(strstr(captured, expected) != NULL);
	free(captured);
	unlink(path);
}

static const struct unit_test list_tests[] = {
	{ "list reads a name and its parameters", reads_a_name_and_its_parameters },
	{ "list marks '?' entries optional", marks_question_mark_entries_optional },
	{ "list marks '!' entries sequential", marks_exclamation_mark_entries_sequential },
	{ "list skips blank lines and comments", skips_blank_lines_and_comments },
	{ "list accepts aliases", accepts_aliases },
	{ "list keeps quoted values whole", keeps_quoted_values_whole },
	{ "list rejects malformed words", rejects_malformed_words },
	{ "list rejects overlong names, parameters and lines",
	  rejects_overlong_names_parameters_and_lines },
	{ "list reads a file with line numbers", reads_a_file_with_line_numbers },
	{ "list names every bad line of a file", names_every_bad_line_of_a_file },
	{ NULL, NULL },
};
UNIT_SUITE(list_tests)
