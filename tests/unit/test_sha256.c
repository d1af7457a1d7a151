/* SPDX-License-Identifier: MIT */
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

static const struct unit_test sha256_tests[] = {
	{ "sha256 matches the NIST vectors", matches_the_nist_vectors },
	{ "sha256 hashes a million 'a' fed in odd pieces", hashes_a_million_a_fed_in_odd_pieces },
	{ "sha256 pads every length near a block edge", pads_every_length_near_a_block_edge },
	{ "sha256 hashes through a descriptor, and fails on a closed one",
	  hashes_through_a_descriptor },
	{ NULL, NULL },
};
UNIT_SUITE(sha256_tests)
