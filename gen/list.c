/* SPDX-License-Identifier: MIT */
#include "list.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errname.h"
#include "util.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("_-.:,+", c) != NULL;
}

static bool is_param_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static enum list_line_kind fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum list_line_kind fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return LIST_ERROR;
}

/* Length of the word at p: up to white space outside double quotes; -1 on an open quote. */
static long word_length(const char *p)
{
	bool quoted = false;
	long n = 0;

	for (; p[n] && (quoted || !is_space(p[n])); n++)
		if (p[n] == '"')
			quoted = !quoted;
	return quoted ? -1 : n;
}

static enum list_line_kind parse_name(const char *word, long len, struct list_entry *entry,
				      char *err, size_t errlen)
{
	for (; len > 0 && (word[0] == '?' || word[0] == '!'); word++, len--) {
		bool *flag = word[0] == '?' ? &entry->optional : &entry->sequential;
		if (*flag)
			return fail(err, errlen, "'%c' given twice", word[0]);
		*flag = true;
	}
	if (len == 0)
		return fail(err, errlen, "'?' and '!' must be followed by a module name");
	if (len > LIST_NAME_MAX)
		return fail(err, errlen, "module name is %ld bytes, longer than %d", len,
			    LIST_NAME_MAX);
	for (long i = 0; i < len; i++)
		if (!is_name_char(word[i]))
			return fail(err, errlen, "bad character '%c' in module name '%.*s'",
				    word[i], (int)len, word);
	memcpy(entry->name, word, len);
	entry->name[len] = '\0';
	return LIST_ENTRY;
}

static enum list_line_kind check_param(const char *word, long len, char *err, size_t errlen)
{
	long name_len = 0;

	while (name_len < len && is_param_name_char(word[name_len]))
		name_len++;
	if (name_len == 0 || (name_len < len && word[name_len] != '='))
		return fail(err, errlen,
			    "bad parameter '%.*s': expected name[=value], the name made of "
			    "letters, digits, '_' and '-'",
			    (int)len, word);
	return LIST_ENTRY;
}

static enum list_line_kind append_param(const char *word, long len, struct list_entry *entry,
					char *err, size_t errlen)
{
	size_t used = strlen(entry->params);
	size_t need = used + (used ? 1 : 0) + (size_t)len;

	if (check_param(word, len, err, errlen) == LIST_ERROR)
		return LIST_ERROR;
	if (need > ML_PARAMS_MAX)
		return fail(err, errlen, "parameters of '%s' exceed %d bytes", entry->name,
			    ML_PARAMS_MAX);
	if (used)
		entry->params[used++] = ' ';
	memcpy(entry->params + used, word, len);
	entry->params[used + len] = '\0';
	return LIST_ENTRY;
}

enum list_line_kind list_parse_line(const char *line, struct list_entry *entry, char *err,
				    size_t errlen)
{
	const char *p = line;
	bool have_name = false;

	memset(entry, 0, sizeof(*entry));
	if (strlen(line) > LIST_LINE_MAX)
		return fail(err, errlen, "line is longer than %d bytes", LIST_LINE_MAX);
	for (const char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 && *c != '\t')
			return fail(err, errlen, "control character 0x%02x", (unsigned char)*c);
	for (;;) {
		while (is_space(*p))
			p++;
		if (*p == '\0' || *p == '#')
			return have_name ? LIST_ENTRY : LIST_NOTHING;
		long len = word_length(p);
		if (len < 0)
			return fail(err, errlen, "unterminated '\"' in '%s'", p);
		enum list_line_kind kind = have_name ? append_param(p, len, entry, err, errlen)
						     : parse_name(p, len, entry, err, errlen);
		if (kind == LIST_ERROR)
			return LIST_ERROR;
		have_name = true;
		p += len;
	}
}

static int add_entry(struct list *list, const struct list_entry *entry)
{
	if (grow(&list->entries, list->len, sizeof(*list->entries)) < 0)
		return -1;
	list->entries[list->len++] = *entry;
	return 0;
}

int list_read(const char *path, struct list *list)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned number = 0, errors = 0;

	memset(list, 0, sizeof(*list));
	if (!f) {
		fprintf(stderr, "%s: cannot open: %s\n", path, errno_name(errno));
		return -1;
	}
	while ((got = getline(&line, &cap, f)) >= 0) {
		struct list_entry entry;
		char err[256];

		number++;
		if (got > 0 && line[got - 1] == '\n')
			line[--got] = '\0';
		if ((size_t)got != strlen(line)) {
			fprintf(stderr, "%s:%u: NUL byte in line\n", path, number);
			errors++;
			continue;
		}
		switch (list_parse_line(line, &entry, err, sizeof(err))) {
		case LIST_ERROR:
			fprintf(stderr, "%s:%u: %s\n", path, number, err);
			errors++;
			break;
		case LIST_ENTRY:
			entry.line = number;
			if (add_entry(list, &entry) < 0) {
				fprintf(stderr, "%s:%u: out of memory\n", path, number);
				errors++;
			}
			break;
		case LIST_NOTHING:
			break;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error: %s\n", path, errno_name(errno));
		errors++;
	}
	free(line);
	fclose(f);
	if (errors)
		list_free(list);
	return errors ? -1 : 0;
}

void list_free(struct list *list)
{
	free(list->entries);
	list->entries = NULL;
	list->len = 0;
}
