/* SPDX-License-Identifier: MIT */
/*
 * Turning refused module requests into list lines. Built with AFTER_LATCH=record, the shim is
 * the kernel's module helper once loading is closed: for every request it loads nothing, logs
 * "modlatch: refused module=NAME after latch" and appends NAME to /run/modlatch/refused. This
 * reads either, looks each name up in the target's tree as modprobe would (aliases, '-' and '_'
 * alike) and prints, per module that answers, a list line naming the requests it answers.
 *
 * The names come from whoever made the kernel ask (`ip link add type X` asks for rtnl-link-X), so
 * each must pass the shim's own check before use, is only ever handed to libkmod's lookup, and
 * the output says to review it: a refused request is no proof that the appliance needs a module.
 */
#include "requests.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "errname.h"
#include "request_name.h" /* the shim's rule for a name and its log words */
#include "resolve.h"
#include "util.h"

/* The shim's log lines for a request after the latch, whatever stands before them. */
#define LOGGED	       ML_LOG_PREFIX ML_REFUSED
#define LOGGED_MODULE  ML_LOG_PREFIX ML_REFUSED_MODULE
#define LOGGED_UNNAMED ML_LOG_PREFIX ML_REFUSED_UNNAMED

/* Comment lines of the output wrap at this column. */
#define WRAP 100

struct reader {
	const char *path;
	struct requests *rq;
	unsigned errors;
	bool spaced; /* a name had white space: perhaps a log without refused lines */
};

