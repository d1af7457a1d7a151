/* SPDX-License-Identifier: MIT */
/*
 * modlatch-gen: turns a module list and the target's modules tree into the C table that the
 * modlatch shim compiles in. Runs on the build host; all resolving happens here, none at boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array_len.h"
#include "audit.h"
#include "costs.h"
#include "cpio.h"
#include "emit.h"
#include "errname.h"
#include "kconfig.h"
#include "learn.h"
#include "list.h"
#include "modfile.h"
#include "output.h"
#include "plan.h"
#include "requests.h"
#include "resolve.h"
#include "sha256.h"

#ifndef MODLATCH_VERSION
#define MODLATCH_VERSION "unknown"
#endif

struct gen {
	const char *list_path;
	const char *moddir;
	const char *kconfig_path;
	const char *output;
	const char *files; /* --files; NULL: no list of the pinned files */
	const char *root;  /* --root; NULL: MODULES_DIR/../../.. */
	const char *costs; /* --costs; NULL: rank by file size */
	struct image image;
	struct resolver resolver;
	struct kconfig kconfig;
	struct plan plan;
	bool strict; /* --strict: warnings are errors */
	unsigned warnings;
};

/* "LIST:LINE: warning: ..." on stderr, counted: --strict turns them into a failed run. */
__attribute__((format(printf, 3, 4))) static void warn(struct gen *g, unsigned line,
						       const char *format, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%u: warning: ", g->list_path, line);
	va_start(ap, format);
	vfprintf(stderr, format, ap);
	va_end(ap);
	fputc('\n', stderr);
	g->warnings++;
}

static void usage(FILE *to)
{
	fprintf(to, "usage: modlatch-gen [-k KCONFIG] [--root ROOT] [--strict] [--files FILES] "
		    "[--costs REPORT] -o OUTPUT.c LIST MODULES_DIR\n"
		    "       modlatch-gen --audit ROOT [-k KCONFIG] [-c CMDLINE] [-m PATH]\n"
		    "       modlatch-gen --learn [PROC_MODULES] [--sysfs DIR]\n"
		    "       modlatch-gen --requests FILE MODULES_DIR\n"
		    "       modlatch-gen --cpio [--mtime SECONDS] [--node SPEC]... DIR OUTPUT\n"
		    "       modlatch-gen --version\n"
		    "MODULES_DIR is <root>/lib/modules/<release> of the target, after depmod;\n"
		    "module files are read inside ROOT (default: MODULES_DIR/../../..).\n"
		    "--strict: warnings (softdeps, aliases naming several modules) are errors.\n"
		    "--files: also writes FILES: the pinned files, as sha256sum prints them.\n"
		    "--costs: ranks modules for parallel loading by the finit_us of a saved boot\n"
		    "  report (default: by file size).\n"
		    "Exit status: 0 written, 1 not written (errors), 2 usage.\n");
}

enum describe_result { DESCRIBED = 0, FAILED = -1, FILE_MISSING = -2 };

/* The first word of vermagic is the release the module was built for. */
static int check_vermagic(struct gen *g, const struct plan_module *m, const char *vermagic)
{
	size_t n = vermagic ? strcspn(vermagic, " ") : 0;

	if (vermagic && n == strlen(g->image.release) &&
	    strncmp(vermagic, g->image.release, n) == 0)
		return 0;
	fprintf(stderr,
		"module %s: vermagic \"%.*s\" is not the release \"%s\" (the name of "
		"MODULES_DIR): the kernel would refuse it\n",
		m->name, (int)n, vermagic ? vermagic : "", g->image.release);
	return -1;
}

/* Size, digest and vermagic of the module's file, read once through one descriptor. */
static enum describe_result read_facts(struct gen *g, struct plan_module *m, int fd,
				       const char *shown)
{
	struct modfile facts;
	struct modinfo info;

	if (modfile_read_fd(fd, shown, &facts) < 0)
		return FAILED;
	const char *lacks =
		g->kconfig_path ? kconfig_missing_decompress(&g->kconfig, facts.compression) : NULL;
	if (lacks) {
		fprintf(stderr, "module %s: %s is %s-compressed but %s lacks %s=y\n", m->name,
			m->path, ml_compression_name(facts.compression), g->kconfig_path, lacks);
		return FAILED;
	}
	if (resolver_modinfo(&g->resolver, fd, m->name, &info) < 0)
		return FAILED;
	int rc = check_vermagic(g, m, info.vermagic);
	m->weakdeps = info.weakdeps; /* checked once the table is complete */
	m->nweakdeps = info.nweakdeps;
	info.weakdeps = NULL;
	info.nweakdeps = 0;
	resolver_free_modinfo(&info);
	if (rc < 0)
		return FAILED;
	m->size = facts.size;
	m->compression = facts.compression;
	memcpy(m->sha256, facts.sha256, sizeof(m->sha256));
	return DESCRIBED;
}

