/* What the generator pins about one module file, and whether the target kernel can load it. */
#ifndef MODLATCH_MODFILE_H
#define MODLATCH_MODFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "sha256.h"

struct modfile {
	unsigned long long size;
	unsigned char sha256[SHA256_DIGEST_LEN];
	unsigned compression; /* enum ml_compression */
};

/* Size, digest and compression of path; the suffix must agree with the file's magic bytes. */
int modfile_read(const char *path, struct modfile *facts);

/* The compression a module file name implies. */
unsigned modfile_compression_of(const char *path);

struct kconfig {
	char **lines; /* "CONFIG_X=value" */
	size_t len;
};

int kconfig_load(const char *path, struct kconfig *config);
/* The value of option ("CONFIG_X") or NULL when unset. */
const char *kconfig_value(const struct kconfig *config, const char *option);
/* NULL when the kernel can decompress this compression, else what it lacks. */
const char *kconfig_missing_decompress(const struct kconfig *config, unsigned compression);
void kconfig_free(struct kconfig *config);

#endif
