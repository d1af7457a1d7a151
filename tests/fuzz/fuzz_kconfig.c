/* SPDX-License-Identifier: MIT */
/*
 * Kernel configs: kconfig_load, then kconfig_value and kconfig_missing_decompress, checked
 * against a plain reading of the same bytes: a .config is lines, "CONFIG_X=value" sets X, the
 * first assignment is the one that counts (as kconfig_value documents), anything else is
 * ignored, and a NUL ends what a line says.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "array_len.h"
#include "kconfig.h"
#include "modfile.h"
#include "table.h"

/* Options whose values the generator and the audit act on. */
static const char *const asked[] = {
	"CONFIG_MODULE_DECOMPRESS",
	"CONFIG_MODULE_COMPRESS_GZIP",
	"CONFIG_MODULE_COMPRESS_XZ",
	"CONFIG_MODULE_COMPRESS_ZSTD",
	"CONFIG_MODPROBE_PATH",
	"CONFIG_STATIC_USERMODEHELPER",
	"CONFIG_UEVENT_HELPER_PATH",
	"CONFIG_",
	"CONFIG",
	"",
};

/* Checking every option of a long input against every line would be quadratic. */
#define MAX_OPTIONS 64

/* The value the first line "option=..." of data gives, up to its newline or NUL. */
static const uint8_t *expected_value(const uint8_t *data, size_t size, const char *option,
				     size_t *len)
{
	const uint8_t *p = data, *end = data + size;
	size_t n = strlen(option);

	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const uint8_t *nul = memchr(p, '\0', l);
		if (nul)
			l = (size_t)(nul - p);
		if (l > n && memcmp(p, option, n) == 0 && p[n] == '=' && l >= 7 &&
		    memcmp(p, "CONFIG_", 7) == 0) {
			*len = l - n - 1;
			return p + n + 1;
		}
		p += (nl ? (size_t)(nl - p) + 1 : (size_t)(end - p));
	}
	return NULL;
}

static void check_option(const struct kconfig *c, const uint8_t *data, size_t size,
			 const char *option)
{
	size_t len;
	const uint8_t *want = expected_value(data, size, option, &len);
	const char *got = kconfig_value(c, option);

	FUZZ_CHECK((want == NULL) == (got == NULL));
	FUZZ_CHECK(!got || (strlen(got) == len && memcmp(got, want, len) == 0));
}

static bool on(const struct kconfig *c, const char *option)
{
	const char *v = kconfig_value(c, option);

	return v && strcmp(v, "y") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const compress[] = {
		[ML_COMP_GZIP] = "CONFIG_MODULE_COMPRESS_GZIP",
		[ML_COMP_XZ] = "CONFIG_MODULE_COMPRESS_XZ",
		[ML_COMP_ZSTD] = "CONFIG_MODULE_COMPRESS_ZSTD",
	};
	struct kconfig c;

	/* A readable file always loads: what is not an assignment is skipped, not an error. */
	FUZZ_CHECK(kconfig_load(fuzz_path_of(data, size), &c) == 0);
	for (size_t i = 0; i < c.len; i++) {
		FUZZ_CHECK(strncmp(c.lines[i], "CONFIG_", 7) == 0 && strchr(c.lines[i], '='));
		if (i >= MAX_OPTIONS)
			continue;
		char *option = strdup(c.lines[i]);
		FUZZ_CHECK(option != NULL);
		*strchr(option, '=') = '\0';
		check_option(&c, data, size, option);
		free(option);
	}
	for (size_t i = 0; i < ARRAY_LEN(asked); i++)
		check_option(&c, data, size, asked[i]);

	FUZZ_CHECK(kconfig_missing_decompress(&c, ML_COMP_NONE) == NULL);
	for (unsigned comp = ML_COMP_GZIP; comp <= ML_COMP_ZSTD; comp++) {
		const char *lacks = kconfig_missing_decompress(&c, comp);
		const char *want = !on(&c, "CONFIG_MODULE_DECOMPRESS") ? "CONFIG_MODULE_DECOMPRESS"
				   : !on(&c, compress[comp])	       ? compress[comp]
								       : NULL;
		FUZZ_CHECK(want ? lacks && strcmp(lacks, want) == 0 : lacks == NULL);
	}
	kconfig_free(&c);
	FUZZ_CHECK(c.lines == NULL && c.len == 0);
	return 0;
}
