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

void resolver_free_names(char **names, size_t count);
void resolver_close(struct resolver *r);

#endif
