/* SPDX-License-Identifier: MIT */
/*
 * The kernel's module helper form after the latch (AFTER_LATCH=record): `HELPER -q -- NAME`,
 * NAME made by whoever caused the request. The input is an argv, arguments split at NUL bytes.
 * The shim answers only that exact form, and accepts a name only when it could be a request's:
 * 1 to ML_REQUEST_NAME_MAX printable characters, no space. The forms of programs that run the
 * helper themselves (tool_module_request) must find their names inside argv.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "request_name.h"

#define MAX_ARGS 8

/* What a plain reading of the rule says about NAME. */
static int name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > ML_REQUEST_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	char *argv[MAX_ARGS + 1];
	int argc = 0;

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, size);
	copy[size] = '\0';
	/* argv[0] is the helper's path, as the kernel gives it: any text. */
	for (char *arg = copy; argc < MAX_ARGS && arg <= copy + size; arg += strlen(arg) + 1)
		argv[argc++] = arg;
	argv[argc] = NULL;

	int form = argc == 4 && strcmp(argv[1], "-q") == 0 && strcmp(argv[2], "--") == 0;
	FUZZ_CHECK(is_module_request(argc, argv) == form);
	/* A program's own call: the names it finds lie inside argv, after argv[0]; a plain call
	 * (not through a link named modprobe) names exactly argv[1], and nothing starting '-'. */
	int first = -1;
	bool quiet;
	unsigned count = tool_module_request(argc, argv, &first, &quiet);
	if (count) {
		FUZZ_CHECK(first >= 1 && first + (int)count <= argc);
		const char *slash = strrchr(argv[0], '/');
		if (strcmp(slash ? slash + 1 : argv[0], "modprobe") != 0)
			FUZZ_CHECK(first == 1 && count == 1 && argv[1][0] != '-' &&
				   quiet == (argc == 3));
	}
	for (int i = 0; i < argc; i++) {
		const char *why = request_name_error(argv[i]);
		FUZZ_CHECK((why == NULL) == name_ok(argv[i]));
		FUZZ_CHECK(why == NULL || *why != '\0');
	}
	free(copy);
	return 0;
}