/* Opens the module's file inside the image, as the target will find it, and pins it. */
static enum describe_result pin_file(struct gen *g, struct plan_module *m)
{
	char *in_image = NULL, *shown = NULL;
	enum describe_result rc = FAILED;

	if (asprintf(&in_image, "%s/%s", g->image.moddir, m->path) < 0 ||
	    asprintf(&shown, "%s/%s", g->moddir, m->path) < 0)
		goto out;
	int fd = modfile_open_in_root(g->image.rootfd, in_image, O_RDONLY);
	if (fd < 0 && errno == ENOENT) {
		fprintf(stderr, "module %s: file missing from the tree: %s\n", m->name, shown);
		rc = FILE_MISSING;
	} else if (fd < 0) {
		fprintf(stderr, "module %s: %s: %s\n", m->name, shown, errno_name(errno));
	} else {
		rc = read_facts(g, m, fd, shown);
		close(fd);
	}
out:
	free(in_image);
	free(shown);
	return rc;
}

static long describe(struct gen *g, const char *name, enum describe_result *result);

static enum describe_result describe_deps(struct gen *g, size_t index, char **deps, size_t ndeps)
{
	enum describe_result result = DESCRIBED;

	for (size_t i = 0; i < ndeps && result == DESCRIBED; i++) {
		long dep = describe(g, deps[i], &result);
		if (result == FILE_MISSING)
			result = FAILED; /* a missing dependency is a broken tree, even for '?' */
		if (result == DESCRIBED && plan_add_dep(&g->plan, index, dep) < 0)
			result = FAILED;
	}
	return result;
}

/* Adds module name to the plan with its file pinned and its dependencies, once. */
static long describe(struct gen *g, const char *name, enum describe_result *result)
{
	long index = plan_module(&g->plan, name);
	char *path, **deps;
	size_t ndeps;

	*result = FAILED;
	if (index < 0)
		return -1;
	if (g->plan.modules[index].described) {
		*result = DESCRIBED;
		return index;
	}
	if (strlen(name) > ML_MODULE_NAME_MAX) {
		fprintf(stderr, "module %s: name longer than %d bytes\n", name, ML_MODULE_NAME_MAX);
		return index;
	}
	if (resolver_is_builtin(&g->resolver, name)) {
		g->plan.modules[index].flags |= ML_BUILTIN;
		g->plan.modules[index].described = true;
		*result = DESCRIBED;
		return index;
	}
	if (resolver_describe(&g->resolver, name, &path, &deps, &ndeps) < 0)
		return index;
	g->plan.modules[index].path = path;
	*result = pin_file(g, &g->plan.modules[index]);
	if (*result == DESCRIBED)
		*result = describe_deps(g, index, deps, ndeps);
	g->plan.modules[index].described = *result == DESCRIBED;
	resolver_free_names(deps, ndeps);
	return index;
}

static int list_absent(struct gen *g, const struct list_entry *e, char *err, size_t errlen)
{
	long index = plan_module(&g->plan, e->name);

	if (index < 0)
		return -1;
	g->plan.modules[index].flags |= ML_ABSENT;
	g->plan.modules[index].described = true;
	fprintf(stderr, "%s:%u: note: optional module %s is not in the tree; recorded as absent\n",
		g->list_path, e->line, e->name);
	if (plan_list(&g->plan, index, e->line, true, e->params, err, errlen) == 0)
		return 0;
	fprintf(stderr, "%s:%u: %s\n", g->list_path, e->line, err);
	return -1;
}

/* params as the kernel command line sets them for a built-in module: "a=1 b" -> "m.a=1 m.b". */
static void cmdline_form(const char *module, const char *params, char *buf, size_t len)
{
	size_t n = 0;
	bool quoted = false, word_start = true;

	buf[0] = '\0';
	for (const char *p = params; *p && n + 1 < len; p++) {
		if (!quoted && (*p == ' ' || *p == '\t')) {
			word_start = true;
			continue;
		}
		if (word_start)
			n += (size_t)snprintf(buf + n, len - n, "%s%s.", n ? " " : "", module);
		word_start = false;
		if (*p == '"')
			quoted = !quoted;
		if (n + 1 < len) {
			buf[n++] = *p;
			buf[n] = '\0';
		}
	}
}

