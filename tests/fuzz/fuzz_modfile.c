/* SPDX-License-Identifier: MIT */
/*
 * Module files: modlatch-gen pins a file only when its name's suffix and its magic bytes
 * agree, and the pinned size and SHA-256 are what the shim will hash at boot. The input's first
 * byte picks the suffix, the rest is the file.
 */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array_len.h"
#include "modfile.h"
#include "sha256.h"
#include "table.h"

static const struct {
	const char *suffix;
	unsigned compression;
	const char *magic;
	size_t len;
} kinds[] = {
	/* Octal, so that no hex escape runs into the letters after it. */
	{ ".ko", ML_COMP_NONE, "\177ELF", 4 },
	{ ".ko.gz", ML_COMP_GZIP, "\037\213", 2 },
	{ ".ko.xz", ML_COMP_XZ, "\3757zXZ\0", 6 },
	{ ".ko.zst", ML_COMP_ZSTD, "\050\265\057\375", 4 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4200];
	struct modfile facts;
	unsigned char digest[SHA256_DIGEST_LEN];
	struct sha256 ctx;

	if (size == 0)
		return 0;
	unsigned k = data[0] % ARRAY_LEN(kinds);
	data++, size--;
	snprintf(path, sizeof(path), "%s/module%s", fuzz_tmpdir(), kinds[k].suffix);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	close(fd);

	FUZZ_CHECK(modfile_compression_of(path) == kinds[k].compression);
	bool magic_ok = size >= kinds[k].len && memcmp(data, kinds[k].magic, kinds[k].len) == 0;
	int rc = modfile_read(path, &facts);
	FUZZ_CHECK(rc == (magic_ok ? 0 : -1));
	if (rc < 0)
		return 0;
	sha256_init(&ctx);
	sha256_update(&ctx, data, size);
	sha256_final(&ctx, digest);
	FUZZ_CHECK(facts.size == size);
	FUZZ_CHECK(facts.compression == kinds[k].compression);
	FUZZ_CHECK(memcmp(facts.sha256, digest, sizeof(digest)) == 0);
	return 0;
}
