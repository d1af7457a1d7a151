/* SPDX-License-Identifier: MIT */
#include "emit.h"

#include <stdlib.h>
#include <string.h>

#include "array_len.h"
#include "util.h"

/*
 * The characters of s: printable ASCII as is, the rest, '?' (trigraphs) and the characters in
 * also as octal escapes.
 */
static void emit_chars(FILE *out, const char *s, const char *also)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p >= 0x20 && *p < 0x7f && *p != '?' && !strchr(also, *p))
			fputc(*p, out);
		else
			fprintf(out, "\\%03o", *p);
	}
}

/* A C string literal. */
static void emit_string(FILE *out, const char *s)
{
	fputc('"', out);
	emit_chars(out, s, "");
	fputc('"', out);
}

/* A string inside a comment, quoted, '*' escaped so that it cannot end the comment. */
static void emit_quoted(FILE *out, const char *s)
{
	fputs("\"", out);
	emit_chars(out, s, "*");
	fputs("\"", out);
}

/*
 * The table's strings, each once, in the order first used: the entries hold offsets. Offset 0
 * is "", so that an entry without parameters costs no byte.
 */
struct pool {
	char **strings;
	size_t len;
	size_t size; /* bytes, each string's NUL included */
};

static void pool_free(struct pool *p)
{
	for (size_t i = 0; i < p->len; i++)
		free(p->strings[i]);
	free(p->strings);
}

/* The offset of the first n bytes of s in the pool, added when new; -1 when out of memory. */
static long pool_add(struct pool *p, const char *s, size_t n)
{
	size_t offset = 0;

	for (size_t i = 0; i < p->len; offset += strlen(p->strings[i++]) + 1)
		if (strlen(p->strings[i]) == n && memcmp(p->strings[i], s, n) == 0)
			return (long)offset;
	if (grow(&p->strings, p->len, sizeof(*p->strings)) < 0 ||
	    !(p->strings[p->len] = strndup(s, n)))
		return -1;
	p->len++;
	p->size += n + 1;
	return (long)offset;
}

/* Where an entry's strings are in the pool. */
struct entry_strings {
	long name, file, dir, params;
};

/*
 * Splits path into directory (with its '/'), file name and the suffix of its compression, and
 * pools the entry's strings. -1 after saying why when the path does not end in that suffix.
 */
static int pool_entry(struct pool *p, const struct plan_module *m, struct entry_strings *at)
{
	const char *path = m->path ? m->path : "";
	const char *suffix = ml_suffix(m->compression);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t stem = strlen(base) - (ends_with(base, suffix) ? strlen(suffix) : 0);

	if (m->path && (stem == 0 || stem == strlen(base))) {
		fprintf(stderr, "module %s: file \"%s\" does not end in %s, the suffix of %s\n",
			m->name, path, suffix, ml_compression_name(m->compression));
		return -1;
	}
	at->name = pool_add(p, m->name, strlen(m->name));
	at->file = pool_add(p, base, m->path ? stem : 0);
	at->dir = pool_add(p, path, (size_t)(base - path));
	at->params = pool_add(p, m->params ? m->params : "", m->params ? strlen(m->params) : 0);
	if (at->name < 0 || at->file < 0 || at->dir < 0 || at->params < 0) {
		fprintf(stderr, "out of memory\n");
		return -1;
	}
	return 0;
}

static void emit_pool(FILE *out, const struct pool *p)
{
	size_t offset = 0;

	fprintf(out, "/* Every string of the table once; the entries hold offsets. */\n"
		     "const char ml_strings[] =\n");
	for (size_t i = 0; i < p->len; offset += strlen(p->strings[i++]) + 1) {
		fputc('\t', out);
		emit_string(out, p->strings[i]);
		fprintf(out, " \"\\0\" /* %zu */%s\n", offset, i + 1 == p->len ? ";" : "");
	}
	fputc('\n', out);
}

/* What each entry waits for, as positions in the table: those it needs, then those it follows. */
static void emit_deps(FILE *out, const struct plan *plan)
{
	size_t total = 0;

	fprintf(out, "const uint16_t ml_deps[] = {\n");
	for (size_t k = 0; k < plan->norder; k++) {
		const struct plan_module *m = &plan->modules[plan->order[k]];
		if (!m->ndeps && !m->nafter)
			continue;
		fprintf(out, "\t/* %zu */", total);
		for (size_t i = 0; i < m->ndeps; i++)
			fprintf(out, " %zu,", plan_position(plan, m->deps[i]));
		for (size_t i = 0; i < m->nafter; i++)
			fprintf(out, " %zu,", plan_position(plan, m->after[i]));
		fputc('\n', out);
		total += m->ndeps + m->nafter;
	}
	/* C has no empty array. */
	fprintf(out, "%s};\n\n", total ? "" : "\t0,\n");
}

static void emit_flags(FILE *out, unsigned flags)
{
	static const char *const names[] = { ML_ENTRY_FLAGS(ML_C_NAME) };
	const char *sep = "";

	for (unsigned bit = 0; bit < ARRAY_LEN(names); bit++)
		if (flags & (1u << bit)) {
			fprintf(out, "%s%s", sep, names[bit]);
			sep = " | ";
		}
	if (!*sep)
		fputc('0', out);
}

