/* SPDX-License-Identifier: MIT */
/* modlatch-gen --learn: a list file for the modules a running reference system has loaded. */
#ifndef MODLATCH_LEARN_H
#define MODLATCH_LEARN_H

#include <stddef.h>
#include <stdio.h>

struct loaded_module {
	char *name;
	char **users; /* loaded modules that need this one */
	size_t nusers;
	char *state; /* Live, Loading, Unloading */
};

struct loaded {
	struct loaded_module *modules; /* in the file's order: the most recently loaded first */
	size_t len;
};

/*
 * Parses /proc/modules text from in. Errors go to stderr as "path:line: what"; every bad line
 * is named before it returns -1.
 */
int loaded_read(FILE *in, const char *path, struct loaded *loaded);
void loaded_free(struct loaded *loaded);

/* Runs the learn command; returns the exit status (0 written, 1 bad input, 2 usage). */
int learn_main(int argc, char **argv);

#endif