/* A built-in module is never loaded, so parameters in the list would never reach it. */
static int check_builtin_params(struct gen *g, const struct list_entry *e, size_t index)
{
	const struct plan_module *m = &g->plan.modules[index];
	char form[2 * ML_PARAMS_MAX];

	if (!(m->flags & ML_BUILTIN) || !e->params[0])
		return 0;
	cmdline_form(m->name, e->params, form, sizeof(form));
	fprintf(stderr,
		"%s:%u: module %s is built into the kernel and takes no parameters at load time; "
		"put them on the kernel command line: %s\n",
		g->list_path, e->line, m->name, form);
	return -1;
}

/*
 * An alias such as a PCI id may name several drivers. Loaded in one parallel wave, which of
 * them binds the device is a race; serial loading follows table order.
 */
static void check_alias_drivers(struct gen *g, const struct list_entry *e, char **names,
				size_t count)
{
	char all[512] = "";
	size_t loadable = 0, n = 0;

	for (size_t i = 0; i < count; i++) {
		long index = plan_find(&g->plan, names[i]);
		if (index < 0 || (g->plan.modules[index].flags & (ML_BUILTIN | ML_ABSENT)))
			continue;
		loadable++;
		n += (size_t)snprintf(all + n, n < sizeof(all) ? sizeof(all) - n : 0, "%s%s",
				      n ? ", " : "", names[i]);
	}
	if (loadable > 1 && !e->sequential)
		warn(g, e->line,
		     "'%s' resolves to %zu modules (%s); loaded in one wave, which one binds a "
		     "device is a race: mark the line '!' or build with LOAD=serial",
		     e->name, loadable, all);
}

