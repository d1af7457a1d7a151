/* SPDX-License-Identifier: MIT */
#include "request_name.h"

#include <string.h>

#include "array_len.h"

bool is_module_request(int argc, char *const argv[])
{
	return argc == 4 && strcmp(argv[1], "-q") == 0 && strcmp(argv[2], "--") == 0;
}

/* Whether the last part of path is "modprobe". */
static bool named_modprobe(const char *path)
{
	const char *base = path;

	for (const char *c = path; *c; c++)
		if (*c == '/')
			base = c + 1;
	return strcmp(base, "modprobe") == 0;
}

/* One modprobe option word that a load may carry; sets *all for -a, *quiet for -q. */
static bool load_option(const char *word, bool *all, bool *quiet)
{
	static const char *const long_names[] = { "--all", "--use-blacklist", "--quiet", "--syslog",
						  "--verbose" };

	for (unsigned i = 0; i < ARRAY_LEN(long_names); i++)
		if (strcmp(word, long_names[i]) == 0) {
			*all |= i == 0;
			*quiet |= i == 2;
			return true;
		}
	if (word[0] != '-' || word[1] == '-' || word[1] == '\0')
		return false;
	for (const char *c = word + 1; *c; c++) {
		if (*c != 'a' && *c != 'b' && *c != 'q' && *c != 's' && *c != 'v')
			return false;
		*all |= *c == 'a';
		*quiet |= *c == 'q';
	}
	return true;
}

static unsigned modprobe_form(int argc, char *const argv[], int *first, bool *quiet)
{
	bool all = false;
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (!load_option(argv[i], &all, quiet))
			return 0;
	}
	if (i >= argc)
		return 0;
	*first = i;
	return all ? (unsigned)(argc - i) : 1;
}

unsigned tool_module_request(int argc, char *const argv[], int *first, bool *quiet)
{
	*quiet = false;
	if (argc >= 1 && named_modprobe(argv[0]))
		return modprobe_form(argc, argv, first, quiet);
	if ((argc == 2 || (argc == 3 && strcmp(argv[2], "-q") == 0)) && argv[1][0] != '-' &&
	    argv[1][0] != '\0') {
		*first = 1;
		*quiet = argc == 3;
		return 1;
	}
	return 0;
}

/* Printable, no space: one name per line of the record, one word per log line. */
static bool request_char(char c)
{
	return c > ' ' && c <= '~';
}

const char *request_name_error(const char *name)
{
	size_t len = strnlen(name, ML_REQUEST_NAME_MAX + 1);

	if (len == 0)
		return "the name is empty";
	if (len > ML_REQUEST_NAME_MAX)
		return "the name is longer than a kernel request can be";
	for (size_t i = 0; i < len; i++)
		if (!request_char(name[i]))
			return "the name has a character no kernel request has";
	return NULL;
}
