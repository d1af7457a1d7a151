/* SPDX-License-Identifier: MIT */
#include "resolve.h"

#include <errno.h>
#include <ftw.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "array_len.h"
#include "errname.h"
#include "util.h"

static char *path_join(const char *dir, const char *name)
{
	size_t len = strlen(dir) + 1 + strlen(name) + 1;
	char *path = malloc(len);

	if (path)
		snprintf(path, len, "%s/%s", dir, name);
	return path;
}

/* Kernel module names use '_' where file names may use '-'. */
static void normalize(char *name)
{
	for (; *name; name++)
		if (*name == '-')
			*name = '_';
}

static bool is_module_file(const char *path)
{
	static const char *const suffixes[] = { ".ko", ".ko.gz", ".ko.xz", ".ko.zst" };

	for (size_t i = 0; i < ARRAY_LEN(suffixes); i++)
		if (strlen(path) > strlen(suffixes[i]) && ends_with(path, suffixes[i]))
			return true;
	return false;
}

static bool older(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static struct timespec dep_mtime;
static char stale_path[4096];

static int find_newer_module(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !is_module_file(path))
		return 0;
	if (older(&dep_mtime, &st->st_mtim)) {
		snprintf(stale_path, sizeof(stale_path), "%s", path);
		return 1;
	}
	return 0;
}

/*
 * libkmod resolves names and dependencies from modules.dep.bin alone; the text modules.dep is
 * what make and people read. Both must be there and newer than every module file.
 */
static int check_modules_dep(const char *moddir)
{
	static const char *const indexes[] = { "modules.dep", "modules.dep.bin" };
	char stale_index[4096] = "";
	struct stat st;

	for (size_t i = 0; i < ARRAY_LEN(indexes); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", moddir, indexes[i]);
		if (stat(path, &st) < 0) {
			fprintf(stderr,
				"%s: %s; run depmod on the tree first (see modlatch-gen(1))\n",
				path, errno_name(errno));
			return -1;
		}
		if (!stale_index[0] || older(&st.st_mtim, &dep_mtime)) {
			dep_mtime = st.st_mtim;
			snprintf(stale_index, sizeof(stale_index), "%s", path);
		}
	}
	switch (nftw(moddir, find_newer_module, 32, FTW_PHYS)) {
	case 0:
		return 0;
	case 1:
		fprintf(stderr,
			"%s: stale: %s is newer; run depmod on the tree first (see "
			"modlatch-gen(1))\n",
			stale_index, stale_path);
		return -1;
	default:
		fprintf(stderr, "%s: cannot walk: %s\n", moddir, errno_name(errno));
		return -1;
	}
}

/*
 * libkmod and load_builtin() read the indexes by their path below MODULES_DIR, which follows
 * links as the build host resolves them: an index that is a link (an absolute one above all)
 * would be read from the host, and a host's modules.builtin would make a table entry "built in"
 * without a word. The tree itself is checked to be inside the image (image_open); depmod writes
 * its indexes as regular files, so any index that is not one is refused, named.
 */
