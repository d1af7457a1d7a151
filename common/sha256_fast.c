/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 blocks with the instructions some CPUs have for it, chosen at run time: the x86 SHA
 * extensions (sha256rnds2, sha256msg1, sha256msg2) and the ARMv8 crypto extensions (sha256h,
 * sha256h2, sha256su0, sha256su1). Each function carries its instruction set as a target
 * attribute, so the same binary runs on CPUs without them and takes the portable code there.
 * Both work on four message words at a time: group g of the 16 covers rounds 4g to 4g+3, and
 * m[g % 4] holds its words, computed from the four groups before it from group 4 on.
 */
#include "sha256.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

#define FAST_NAME "sha-ni"

/* The instructions keep the state as ABEF and CDGH, each word in one 32-bit lane. */
__attribute__((target("sha,sse4.1"))) static void
blocks_fast(uint32_t state[8], const unsigned char *data, size_t blocks)
{
	const __m128i big_endian = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)state), 0xb1);
	__m128i hgfe = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(state + 4)), 0x1b);
	__m128i abef = _mm_alignr_epi8(dcba, hgfe, 8), cdgh = _mm_blend_epi16(hgfe, dcba, 0xf0);

	for (; blocks; blocks--, data += 64) {
		__m128i m[4], abef_before = abef, cdgh_before = cdgh;
		for (int g = 0; g < 16; g++) {
			if (g < 4)
				m[g] = _mm_shuffle_epi8(
					_mm_loadu_si128((const __m128i *)(data + 16 * g)),
					big_endian);
			else
				m[g % 4] = _mm_sha256msg2_epu32(
					_mm_add_epi32(
						_mm_sha256msg1_epu32(m[g % 4], m[(g + 1) % 4]),
						_mm_alignr_epi8(m[(g + 3) % 4], m[(g + 2) % 4], 4)),
					m[(g + 3) % 4]);
			__m128i wk = _mm_add_epi32(
				m[g % 4],
				_mm_loadu_si128((const __m128i *)&sha256_round_constants[4 * g]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0e));
		}
		abef = _mm_add_epi32(abef, abef_before);
		cdgh = _mm_add_epi32(cdgh, cdgh_before);
	}
	__m128i feba = _mm_shuffle_epi32(abef, 0x1b);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
	_mm_storeu_si128((__m128i *)state, _mm_blend_epi16(feba, dchg, 0xf0));
	_mm_storeu_si128((__m128i *)(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}

static int has_fast(void)
{
	unsigned a, b, c, d;

	/* SSSE3 and SSE4.1 (leaf 1, ecx bits 9 and 19) for the shuffles, SHA (leaf 7, ebx bit 29).
	 */
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19)))
		return 0;
	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}

#elif defined(__aarch64__) && defined(__GNUC__)
#include <arm_neon.h>
#include <sys/auxv.h>

#define FAST_NAME    "armv8-ce"

/* AT_HWCAP's bit for the SHA-256 instructions (arch/arm64/include/uapi/asm/hwcap.h). */
#define HWCAP_SHA256 (1ul << 6)

__attribute__((target("+crypto"))) static void blocks_fast(uint32_t state[8],
							   const unsigned char *data, size_t blocks)
{
	uint32x4_t abcd = vld1q_u32(state), efgh = vld1q_u32(state + 4);

	for (; blocks; blocks--, data += 64) {
		uint32x4_t m[4], abcd_before = abcd, efgh_before = efgh;
		for (int g = 0; g < 16; g++) {
			if (g < 4)
				m[g] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(data + 16 * g)));
			else
				m[g % 4] =
					vsha256su1q_u32(vsha256su0q_u32(m[g % 4], m[(g + 1) % 4]),
							m[(g + 2) % 4], m[(g + 3) % 4]);
			uint32x4_t wk =
				vaddq_u32(m[g % 4], vld1q_u32(&sha256_round_constants[4 * g]));
			uint32x4_t abcd_then = abcd;
			abcd = vsha256hq_u32(abcd, efgh, wk);
			efgh = vsha256h2q_u32(efgh, abcd_then, wk);
		}
		abcd = vaddq_u32(abcd, abcd_before);
		efgh = vaddq_u32(efgh, efgh_before);
	}
	vst1q_u32(state, abcd);
	vst1q_u32(state + 4, efgh);
}

static int has_fast(void)
{
	return (getauxval(AT_HWCAP) & HWCAP_SHA256) != 0;
}

#else
#define FAST_NAME   "portable"
#define blocks_fast sha256_blocks_portable
static int has_fast(void)
{
	return 0;
}
#endif

const char *sha256_use_fastest(void)
{
	if (!has_fast())
		return "portable";
	sha256_blocks = blocks_fast;
	return FAST_NAME;
}