/* The whole of in, NUL-terminated, its length in *len; NULL after naming the error. */
static char *read_all(FILE *in, const char *path, size_t *len)
{
	char *text = NULL, chunk[65536];
	FILE *mem = open_memstream(&text, len);
	size_t n = 0;

	if (!mem) {
		fprintf(stderr, "%s: cannot buffer: %s\n", path, errno_name(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0 && fwrite(chunk, 1, n, mem) == n)
		;
	int err = errno;
	bool failed = ferror(in) || n > 0; /* n > 0: the copy failed */
	if (fclose(mem) != 0 && !failed) {
		err = errno;
		failed = true;
	}
	if (failed) {
		fprintf(stderr, "%s: cannot read: %s\n", path, errno_name(err));
		free(text);
		return NULL;
	}
	return text;
}

static void bad_line(struct reader *r, unsigned number, const char *what)
{
	fprintf(stderr, "%s:%u: %s\n", r->path, number, what);
	r->errors++;
}

/*
 * In a log line, NAME of "modlatch: refused module=NAME after latch", terminated in place. NULL for
 * other lines (a refusal without a name is noted) and for one that does not end that way (bad).
 */
static char *logged_name(struct reader *r, char *line, size_t len, unsigned number,
			 size_t *name_len)
{
	char *at = memmem(line, len, LOGGED_MODULE, strlen(LOGGED_MODULE));
	size_t end = strlen(ML_REFUSED_END);

	if (!at) {
		if (memmem(line, len, LOGGED_UNNAMED, strlen(LOGGED_UNNAMED)))
			fprintf(stderr, "%s:%u: note: a request refused without its name\n",
				r->path, number);
		return NULL;
	}
	char *name = at + strlen(LOGGED_MODULE);
	if ((size_t)(line + len - name) < end ||
	    memcmp(line + len - end, ML_REFUSED_END, end) != 0) {
		bad_line(r, number,
			 "expected '" LOGGED_MODULE "NAME" ML_REFUSED_END "' to end the line");
		return NULL;
	}
	*name_len = (size_t)(line + len - end - name);
	name[*name_len] = '\0';
	return name;
}

static int add_request(struct requests *rq, const char *name, unsigned number)
{
	char *copy = strdup(name);

	if (!copy || grow(&rq->items, rq->len, sizeof(*rq->items)) < 0) {
		free(copy);
		return -1;
	}
	rq->items[rq->len++] = (struct request){ .name = copy, .line = number };
	return 0;
}

/* One line without its newline (a '\r' before it is dropped: serial consoles send CRLF). */
static void read_line(struct reader *r, char *line, size_t len, unsigned number)
{
	bool log = r->rq->from_log;

	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	size_t name_len = len;
	char *name = log ? logged_name(r, line, len, number, &name_len) : line;
	if (!name || (!log && len == 0))
		return;
	const char *why =
		memchr(name, '\0', name_len) ? "NUL byte in the name" : request_name_error(name);
	if (why) {
		r->spaced |= !log && strpbrk(name, " \t") != NULL;
		bad_line(r, number, why);
	} else if (add_request(r->rq, name, number) < 0) {
		bad_line(r, number, "out of memory");
	}
}

static int by_name_then_line(const void *a, const void *b)
{
	const struct request *x = a, *y = b;
	int order = strcmp(x->name, y->name);

	return order ? order : (x->line > y->line) - (x->line < y->line);
}

static int by_line(const void *a, const void *b)
{
	const struct request *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

/* Keeps each name once, where it was first seen: O(n log n), as a log can hold many. */
static void keep_first(struct requests *rq)
{
	size_t kept = 0;

	if (rq->len == 0)
		return; /* qsort wants an array, even of nothing */
	qsort(rq->items, rq->len, sizeof(*rq->items), by_name_then_line);
	for (size_t i = 0; i < rq->len; i++) {
		if (kept && strcmp(rq->items[kept - 1].name, rq->items[i].name) == 0)
			free(rq->items[i].name);
		else
			rq->items[kept++] = rq->items[i];
	}
	rq->len = kept;
	qsort(rq->items, rq->len, sizeof(*rq->items), by_line);
}

void requests_free(struct requests *rq)
{
	for (size_t i = 0; i < rq->len; i++)
		free(rq->items[i].name);
	free(rq->items);
	rq->items = NULL;
	rq->len = 0;
}

int requests_read(FILE *in, const char *path, struct requests *rq)
{
	struct reader r = { .path = path, .rq = rq };
	size_t len;
	char *text = read_all(in, path, &len);
	unsigned number = 0;

	*rq = (struct requests){ 0 };
	if (!text)
		return -1;
	rq->from_log = memmem(text, len, LOGGED, strlen(LOGGED)) != NULL;
	for (char *line = text, *end = text + len; line < end;) {
		char *newline = memchr(line, '\n', (size_t)(end - line));
		char *next = newline ? newline + 1 : end;
		if (newline)
			*newline = '\0';
		read_line(&r, line, (size_t)((newline ? newline : end) - line), ++number);
		line = next;
	}
	free(text);
	if (r.spaced)
		fprintf(stderr,
			"%s: no line carries '" LOGGED "', so every line was read as a request "
			"name; a kernel log without such lines shows no refused request\n",
			path);
	if (r.errors)
		requests_free(rq);
	else
		keep_first(rq);
	return r.errors ? -1 : 0;
}

/* The modules that answer requests, and the requests that none answers. */
struct answer {
	char *module;
	bool builtin;
	size_t *requests; /* indices into the requests, in their order */
	size_t len;
};

struct answers {
	struct answer *items; /* in the order first needed */
	size_t len;
	size_t *unanswered;
	size_t nunanswered;
};

static int append_index(size_t **list, size_t *len, size_t index)
{
	if (grow(list, *len, sizeof(**list)) < 0)
		return -1;
	(*list)[(*len)++] = index;
	return 0;
}

static struct answer *answer_by(struct answers *a, const char *module, bool builtin)
{
	for (size_t i = 0; i < a->len; i++)
		if (strcmp(a->items[i].module, module) == 0)
			return &a->items[i];
	char *copy = strdup(module);
	if (!copy || grow(&a->items, a->len, sizeof(*a->items)) < 0) {
		free(copy);
		return NULL;
	}
	a->items[a->len] = (struct answer){ .module = copy, .builtin = builtin };
	return &a->items[a->len++];
}

/*
 * Notes which modules answer request i. A name libkmod cannot look up at all (an unpaired '[' is
 * EINVAL; the resolver has said so) is answered by none, as modprobe says "not found" for it.
 */
static int answer(struct resolver *r, struct answers *a, const struct requests *rq, size_t i)
{
	char **modules;
	size_t count;
	int rc = 0;

	if (resolver_lookup(r, rq->items[i].name, &modules, &count) < 0) {
		resolver_free_names(modules, count);
		modules = NULL;
		count = 0;
	}
	if (count == 0)
		rc = append_index(&a->unanswered, &a->nunanswered, i);
	for (size_t m = 0; m < count && rc == 0; m++) {
		struct answer *ans = answer_by(a, modules[m], resolver_is_builtin(r, modules[m]));
		rc = ans ? append_index(&ans->requests, &ans->len, i) : -1;
	}
	resolver_free_names(modules, count);
	if (rc < 0)
		fprintf(stderr, "request %s: out of memory\n", rq->items[i].name);
	return rc;
}

static void answers_free(struct answers *a)
{
	for (size_t i = 0; i < a->len; i++) {
		free(a->items[i].module);
		free(a->items[i].requests);
	}
	free(a->items);
	free(a->unanswered);
}

/*
 * Ends a line at column col with " request A" or " requests A B ...", wrapped at WRAP onto comment
 * lines whose '#' stands at column hash. Names are parted by spaces, which no name holds (commas
 * do: crypto-authenc(hmac(sha1),cbc(aes))).
 */
static void write_names(FILE *out, int col, int hash, const struct requests *rq,
			const size_t *which, size_t n)
{
	col += fprintf(out, n == 1 ? " request" : " requests");
	for (size_t i = 0; i < n; i++) {
		const char *name = rq->items[which[i]].name;
		if (i > 0 && col + 1 + (int)strlen(name) > WRAP) {
			fprintf(out, "\n%*s#", hash, "");
			col = hash + 1;
		}
		col += fprintf(out, " %s", name);
	}
	fputc('\n', out);
}

static void write_header(FILE *out, const struct requests *rq, const char *release)
{
	if (rq->len == 0) {
		fprintf(out, "# No module request was refused by name after the latch.\n");
		return;
	}
	fprintf(out, "# %zu module request(s) refused after the latch, resolved in %s.\n", rq->len,
		release);
	fprintf(out, "# Any process can make the kernel ask for a module (ip link add type X asks\n"
		     "# for rtnl-link-X): add a line only for a module the appliance needs.\n");
}

/* The list lines, then the built-in answers and the unanswered requests as comments. */
static void write_answers(FILE *out, const struct answers *a, const struct requests *rq)
{
	int width = 0;

	for (size_t i = 0; i < a->len; i++)
		if (!a->items[i].builtin && (int)strlen(a->items[i].module) > width)
			width = (int)strlen(a->items[i].module);
	for (size_t i = 0; i < a->len; i++) {
		const struct answer *ans = &a->items[i];
		if (ans->builtin)
			continue;
		int col = fprintf(out, "%-*s  # answers", width, ans->module);
		write_names(out, col, width + 2, rq, ans->requests, ans->len);
	}
	for (size_t i = 0; i < a->len; i++) {
		const struct answer *ans = &a->items[i];
		if (!ans->builtin)
			continue;
		int col = fprintf(out, "# built in, nothing to add: %s answers", ans->module);
		write_names(out, col, 0, rq, ans->requests, ans->len);
	}
	if (a->nunanswered) {
		int col = fprintf(out, "# no module answers");
		write_names(out, col, 0, rq, a->unanswered, a->nunanswered);
	}
}

/* The whole report, so that nothing is printed when something fails; NULL when out of memory. */
static char *render(const struct answers *a, const struct requests *rq, const char *moddir,
		    size_t *len)
{
	char *text = NULL, *dir = strdup(moddir);
	FILE *out = dir ? open_memstream(&text, len) : NULL;

	if (out) {
		write_header(out, rq, basename(dir));
		write_answers(out, a, rq);
	}
	if (!out || fclose(out) != 0) {
		fprintf(stderr, "modlatch-gen: cannot buffer the output: %s\n", errno_name(errno));
		free(text);
		text = NULL;
	}
	free(dir);
	return text;
}

static int read_input(const char *file, const char *shown, struct requests *rq)
{
	bool std = strcmp(file, "-") == 0;
	FILE *in = std ? stdin : fopen(file, "re");

	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", file, errno_name(errno));
		return -1;
	}
	int rc = requests_read(in, shown, rq);
	if (!std)
		fclose(in);
	return rc;
}

static int resolve_all(const char *moddir, const struct requests *rq, struct answers *a)
{
	struct resolver r;
	int rc = resolver_open(&r, moddir);

	for (size_t i = 0; i < rq->len && rc == 0; i++)
		rc = answer(&r, a, rq, i);
	resolver_close(&r);
	return rc;
}

/* Prints the report, then names on stderr each request that no module answers. */
static int report(const struct answers *a, const struct requests *rq, const char *shown,
		  const char *moddir)
{
	size_t len;
	char *text = render(a, rq, moddir, &len);

	if (!text)
		return 1;
	bool written = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0;
	free(text);
	if (!written) {
		fprintf(stderr, "stdout: cannot write: %s\n", errno_name(errno));
		return 1;
	}
	for (size_t i = 0; i < a->nunanswered; i++) {
		const struct request *q = &rq->items[a->unanswered[i]];
		fprintf(stderr, "%s:%u: no module answers request '%s' in %s\n", shown, q->line,
			q->name, moddir);
	}
	return a->nunanswered ? 3 : 0;
}

static void requests_usage(void)
{
	fprintf(stderr,
		"usage: modlatch-gen --requests FILE MODULES_DIR\n"
		"FILE: request names one a line (/run/modlatch/refused), or a kernel log\n"
		"whose lines '" LOGGED_MODULE "NAME" ML_REFUSED_END "' count; - is stdin.\n");
}

int requests_main(int argc, char **argv)
{
	struct requests rq;
	struct answers a = { 0 };
	int first = argc > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;

	if (argc - first != 2 || (first == 1 && argv[1][0] == '-' && argv[1][1] != '\0')) {
		requests_usage();
		return 2;
	}
	const char *file = argv[first], *moddir = argv[first + 1];
	const char *shown = strcmp(file, "-") == 0 ? "<stdin>" : file;
	if (read_input(file, shown, &rq) < 0)
		return 1;
	int status = resolve_all(moddir, &rq, &a) < 0 ? 1 : report(&a, &rq, shown, moddir);
	answers_free(&a);
	requests_free(&rq);
	return status;
}
