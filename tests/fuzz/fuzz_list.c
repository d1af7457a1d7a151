/* SPDX-License-Identifier: MIT */
/*
 * List files: every line through list_parse_line, the whole input through list_read, and the
 * two must agree. An entry must also read back the same when written out as a list line,
 * since a list is what people copy from --print and edit.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"

#define ERR_LEN 256

static bool same_entry(const struct list_entry *a, const struct list_entry *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->params, b->params) == 0 &&
	       a->optional == b->optional && a->sequential == b->sequential;
}

static void check_entry(const struct list_entry *e)
{
	static char line[LIST_LINE_MAX + 1];
	struct list_entry again;
	char err[ERR_LEN];
	size_t params = strlen(e->params);

	FUZZ_CHECK(e->name[0] != '\0' && strlen(e->name) <= LIST_NAME_MAX);
	FUZZ_CHECK(params <= ML_PARAMS_MAX);
	FUZZ_CHECK(!strpbrk(e->name, " \t#?!\"="));
	FUZZ_CHECK(params == 0 || (e->params[0] != ' ' && e->params[params - 1] != ' '));
	snprintf(line, sizeof(line), "%s%s%s%s%s", e->optional ? "?" : "", e->sequential ? "!" : "",
		 e->name, params ? " " : "", e->params);
	FUZZ_CHECK(list_parse_line(line, &again, err, sizeof(err)) == LIST_ENTRY);
	FUZZ_CHECK(same_entry(e, &again));
}

/* Parses one line, copied to a buffer of its exact size so an overread is caught. */
static enum list_line_kind parse(const uint8_t *p, size_t len, struct list_entry *e)
{
	char *line = malloc(len + 1);
	/* Heap-allocated at its real size too: the parser must stay inside errlen. */
	char *err = malloc(ERR_LEN);
	char tiny[4];

	FUZZ_CHECK(line && err);
	memcpy(line, p, len);
	line[len] = '\0';
	err[0] = '\0';
	enum list_line_kind kind = list_parse_line(line, e, err, ERR_LEN);
	FUZZ_CHECK(kind == LIST_ERROR || kind == LIST_NOTHING || kind == LIST_ENTRY);
	FUZZ_CHECK(kind != LIST_ERROR || (err[0] != '\0' && memchr(err, '\0', ERR_LEN)));
	if (kind == LIST_ENTRY)
		check_entry(e);
	/* A short error buffer truncates the message, and changes nothing else. */
	struct list_entry again;
	FUZZ_CHECK(list_parse_line(line, &again, tiny, sizeof(tiny)) == kind);
	FUZZ_CHECK(kind != LIST_ENTRY || same_entry(e, &again));
	free(err);
	free(line);
	return kind;
}

/* The line numbered number (from 1) of data, as getline would split it. */
static const uint8_t *nth_line(const uint8_t *data, size_t size, unsigned number, size_t *len)
{
	const uint8_t *p = data, *end = data + size;

	for (unsigned n = 1; p < end; n++) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n == number) {
			*len = l;
			return p;
		}
		p += l + (nl ? 1 : 0);
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	size_t entries = 0;
	bool bad = false;
	struct list_entry e;
	struct list list;

	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		enum list_line_kind kind = parse(p, len, &e);
		entries += kind == LIST_ENTRY;
		bad |= kind == LIST_ERROR || memchr(p, '\0', len) != NULL;
		p += len + (nl ? 1 : 0);
	}

	int rc = list_read(fuzz_path_of(data, size), &list);
	FUZZ_CHECK(rc == (bad ? -1 : 0));
	if (rc < 0) {
		FUZZ_CHECK(list.entries == NULL && list.len == 0);
		return 0;
	}
	FUZZ_CHECK(list.len == entries);
	for (size_t i = 0; i < list.len; i++) {
		size_t len;
		const uint8_t *line = nth_line(data, size, list.entries[i].line, &len);
		FUZZ_CHECK(line != NULL);
		FUZZ_CHECK(i == 0 || list.entries[i].line > list.entries[i - 1].line);
		FUZZ_CHECK(parse(line, len, &e) == LIST_ENTRY && same_entry(&e, &list.entries[i]));
	}
	list_free(&list);
	return 0;
}
