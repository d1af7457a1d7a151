/* SPDX-License-Identifier: MIT */
#include "request_name.h"

#include <string.h>

bool is_module_request(int argc, char *const argv[])
{
	return argc == 4 && strcmp(argv[1], "-q") == 0 && strcmp(argv[2], "--") == 0;
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
