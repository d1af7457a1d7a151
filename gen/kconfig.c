/* SPDX-License-Identifier: MIT */
/* The target kernel's build configuration (its /boot/config-<release>), as far as the generator
 * and the audit ask it: which options are set, and to what. */
#include "kconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errname.h"
#include "table.h"
#include "util.h"

int kconfig_load(const char *path, struct kconfig *config)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	memset(config, 0, sizeof(*config));
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, errno_name(errno));
		return -1;
	}
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "CONFIG_", 7) != 0 || !strchr(line, '='))
			continue;
		if (append_copy(&config->lines, &config->len, line) < 0) {
			fprintf(stderr, "%s: out of memory\n", path);
			rc = -1;
		}
	}
	if (rc == 0 && ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		rc = -1;
	}
	free(line);
	fclose(f);
	if (rc < 0)
		kconfig_free(config);
	return rc;
}

const char *kconfig_value(const struct kconfig *config, const char *option)
{
	size_t n = strlen(option);

	for (size_t i = 0; i < config->len; i++)
		if (strncmp(config->lines[i], option, n) == 0 && config->lines[i][n] == '=')
			return config->lines[i] + n + 1;
	return NULL;
}

bool kconfig_enabled(const struct kconfig *config, const char *option)
{
	const char *value = kconfig_value(config, option);

	return value && strcmp(value, "y") == 0;
}

/* The kernel decompresses with the one algorithm its build compressed modules with. */
const char *kconfig_missing_decompress(const struct kconfig *config, unsigned compression)
{
	static const char *const option[] = {
		[ML_COMP_GZIP] = "CONFIG_MODULE_COMPRESS_GZIP",
		[ML_COMP_XZ] = "CONFIG_MODULE_COMPRESS_XZ",
		[ML_COMP_ZSTD] = "CONFIG_MODULE_COMPRESS_ZSTD",
	};

	if (compression == ML_COMP_NONE)
		return NULL;
	if (!kconfig_enabled(config, "CONFIG_MODULE_DECOMPRESS"))
		return "CONFIG_MODULE_DECOMPRESS";
	if (!kconfig_enabled(config, option[compression]))
		return option[compression];
	return NULL;
}

void kconfig_free(struct kconfig *config)
{
	for (size_t i = 0; i < config->len; i++)
		free(config->lines[i]);
	free(config->lines);
	memset(config, 0, sizeof(*config));
}
