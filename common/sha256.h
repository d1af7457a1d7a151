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

/* K, the 64 round constants of FIPS 180-4, shared by every block function. */
extern const uint32_t sha256_round_constants[64];

/* Hashes blocks whole 64-byte blocks of data into state. */
typedef void sha256_blocks_fn(uint32_t state[8], const unsigned char *data, size_t blocks);

/* The portable block function, in C alone. */
void sha256_blocks_portable(uint32_t state[8], const unsigned char *data, size_t blocks);

/*
 * The block function every hash uses: the portable one until sha256_use_fastest() (sha256_fast.c)
 * picks what the CPU offers. Set before any thread hashes, then only read.
 */
extern sha256_blocks_fn *sha256_blocks;

/*
 * Picks the fastest block function this CPU runs: the x86 SHA extensions, the ARMv8 crypto
 * extensions, else the portable code. Returns its name: "sha-ni", "armv8-ce" or "portable".
 */
const char *sha256_use_fastest(void);

void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *data, size_t len);
void sha256_final(struct sha256 *ctx, unsigned char digest[SHA256_DIGEST_LEN]);

#endif