static int check_indexes(const char *moddir)
{
	static const char *const indexes[] = {
		"modules.dep",
		"modules.dep.bin",
		"modules.alias",
		"modules.alias.bin",
		"modules.symbols",
		"modules.symbols.bin",
		"modules.builtin",
		"modules.builtin.bin",
		"modules.builtin.alias.bin",
		"modules.softdep",
		"modules.weakdep",
		"modules.devname",
		"modules.builtin.modinfo",
		"modules.order",
	};
	struct stat st;
	int rc = 0;

	for (size_t i = 0; i < ARRAY_LEN(indexes); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", moddir, indexes[i]);
		if (lstat(path, &st) < 0 || S_ISREG(st.st_mode))
			continue;
		fprintf(stderr,
			"%s: %s; the generator would read it through the build host's paths, "
			"not the image's (depmod writes each index as a regular file)\n",
			path, S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
		rc = -1;
	}
	return rc;
}

static int add_builtin(struct resolver *r, const char *line)
{
	const char *base = strrchr(line, '/');

	if (append_copy(&r->builtin, &r->nbuiltin, base ? base + 1 : line) < 0)
		return -1;
	char *name = r->builtin[r->nbuiltin - 1];
	char *dot = strstr(name, ".ko");
	if (dot)
		*dot = '\0';
	normalize(name);
	return 0;
}

static int load_builtin(struct resolver *r)
{
	char *path = path_join(r->moddir, "modules.builtin");
	FILE *f = path ? fopen(path, "r") : NULL;
	char line[4096];
	int rc = 0;

	if (!f) {
		/* A kernel with nothing built in as a module may ship no modules.builtin. */
		rc = (path && errno == ENOENT) ? 0 : -1;
		if (rc < 0)
			fprintf(stderr, "%s: %s\n", path ? path : r->moddir, errno_name(errno));
		free(path);
		return rc;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			rc = add_builtin(r, line);
	}
	if (rc < 0 || ferror(f)) {
		fprintf(stderr, "%s: cannot read\n", path);
		rc = -1;
	}
	fclose(f);
	free(path);
	return rc;
}

/*
 * libkmod reports some failures only in its log: a dependency whose file is gone is logged and
 * left out of the list. Keep the message so that the caller can fail instead.
 */
static void keep_kmod_error(void *data, int priority, const char *file, int line, const char *fn,
			    const char *format, va_list args)
{
	struct resolver *r = data;

	(void)file;
	(void)line;
	(void)fn;
	if (priority <= 3 /* LOG_ERR */ && !r->kmod_error[0])
		vsnprintf(r->kmod_error, sizeof(r->kmod_error), format, args);
}

/* A libkmod message as "PATH: REASON" where it has path= and error=, else as it is. */
static void print_kmod_error(const char *module, const char *message)
{
	const char *path = strstr(message, "path=");
	const char *error = strstr(message, " error=");

	if (path && error && error > path)
		fprintf(stderr, "module %s: dependency file %.*s: %s", module,
			(int)(error - path - 5), path + 5, error + 7);
	else
		fprintf(stderr, "module %s: libkmod: %s", module, message);
	if (message[strlen(message) - 1] != '\n')
		fputc('\n', stderr);
}

int resolver_open(struct resolver *r, const char *moddir)
{
	static const char *const no_config[] = { NULL };

	memset(r, 0, sizeof(*r));
	r->moddir = strdup(moddir);
	if (!r->moddir || check_indexes(moddir) < 0 || check_modules_dep(moddir) < 0 ||
	    load_builtin(r) < 0)
		return -1;
	r->kmod = kmod_new(moddir, no_config);
	if (!r->kmod) {
		fprintf(stderr, "%s: libkmod cannot open the tree\n", moddir);
		return -1;
	}
	kmod_set_log_fn(r->kmod, keep_kmod_error, r);
	return 0;
}

/* Copies the names of a libkmod module list, then releases the list. */
static int take_names(struct kmod_list *list, char ***names, size_t *count)
{
	struct kmod_list *l;

	kmod_list_foreach (l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);
		int rc = append_copy(names, count, kmod_module_get_name(mod));
		kmod_module_unref(mod);
		if (rc < 0)
			break;
	}
	kmod_module_unref_list(list);
	return l == NULL ? 0 : -1;
}

int resolver_lookup(struct resolver *r, const char *name, char ***names, size_t *count)
{
	struct kmod_list *list = NULL;
	int err = kmod_module_new_from_lookup(r->kmod, name, &list);

	*names = NULL;
	*count = 0;
	if (err < 0) {
		fprintf(stderr, "%s: lookup of %s failed: %s\n", r->moddir, name, errno_name(-err));
		return -1;
	}
	if (take_names(list, names, count) < 0) {
		fprintf(stderr, "lookup of %s: out of memory\n", name);
		return -1;
	}
	return 0;
}

bool resolver_is_builtin(const struct resolver *r, const char *module)
{
	for (size_t i = 0; i < r->nbuiltin; i++)
		if (strcmp(r->builtin[i], module) == 0)
			return true;
	return false;
}