/* An offset into the pool, with the string it leads to as a comment for the reader. */
static void emit_offset(FILE *out, const char *field, const struct pool *p, long offset)
{
	size_t i = 0;

	for (long at = 0; at < offset; at += (long)strlen(p->strings[i++]) + 1)
		;
	fprintf(out, "\t\t.%s = %ld, /* ", field, offset);
	emit_quoted(out, p->strings[i]);
	fprintf(out, " */\n");
}

static void emit_entry(FILE *out, const struct plan *plan, size_t position, const struct pool *p,
		       const struct entry_strings *at, size_t deps)
{
	static const char *const compression[] = { ML_COMPRESSIONS(ML_COMP_C_NAME) };
	const struct plan_module *m = &plan->modules[plan->order[position]];
	long puller = m->listed_line || !m->pulled_by ? -1 : plan_find(plan, m->pulled_by);

	fprintf(out, "\t{\n");
	emit_offset(out, "name", p, at->name);
	emit_offset(out, "file", p, at->file);
	emit_offset(out, "dir", p, at->dir);
	emit_offset(out, "params", p, at->params);
	if (puller < 0)
		fprintf(out, "\t\t.pulled_by = ML_LISTED,\n");
	else
		fprintf(out, "\t\t.pulled_by = %zu, /* %s */\n",
			plan_position(plan, (size_t)puller), m->pulled_by);
	fprintf(out, "\t\t.deps = %zu,\n\t\t.ndeps = %zu,\n\t\t.nafter = %zu,\n", deps, m->ndeps,
		m->nafter);
	fprintf(out, "\t\t.rank = %u,\n\t\t.size = %llu,\n\t\t.sha256 = {", m->rank, m->size);
	for (int i = 0; i < SHA256_DIGEST_LEN; i++)
		fprintf(out, "%s0x%02x", i == 0 ? "" : i % 8 ? ", " : ",\n\t\t\t", m->sha256[i]);
	fprintf(out, "},\n\t\t.flags = ");
	emit_flags(out, m->flags);
	fprintf(out, ",\n\t\t.compression = %s,\n\t},\n", compression[m->compression]);
}

/* The header, the release and the pool; -1 after saying why when the pool cannot be built. */
static int emit_strings(FILE *out, const struct plan *plan, const char *release,
			const char *list_name, struct pool *p)
{
	struct entry_strings at;

	if (pool_add(p, "", 0) < 0)
		return -1;
	for (size_t k = 0; k < plan->norder; k++)
		if (pool_entry(p, &plan->modules[plan->order[k]], &at) < 0)
			return -1;
	if (p->size > ML_STRINGS_MAX) {
		fprintf(stderr, "the table's strings take %zu bytes; the table holds %d\n", p->size,
			ML_STRINGS_MAX);
		return -1;
	}
	/* Quoted as a literal, '*' escaped too: no list name can end the comment early. */
	fprintf(out, "/* Generated by modlatch-gen from \"");
	emit_chars(out, list_name, "*");
	fprintf(out, "\". Do not edit: change the list and rebuild. */\n");
	fprintf(out, "#include \"table.h\"\n\nconst char ml_release[] = ");
	emit_string(out, release);
	fprintf(out, ";\n\n");
	emit_pool(out, p);
	return 0;
}

int emit_table(FILE *out, const struct plan *plan, const char *release, const char *list_name)
{
	struct pool pool = { 0 };
	struct entry_strings at;
	size_t deps = 0;

	if (emit_strings(out, plan, release, list_name, &pool) < 0) {
		pool_free(&pool);
		return -1;
	}
	emit_deps(out, plan);
	fprintf(out, "const struct ml_entry ml_table[] = {\n");
	for (size_t k = 0; k < plan->norder; k++) {
		const struct plan_module *m = &plan->modules[plan->order[k]];
		pool_entry(&pool, m, &at);
		emit_entry(out, plan, k, &pool, &at, deps);
		deps += m->ndeps + m->nafter;
	}
	if (plan->norder == 0)
		fprintf(out, "\t{ .name = 0 },\n");
	fprintf(out, "};\n\nconst unsigned ml_table_len = %zu;\n", plan->norder);
	pool_free(&pool);
	return ferror(out) ? -1 : 0;
}

int emit_files(FILE *out, const struct plan *plan)
{
	for (size_t k = 0; k < plan->norder; k++) {
		const struct plan_module *m = &plan->modules[plan->order[k]];
		if (!m->path || (m->flags & (ML_BUILTIN | ML_ABSENT)))
			continue;
		/* A line that sha256sum -c reads back as this path, inside the tree. */
		if (strpbrk(m->path, "\n\\") || !plain_relative(m->path)) {
			fprintf(stderr,
				"module %s: path \"%s\" cannot be listed as a file of the tree\n",
				m->name, m->path);
			return -1;
		}
		for (int i = 0; i < SHA256_DIGEST_LEN; i++)
			fprintf(out, "%02x", m->sha256[i]);
		fprintf(out, "  %s\n", m->path);
	}
	return ferror(out) ? -1 : 0;
}
