/*
 * /proc/modules as --learn reads it: loaded_read on arbitrary bytes, then the whole command on
 * the same input. What it accepts must look like the kernel's own lines: one module per line,
 * names without separators and within the kernel's length, users that are names.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "learn.h"
#include "table.h"

/* A name that reads back as the same single entry when written into a list file. */
static bool plain_name(const char *name)
{
	if (name[0] == '\0' || strlen(name) > ML_MODULE_NAME_MAX || strpbrk(name, " ,#?!\"=\\"))
		return false;
	for (const char *c = name; *c; c++)
		if (*c < 0x21 || *c > 0x7e)
			return false;
	return true;
}

static size_t lines_of(const uint8_t *data, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_path_of(data, size);
	FILE *in = fopen(path, "re");
	struct loaded loaded;

	FUZZ_CHECK(in != NULL);
	if (loaded_read(in, path, &loaded) == 0) {
		FUZZ_CHECK(loaded.len == lines_of(data, size));
		for (size_t i = 0; i < loaded.len; i++) {
			FUZZ_CHECK(plain_name(loaded.modules[i].name));
			for (size_t u = 0; u < loaded.modules[i].nusers; u++)
				FUZZ_CHECK(plain_name(loaded.modules[i].users[u]));
		}
		loaded_free(&loaded);
	}
	fclose(in);
	char *argv[] = { "--learn", (char *)path, "--sysfs", (char *)fuzz_tmpdir(), NULL };
	int status = learn_main(4, argv);
	FUZZ_CHECK(status == 0 || status == 1);
	return 0;
}
