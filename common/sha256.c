/* SPDX-License-Identifier: MIT */
#include "sha256.h"

#include <string.h>

const uint32_t sha256_round_constants[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * Whole 64-byte blocks. The eight working variables stay in locals that trade places each round
 * (h = g, g = f, ...); an array shifted with memmove made hashing sixteen times slower. The
 * message schedule is computed as the rounds need it, in a ring of 16 words: against 64 words
 * filled first, some 90 bytes smaller at -Os and about 10% faster.
 */
void sha256_blocks_portable(uint32_t state[8], const unsigned char *data, size_t blocks)
{
	for (; blocks; blocks--, data += 64) {
		uint32_t w[16];
		uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
		uint32_t e = state[4], f = state[5], g = state[6], h = state[7];

		for (int i = 0; i < 64; i++) {
			uint32_t x;
			if (i < 16) {
				x = load_be32(data + 4 * i);
			} else { /* W[i-16] + s0(W[i-15]) + W[i-7] + s1(W[i-2]) */
				uint32_t y = w[(i + 1) & 15], z = w[(i + 14) & 15];
				x = w[i & 15] + (rotr(y, 7) ^ rotr(y, 18) ^ (y >> 3)) +
				    w[(i + 9) & 15] + (rotr(z, 17) ^ rotr(z, 19) ^ (z >> 10));
			}
			w[i & 15] = x;
			uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
				      ((e & f) ^ (~e & g)) + sha256_round_constants[i] + x;
			uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) +
				      ((a & b) ^ (a & c) ^ (b & c));
			h = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		uint32_t v[8] = { a, b, c, d, e, f, g, h };
		for (int i = 0; i < 8; i++)
			state[i] += v[i];
	}
}

sha256_blocks_fn *sha256_blocks = sha256_blocks_portable;

void sha256_init(struct sha256 *ctx)
{
	static const uint32_t initial[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(ctx->state, initial, sizeof(initial));
	ctx->length = 0;
	ctx->used = 0;
}

void sha256_update(struct sha256 *ctx, const void *data, size_t len)
{
	const unsigned char *p = data;

	ctx->length += len;
	while (len) {
		size_t take = 64 - ctx->used < len ? 64 - ctx->used : len;
		if (ctx->used == 0 && len >= 64) {
			take = len / 64 * 64; /* whole blocks, straight from the caller's buffer */
			sha256_blocks(ctx->state, p, len / 64);
		} else {
			memcpy(ctx->block + ctx->used, p, take);
			ctx->used += take;
		}
		if (ctx->used == 64) {
			sha256_blocks(ctx->state, ctx->block, 1);
			ctx->used = 0;
		}
		p += take;
		len -= take;
	}
}

/* The padding is 0x80, zeros up to 8 bytes before a block's end, and the length in bits. */
void sha256_final(struct sha256 *ctx, unsigned char digest[SHA256_DIGEST_LEN])
{
	unsigned char pad[64 + 8] = { 0x80 };
	size_t zeros_to = ctx->used < 56 ? 56 : 64 + 56;
	uint64_t bits = ctx->length * 8;

	for (int i = 0; i < 8; i++)
		pad[zeros_to - ctx->used + i] = bits >> (56 - 8 * i);
	sha256_update(ctx, pad, zeros_to - ctx->used + 8);
	for (int i = 0; i < 8; i++)
		store_be32(digest + 4 * i, ctx->state[i]);
}
