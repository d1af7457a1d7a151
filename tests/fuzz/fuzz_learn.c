/* SPDX-License-Identifier: MIT */
/*
 * /proc/modules as --learn reads it: loaded_read on arbitrary bytes, then the whole command on
 * the same input. What it accepts must look like the kernel's own lines: one module per line,
 * names without separators and within the kernel's length, users that are names. What it
 * prints must read back as a list of those modules only: every line a comment or an entry of a
 * module from the input, each at most once. The command reads its input through a path with a
 * newline in it, and a fixed sysfs whose driver and device names are made to break a line, for
 * modules "a" and "b".
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array_len.h"
#include "learn.h"
#include "list.h"
#include "table.h"

static char sysfs[4096], input[4096 + 64];

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

static void make_dir(const char *fmt, const char *name)
{
	char path[8192];

	snprintf(path, sizeof(path), fmt, sysfs, name);
	if (mkdir(path, 0755) < 0) {
		perror(path);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const modules[] = { "a", "b" };
	static const char *const devices[] = { "0000:00:01.0", "dev0\nevil_module #",
					       "bind",	       "d\r",
					       "e\033[2K",     "f g" };

	(void)argc, (void)argv;
	snprintf(sysfs, sizeof(sysfs), "%s/sys", fuzz_tmpdir());
	snprintf(input, sizeof(input), "%s/in\nevil_path #", fuzz_tmpdir());
	make_dir("%s%s", "");
	make_dir("%s/%s", "module");
	for (size_t m = 0; m < ARRAY_LEN(modules); m++) {
		char driver[64];
		make_dir("%s/module/%s", modules[m]);
		snprintf(driver, sizeof(driver), "%s/drivers", modules[m]);
		make_dir("%s/module/%s", driver);
		snprintf(driver, sizeof(driver), "%s/drivers/pci:%s\nevil_driver #", modules[m],
			 modules[m]);
		make_dir("%s/module/%s", driver);
		for (size_t d = 0; d < ARRAY_LEN(devices); d++) {
			char device[128];
			snprintf(device, sizeof(device), "%s/%s", driver, devices[d]);
			make_dir("%s/module/%s", device);
		}
	}
	return 0;
}

/* Whether name is a module of loaded not yet seen in the output; marks it seen. */
static bool first_entry_of(const struct loaded *loaded, bool *seen, const char *name)
{
	for (size_t i = 0; i < loaded->len; i++)
		if (strcmp(loaded->modules[i].name, name) == 0 && !seen[i])
			return seen[i] = true;
	return false;
}

/* Every line of the command's output is a comment or the one entry of a loaded module. */
static void check_output(const struct loaded *loaded, FILE *out)
{
	bool *seen = calloc(loaded->len + 1, sizeof(*seen));
	char *line = NULL, err[256];
	size_t cap = 0;
	struct list_entry entry;

	FUZZ_CHECK(seen != NULL);
	rewind(out);
	for (ssize_t n; (n = getline(&line, &cap, out)) >= 0;) {
		FUZZ_CHECK(n > 0 && line[n - 1] == '\n');
		line[n - 1] = '\0';
		enum list_line_kind kind = list_parse_line(line, &entry, err, sizeof(err));
		FUZZ_CHECK(kind == LIST_NOTHING || kind == LIST_ENTRY);
		FUZZ_CHECK(kind == LIST_ENTRY || line[0] == '#');
		FUZZ_CHECK(kind == LIST_NOTHING || first_entry_of(loaded, seen, entry.name));
	}
	free(line);
	free(seen);
}

/* Runs the command with its stdout in a file of its own; returns the file, at its end. */
static FILE *learn_into_file(int *status)
{
	FILE *out = fdopen(memfd_create("fuzz-learn-out", MFD_CLOEXEC), "w+");
	char *argv[] = { "--learn", input, "--sysfs", sysfs, NULL };

	FUZZ_CHECK(out != NULL);
	fflush(stdout);
	int saved = dup(STDOUT_FILENO);
	FUZZ_CHECK(dup2(fileno(out), STDOUT_FILENO) == STDOUT_FILENO);
	*status = learn_main(4, argv);
	fflush(stdout);
	FUZZ_CHECK(saved < 0 ? close(STDOUT_FILENO) == 0 : dup2(saved, STDOUT_FILENO) >= 0);
	if (saved >= 0)
		close(saved);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_path_of(data, size);
	FILE *in = fopen(path, "re");
	struct loaded loaded;
	int status;

	FUZZ_CHECK(in != NULL);
	unlink(input);
	FUZZ_CHECK(symlink(path, input) == 0);
	int rc = loaded_read(in, path, &loaded);
	fclose(in);
	if (rc == 0) {
		FUZZ_CHECK(loaded.len == lines_of(data, size));
		for (size_t i = 0; i < loaded.len; i++) {
			FUZZ_CHECK(plain_name(loaded.modules[i].name));
			for (size_t u = 0; u < loaded.modules[i].nusers; u++)
				FUZZ_CHECK(plain_name(loaded.modules[i].users[u]));
		}
	}
	FILE *out = learn_into_file(&status);
	FUZZ_CHECK(status == 0 || status == 1);
	FUZZ_CHECK(status == (rc == 0 ? 0 : 1));
	if (status == 0)
		check_output(&loaded, out);
	fclose(out);
	if (rc == 0)
		loaded_free(&loaded);
	return 0;
}
