#include "modfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errname.h"
#include "filehash.h"
#include "table.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t len = strlen(s), n = strlen(suffix);

	return len >= n && strcmp(s + len - n, suffix) == 0;
}

unsigned modfile_compression_of(const char *path)
{
	if (ends_with(path, ".gz"))
		return ML_COMP_GZIP;
	if (ends_with(path, ".xz"))
		return ML_COMP_XZ;
	if (ends_with(path, ".zst"))
		return ML_COMP_ZSTD;
	return ML_COMP_NONE;
}

static const struct {
	unsigned char bytes[6];
	size_t len;
} magic[] = {
	[ML_COMP_NONE] = { { 0x7f, 'E', 'L', 'F' }, 4 },
	[ML_COMP_GZIP] = { { 0x1f, 0x8b }, 2 },
	[ML_COMP_XZ] = { { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
	[ML_COMP_ZSTD] = { { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
};

int modfile_read(const char *path, struct modfile *facts)
{
	unsigned char head[6] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, errno_name(errno));
		return -1;
	}
	memset(facts, 0, sizeof(*facts));
	facts->compression = modfile_compression_of(path);
	int failed = sha256_fd(fd, facts->sha256, &facts->size) < 0 ||
		     pread(fd, head, sizeof(head), 0) < 0;
	int saved = errno;
	close(fd);
	if (failed) {
		fprintf(stderr, "%s: read: %s\n", path, errno_name(saved));
		return -1;
	}
	const size_t n = magic[facts->compression].len;
	if (facts->size < n || memcmp(head, magic[facts->compression].bytes, n) != 0) {
		fprintf(stderr, "%s: contents are not %s\n", path,
			facts->compression == ML_COMP_NONE
				? "an ELF object"
				: ml_compression_name(facts->compression));
		return -1;
	}
	return 0;
}

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
		char **grown = realloc(config->lines, (config->len + 1) * sizeof(*grown));
		char *copy = grown ? strdup(line) : NULL;
		if (grown)
			config->lines = grown;
		if (!copy) {
			fprintf(stderr, "%s: out of memory\n", path);
			rc = -1;
		} else {
			config->lines[config->len++] = copy;
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

static bool enabled(const struct kconfig *config, const char *option)
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
	if (!enabled(config, "CONFIG_MODULE_DECOMPRESS"))
		return "CONFIG_MODULE_DECOMPRESS";
	if (!enabled(config, option[compression]))
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