/* Adds one module the entry resolved to; err is for what the plan refuses. */
static int add_module(struct gen *g, const struct list_entry *e, const char *name)
{
	enum describe_result result;
	char err[256];
	long index = describe(g, name, &result);

	if (result == FILE_MISSING && e->optional)
		return list_absent(g, e, err, sizeof(err));
	if (result != DESCRIBED) {
		fprintf(stderr, "%s:%u: cannot pin '%s'\n", g->list_path, e->line, e->name);
		return -1;
	}
	if (plan_list(&g->plan, index, e->line, e->optional, e->params, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s:%u: %s\n", g->list_path, e->line, err);
		return -1;
	}
	if (e->sequential)
		plan_mark_sequential(&g->plan, (size_t)index);
	return check_builtin_params(g, e, (size_t)index);
}

static int add_entry(struct gen *g, const struct list_entry *e)
{
	char err[256], **names;
	size_t count;
	int rc = 0;

	if (resolver_lookup(&g->resolver, e->name, &names, &count) < 0)
		return -1;
	if (count == 0 && e->optional)
		return list_absent(g, e, err, sizeof(err));
	if (count == 0) {
		fprintf(stderr, "%s:%u: unknown module or alias '%s' in %s\n", g->list_path,
			e->line, e->name, g->moddir);
		return -1;
	}
	for (size_t i = 0; i < count && rc == 0; i++)
		rc = add_module(g, e, names[i]);
	if (rc == 0)
		check_alias_drivers(g, e, names, count);
	resolver_free_names(names, count);
	return rc;
}

static int check_limits(const struct plan *plan)
{
	if (plan->norder > ML_TABLE_MAX) {
		fprintf(stderr, "the plan has %zu modules; the table holds %d\n", plan->norder,
			ML_TABLE_MAX);
		return -1;
	}
	for (size_t i = 0; i < plan->len; i++)
		if (plan->modules[i].ndeps > ML_EDGES_MAX ||
		    plan->modules[i].nafter > ML_EDGES_MAX) {
			fprintf(stderr, "module %s: more than %d modules to wait for\n",
				plan->modules[i].name, ML_EDGES_MAX);
			return -1;
		}
	return 0;
}

/*
 * The table and, with --files, the list of its files: both written in full before either is
 * renamed into place, the list last on disk but first renamed, so that make sees it no older than
 * the table. A list whose table could not follow is removed: it would describe another table.
 */
static int write_output(struct gen *g, const char *release)
{
	struct output table = { 0 }, files = { 0 };
	char *list_copy = strdup(g->list_path);
	int rc = -1;

	if (!list_copy || !output_open(&table, g->output) ||
	    output_close(&table, emit_table(table.out, &g->plan, release, basename(list_copy))))
		goto out;
	if (g->files &&
	    (!output_open(&files, g->files) ||
	     output_close(&files, emit_files(files.out, &g->plan)) || output_commit(&files)))
		goto out;
	rc = output_commit(&table);
	if (rc < 0 && g->files)
		unlink(g->files);
out:
	output_discard(&table);
	output_discard(&files);
	free(list_copy);
	return rc;
}

/* The list format, for --help; modlatch.list(5) says the rest. */
static void list_grammar(FILE *to)
{
	fputs("\nA list has one entry per line:  [?][!]name [param[=value] ...]\n"
	      "  name     a module name (- and _ alike) or an alias: fs-overlay, net-pf-10\n"
	      "  ?        optional: may be absent from the tree, or find no device at boot\n"
	      "  !        sequential: loaded alone, never beside another module\n"
	      "  param    passed to the kernel as written; a value may be quoted: x=\"a b\"\n"
	      "  # starts a comment; blank lines are ignored; dependencies are added.\n"
	      "Example:\n"
	      "  # Container networking\n"
	      "  br_netfilter\n"
	      "  ?crc32c-intel\n"
	      "  !bonding mode=802.3ad miimon=100\n",
	      to);
}

static int parse_args(struct gen *g, int argc, char **argv)
{
	static const struct option options[] = { { "kconfig", required_argument, NULL, 'k' },
						 { "output", required_argument, NULL, 'o' },
						 { "files", required_argument, NULL, 'f' },
						 { "root", required_argument, NULL, 'r' },
						 { "strict", no_argument, NULL, 's' },
						 { "costs", required_argument, NULL, 'C' },
						 { "help", no_argument, NULL, 'h' },
						 { NULL, 0, NULL, 0 } };
	int opt;

	while ((opt = getopt_long(argc, argv, "k:o:f:r:C:sh", options, NULL)) != -1) {
		switch (opt) {
		case 'k':
			g->kconfig_path = optarg;
			break;
		case 'o':
			g->output = optarg;
			break;
		case 'f':
			g->files = optarg;
			break;
		case 'r':
			g->root = optarg;
			break;
		case 's':
			g->strict = true;
			break;
		case 'C':
			g->costs = optarg;
			break;
		case 'h':
			usage(stdout);
			list_grammar(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!g->output || argc - optind != 2) {
		usage(stderr);
		return -1;
	}
	g->list_path = argv[optind];
	g->moddir = argv[optind + 1];
	return 0;
}

/* The list line that brought module m into the table: its own, or that of its puller. */
static unsigned line_of(const struct plan *plan, const struct plan_module *m)
{
	long puller = m->listed_line || !m->pulled_by ? -1 : plan_find(plan, m->pulled_by);

	return puller < 0 ? m->listed_line : plan->modules[puller].listed_line;
}

/* The table has module name, loadable or built in; absent is not had. */
static bool in_table(struct gen *g, const char *name)
{
	long index = plan_find(&g->plan, name);

	if (index >= 0)
		return !(g->plan.modules[index].flags & ML_ABSENT);
	return resolver_is_builtin(&g->resolver, name);
}

/* Warns about one soft or weak dependency D of module user that the table lacks. */
static void warn_missing(struct gen *g, size_t user, const char *kind, const char *dep)
{
	const struct plan_module *m = &g->plan.modules[user];
	char by[ML_MODULE_NAME_MAX + 32] = "";

	if (!m->listed_line && m->pulled_by)
		snprintf(by, sizeof(by), " (pulled in by %s)", m->pulled_by);
	warn(g, line_of(&g->plan, m),
	     "module %s%s has %s %s, which is not in the table and cannot load after the "
	     "latch; add the line '%s' ('?%s' if it may find no device)",
	     m->name, by, kind, dep, dep, dep);
}

/* Each pre: softdep orders its module first, when both are in the table; others warn. */
static int check_softdeps(struct gen *g, size_t user)
{
	char **pre, **post;
	size_t npre, npost;
	int rc = 0;

	if (resolver_softdeps(&g->resolver, g->plan.modules[user].name, &pre, &npre, &post,
			      &npost) < 0)
		return -1;
	for (size_t i = 0; i < npre && rc == 0; i++) {
		long dep = plan_find(&g->plan, pre[i]);
		if (!in_table(g, pre[i]))
			warn_missing(g, user, "softdep pre:", pre[i]);
		else if (dep >= 0 && g->plan.modules[dep].path)
			rc = plan_add_order(&g->plan, user, (size_t)dep);
	}
	for (size_t i = 0; i < npost; i++)
		if (!in_table(g, post[i]))
			warn_missing(g, user, "softdep post:", post[i]);
	resolver_free_names(pre, npre);
	resolver_free_names(post, npost);
	return rc;
}

/* A weakdep (a name or an alias) is in the table when any module it names is. */
static int check_weakdeps(struct gen *g, size_t user)
{
	const struct plan_module *m = &g->plan.modules[user];

	for (size_t w = 0; w < m->nweakdeps; w++) {
		char **names;
		size_t count;
		bool had = false;
		if (resolver_lookup(&g->resolver, m->weakdeps[w], &names, &count) < 0)
			return -1;
		for (size_t i = 0; i < count; i++)
			had |= in_table(g, names[i]);
		if (count && !had)
			warn_missing(g, user, "weakdep", m->weakdeps[w]);
		resolver_free_names(names, count);
	}
	return 0;
}

static int check_soft_and_weak(struct gen *g)
{
	for (size_t i = 0; i < g->plan.len; i++)
		if (g->plan.modules[i].path &&
		    (check_softdeps(g, i) < 0 || check_weakdeps(g, i) < 0))
			return -1;
	return 0;
}

/* Resolves, pins and orders every entry of the list; warnings are counted in g. */
static int plan_list_file(struct gen *g, const struct list *list)
{
	char err[256] = "";
	int failed = 0;

	for (size_t i = 0; i < list->len; i++)
		failed |= add_entry(g, &list->entries[i]) < 0;
	if (failed)
		return -1;
	/* Once to name pullers, which the warnings cite; again with the softdep order. */
	if (plan_order(&g->plan, err, sizeof(err)) < 0 || check_soft_and_weak(g) < 0 ||
	    plan_order(&g->plan, err, sizeof(err)) < 0) {
		if (err[0])
			fprintf(stderr, "%s: %s\n", g->list_path, err);
		return -1;
	}
	return check_limits(&g->plan);
}

static int generate(struct gen *g)
{
	struct list list;
	int rc = -1;

	if (list_read(g->list_path, &list) < 0)
		return -1;
	if (image_open(&g->image, g->moddir, g->root) < 0 ||
	    resolver_open(&g->resolver, g->moddir) < 0)
		goto out;
	if (g->kconfig_path && kconfig_load(g->kconfig_path, &g->kconfig) < 0)
		goto out;
	if (plan_list_file(g, &list) < 0)
		goto out;
	if (!g->costs)
		costs_from_sizes(&g->plan);
	else if (costs_from_report(&g->plan, g->costs) < 0)
		goto out;
	if (plan_rank(&g->plan) < 0) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	if (g->strict && g->warnings) {
		fprintf(stderr, "%s: %u warning(s), errors under --strict\n", g->list_path,
			g->warnings);
		goto out;
	}
	rc = write_output(g, g->image.release);
out:
	list_free(&list);
	return rc;
}

/* The table: LIST and MODULES_DIR in, OUTPUT.c out. */
static int generate_main(int argc, char **argv)
{
	struct gen g = { .image.rootfd = -1 };
	int rc;

	if (parse_args(&g, argc, argv) < 0)
		return 2;
	sha256_use_fastest();
	rc = generate(&g);
	if (rc < 0)
		fprintf(stderr, "modlatch-gen: %s%s%s not written\n", g.output,
			g.files ? " and " : "", g.files ? g.files : "");
	plan_free(&g.plan);
	kconfig_free(&g.kconfig);
	resolver_close(&g.resolver);
	image_close(&g.image);
	return rc < 0 ? 1 : 0;
}

static int version_main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		usage(stderr);
		return 2;
	}
	printf("modlatch-gen %s\n", MODLATCH_VERSION);
	return 0;
}

/* Six programs in one: the first argument picks one of the others, else it writes a table. */
int main(int argc, char **argv)
{
	static const struct {
		const char *flag;
		int (*run)(int argc, char **argv);
	} modes[] = {
		{ "--audit", audit_main },     { "--cpio", cpio_main },
		{ "--learn", learn_main },     { "--requests", requests_main },
		{ "--version", version_main },
	};

	for (size_t i = 0; argc >= 2 && i < ARRAY_LEN(modes); i++)
		if (strcmp(argv[1], modes[i].flag) == 0)
			return modes[i].run(argc - 1, argv + 1);
	return generate_main(argc, argv);
}
