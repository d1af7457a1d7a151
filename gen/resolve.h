/* SPDX-License-Identifier: MIT */
/* Names, aliases and dependencies of the target's modules tree, through libkmod. */
#ifndef MODLATCH_RESOLVE_H
#define MODLATCH_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

struct kmod_ctx;

struct resolver {
	struct kmod_ctx *kmod;
	char *moddir;
	char **builtin;
	size_t nbuiltin;
	char kmod_error[512]; /* the last error libkmod logged, "" if none */
};

/*
 * Opens the tree <root>/lib/modules/<release>. modules.dep.bin (what libkmod reads) and
 * modules.dep must be there and newer than every module file: a stale index would give wrong
 * dependencies, so this stops and says to run depmod.
 * The host's modprobe.d is never read.
 */
int resolver_open(struct resolver *r, const char *moddir);

/* Module names for a name or alias, in libkmod's order; *count is 0 when none matches. */
int resolver_lookup(struct resolver *r, const char *name, char ***names, size_t *count);

bool resolver_is_builtin(const struct resolver *r, const char *module);

/* The module's file relative to the tree, and every module it needs (from modules.dep). */
int resolver_describe(struct resolver *r, const char *module, char **relpath, char ***deps,
		      size_t *ndeps);

/*
 * The module's softdeps as libkmod reads them from modules.softdep (depmod writes it from the
 * modules' "softdep=" fields): module names, each alias already resolved.
 */
int resolver_softdeps(struct resolver *r, const char *module, char ***pre, size_t *npre,
		      char ***post, size_t *npost);

/* What a module file's .modinfo says, as far as the generator checks it. */
struct modinfo {
	char *vermagic;	 /* "6.1.0-56-cloud-amd64 SMP preempt ..."; NULL when absent */
	char **weakdeps; /* "weakdep=" names, as written (module names or aliases) */
	size_t nweakdeps;
};

/*
 * Reads the .modinfo of the module file open at fd: libkmod reads it through /proc/self/fd, so
 * it is the same file that was hashed, compressed or not.
 */
int resolver_modinfo(struct resolver *r, int fd, const char *module, struct modinfo *info);
void resolver_free_modinfo(struct modinfo *info);

void resolver_free_names(char **names, size_t count);
void resolver_close(struct resolver *r);

#endif
