/* SPDX-License-Identifier: MIT */
/* The target kernel's build configuration: "CONFIG_X=value" lines, read once. */
#ifndef MODLATCH_KCONFIG_H
#define MODLATCH_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct kconfig {
	char **lines; /* "CONFIG_X=value" */
	size_t len;
};

int kconfig_load(const char *path, struct kconfig *config);
/* The value of option ("CONFIG_X") or NULL when unset. */
const char *kconfig_value(const struct kconfig *config, const char *option);
/* Whether option is set to y. */
bool kconfig_enabled(const struct kconfig *config, const char *option);
/* NULL when the kernel can decompress this compression, else what it lacks. */
const char *kconfig_missing_decompress(const struct kconfig *config, unsigned compression);
void kconfig_free(struct kconfig *config);

#endif
