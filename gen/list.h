/* SPDX-License-Identifier: MIT */
/*
 * Module list files: one entry per line, "[?][!]name [param[=value] ...]".
 * '#' starts a comment where a word could start; blank lines are ignored.
 */
#ifndef MODLATCH_LIST_H
#define MODLATCH_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "table.h"

/* Longest name or alias a list may name; aliases can be longer than module names. */
#define LIST_NAME_MAX 127
/* Longest line, newline excluded. */
#define LIST_LINE_MAX 4095

struct list_entry {
	char name[LIST_NAME_MAX + 1];
	char params[ML_PARAMS_MAX + 1];
	bool optional;	 /* '?': may be absent or find no device */
	bool sequential; /* '!': loaded alone, never beside another module */
	unsigned line;
};

enum list_line_kind { LIST_ERROR = -1, LIST_NOTHING = 0, LIST_ENTRY = 1 };

/* Parses one line (without its newline). On LIST_ERROR, err says what is wrong. */
enum list_line_kind list_parse_line(const char *line, struct list_entry *entry, char *err,
				    size_t errlen);

struct list {
	struct list_entry *entries;
	size_t len;
};

/*
 * Reads the list at path. Errors go to stderr as "path:line: what"; every bad line is named
 * before it returns -1.
 */
int list_read(const char *path, struct list *list);
void list_free(struct list *list);

#endif
