/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "filehash.h"
#include "sha256.h"

static void hex(const unsigned char *digest, char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", digest[i]);
}

static void check_digest(const void *data, size_t len, const char *expected)
{
	struct sha256 ctx;
	unsigned char digest[32];
	char text[65];

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, digest);
	hex(digest, text);
	CHECK_STR(text, expected);
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf"), and the empty message. */
static void matches_the_nist_vectors(void)
{
	check_digest("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_digest("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_digest(two_blocks, strlen(two_blocks),
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void hashes_a_million_a_fed_in_odd_pieces(void)
{
	static char a[1000000];
	struct sha256 ctx;
	unsigned char digest[32];
	char text[65];

	memset(a, 'a', sizeof(a));
	sha256_init(&ctx);
	for (size_t done = 0, piece = 1; done < sizeof(a); piece = piece * 3 % 1009 + 1) {
		size_t n = piece < sizeof(a) - done ? piece : sizeof(a) - done;
		sha256_update(&ctx, a + done, n);
		done += n;
	}
	sha256_final(&ctx, digest);
	hex(digest, text);
	CHECK_STR(text, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the 55/56/64-byte padding edges must agree with one-shot hashing. */
static void pads_every_length_near_a_block_edge(void)
{
	unsigned char data[130], one[32], split[32];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7);
	for (size_t len = 50; len <= 130; len++) {
		struct sha256 a, b;
		sha256_init(&a);
		sha256_update(&a, data, len);
		sha256_final(&a, one);
		sha256_init(&b);
		sha256_update(&b, data, len / 3);
		sha256_update(&b, data + len / 3, len - len / 3);
		sha256_final(&b, split);
		CHECK(memcmp(one, split, 32) == 0);
	}
}

static void hashes_through_a_descriptor(void)
{
	char path[] = "/tmp/modlatch-unit-XXXXXX";
	int fd = mkstemp(path);
	unsigned char digest[32];
	unsigned long long size = 0;
	char text[65];

	CHECK(fd >= 0);
	CHECK(write(fd, "abc", 3) == 3);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(sha256_fd(fd, digest, &size) == 0);
	hex(digest, text);
	CHECK(size == 3);
	CHECK_STR(text, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	close(fd);
	unlink(path);
	CHECK(sha256_fd(fd, digest, &size) < 0);
}

/* Runs test with the portable block function, then with the fastest this CPU has. */
static void on_both_paths(void (*test)(void))
{
	sha256_blocks = sha256_blocks_portable;
	test();
	sha256_use_fastest();
	test();
	sha256_blocks = sha256_blocks_portable;
}

static void nist_vectors_on_both_paths(void)
{
	on_both_paths(matches_the_nist_vectors);
}

static void a_million_a_on_both_paths(void)
{
	on_both_paths(hashes_a_million_a_fed_in_odd_pieces);
}

static void block_edges_on_both_paths(void)
{
	on_both_paths(pads_every_length_near_a_block_edge);
}

/* Every length up to 17 blocks, at every alignment of a word, gives one digest on both paths. */
static void the_fast_path_agrees_with_the_portable_one(void)
{
	static unsigned char data[17 * 64 + 8];
	unsigned char portable[32], fast[32];
	unsigned mismatches = 0;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 131 + (i >> 5));
	for (size_t offset = 0; offset < 4; offset++)
		for (size_t len = 0; len + offset <= 17 * 64; len++) {
			struct sha256 ctx;
			sha256_blocks = sha256_blocks_portable;
			sha256_init(&ctx);
			sha256_update(&ctx, data + offset, len);
			sha256_final(&ctx, portable);
			sha256_use_fastest();
			sha256_init(&ctx);
			sha256_update(&ctx, data + offset, len);
			sha256_final(&ctx, fast);
			mismatches += memcmp(portable, fast, 32) != 0;
		}
	sha256_blocks = sha256_blocks_portable;
	CHECK(mismatches == 0);
}

/*
 * What the CPU has, as MODLATCH_EXPECT_SHA256 says (set where the CPU is emulated), else as
 * /proc/cpuinfo's flags say: sha_ni on x86, sha2 on arm64.
 */
static const char *expected_implementation(void)
{
	const char *expected = getenv("MODLATCH_EXPECT_SHA256");
	static char line[4096];
	FILE *in = fopen("/proc/cpuinfo", "r");
	bool x86_sha = false, arm_sha = false;

	while (!expected && in && fgets(line, sizeof(line), in)) {
		x86_sha |= strncmp(line, "flags", 5) == 0 && strstr(line, " sha_ni") != NULL;
		arm_sha |= strncmp(line, "Features", 8) == 0 && strstr(line, " sha2") != NULL;
	}
	if (in)
		fclose(in);
	return expected ? expected : x86_sha ? "sha-ni" : arm_sha ? "armv8-ce" : "portable";
}

static void uses_the_cpus_sha256_instructions_where_it_has_them(void)
{
	CHECK_STR(sha256_use_fastest(), expected_implementation());
	sha256_blocks = sha256_blocks_portable;
}

static const struct unit_test sha256_tests[] = {
	{ "sha256 matches the NIST vectors, portable and fast", nist_vectors_on_both_paths },
	{ "sha256 hashes a million 'a' fed in odd pieces, portable and fast",
	  a_million_a_on_both_paths },
	{ "sha256 pads every length near a block edge, portable and fast",
	  block_edges_on_both_paths },
	{ "sha256's fast path agrees with the portable one at every length and alignment",
	  the_fast_path_agrees_with_the_portable_one },
	{ "sha256 uses the CPU's SHA-256 instructions where it has them",
	  uses_the_cpus_sha256_instructions_where_it_has_them },
	{ "sha256 hashes through a descriptor, and fails on a closed one",
	  hashes_through_a_descriptor },
	{ NULL, NULL },
};
UNIT_SUITE(sha256_tests)
