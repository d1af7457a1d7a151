/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), shared by modlatch-gen and the shim: both must agree bit for bit. */
#ifndef MODLATCH_SHA256_H
#define MODLATCH_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32

struct sha256 {
	uint32_t state[8];
	uint64_t length;
	unsigned char block[64];
	size_t used;
};

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);
void sha256_final(struct sha256 *ctx, unsigned char digest[SHA256_DIGEST_LEN]);

#endif