/* libkmod gives absolute paths under its own spelling of the tree, which may differ from ours. */
static char *relative_path(const struct resolver *r, const char *path)
{
	const char *dir = kmod_get_dirname(r->kmod);
	size_t len = strlen(dir);

	if (strncmp(path, dir, len) == 0 && path[len] == '/')
		path += len + 1;
	return strdup(path);
}

int resolver_describe(struct resolver *r, const char *module, char **relpath, char ***deps,
		      size_t *ndeps)
{
	struct kmod_module *mod;
	int err = kmod_module_new_from_name(r->kmod, module, &mod);

	*relpath = NULL;
	*deps = NULL;
	*ndeps = 0;
	r->kmod_error[0] = '\0';
	if (err < 0) {
		fprintf(stderr, "module %s: %s\n", module, errno_name(-err));
		return -1;
	}
	const char *path = kmod_module_get_path(mod);
	if (!path) {
		fprintf(stderr, "module %s: not in %s/modules.dep\n", module, r->moddir);
		kmod_module_unref(mod);
		return -1;
	}
	*relpath = relative_path(r, path);
	bool complete = take_names(kmod_module_get_dependencies(mod), deps, ndeps) == 0 && *relpath;
	kmod_module_unref(mod);
	if (!complete)
		fprintf(stderr, "module %s: out of memory\n", module);
	else if (r->kmod_error[0])
		print_kmod_error(module, r->kmod_error);
	return complete && !r->kmod_error[0] ? 0 : -1;
}

int resolver_softdeps(struct resolver *r, const char *module, char ***pre, size_t *npre,
		      char ***post, size_t *npost)
{
	struct kmod_module *mod;
	struct kmod_list *pre_list = NULL, *post_list = NULL;
	int err = kmod_module_new_from_name(r->kmod, module, &mod);

	*pre = *post = NULL;
	*npre = *npost = 0;
	if (err == 0) {
		err = kmod_module_get_softdeps(mod, &pre_list, &post_list);
		kmod_module_unref(mod);
	}
	if (err < 0) {
		fprintf(stderr, "module %s: softdeps: %s\n", module, errno_name(-err));
		return -1;
	}
	int rc = take_names(pre_list, pre, npre);
	if (take_names(post_list, post, npost) < 0 || rc < 0) {
		fprintf(stderr, "module %s: out of memory\n", module);
		return -1;
	}
	return 0;
}

static int keep_info(struct modinfo *info, const char *key, const char *value)
{
	if (strcmp(key, "vermagic") == 0 && !info->vermagic)
		return (info->vermagic = strdup(value)) ? 0 : -1;
	if (strcmp(key, "weakdep") != 0)
		return 0;
	return append_copy(&info->weakdeps, &info->nweakdeps, value);
}

int resolver_modinfo(struct resolver *r, int fd, const char *module, struct modinfo *info)
{
	struct kmod_module *mod;
	struct kmod_list *list = NULL, *l;
	char path[64];
	int rc = 0;

	memset(info, 0, sizeof(*info));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int err = kmod_module_new_from_path(r->kmod, path, &mod);
	if (err == 0) {
		err = kmod_module_get_info(mod, &list);
		kmod_module_unref(
			mod); /* out of libkmod's pool: the next fd may reuse the number */
	}
	if (err < 0) {
		fprintf(stderr, "module %s: cannot read its .modinfo: %s\n", module,
			errno_name(-err));
		return -1;
	}
	kmod_list_foreach (l, list)
		if (rc == 0)
			rc = keep_info(info, kmod_module_info_get_key(l),
				       kmod_module_info_get_value(l));
	kmod_module_info_free_list(list);
	if (rc < 0)
		fprintf(stderr, "module %s: out of memory\n", module);
	return rc;
}

void resolver_free_modinfo(struct modinfo *info)
{
	free(info->vermagic);
	resolver_free_names(info->weakdeps, info->nweakdeps);
	memset(info, 0, sizeof(*info));
}

void resolver_free_names(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

void resolver_close(struct resolver *r)
{
	if (r->kmod)
		kmod_unref(r->kmod);
	resolver_free_names(r->builtin, r->nbuiltin);
	free(r->moddir);
	memset(r, 0, sizeof(*r));
}
