/* SPDX-License-Identifier: MIT */
/*
 * How fast each SHA-256 path hashes one buffer (64 MiB unless argv[1] says how many MiB): the
 * best of three runs per path, so that a neighbour's load on a shared machine counts less.
 * Exits 1 if the two paths disagree on the digest. Built and run by make bench (tests/bench.sh),
 * natively and under QEMU's user mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"

#define MIB (1024 * 1024)

static double seconds_to_hash(const unsigned char *buf, size_t len, unsigned char digest[32])
{
	struct timespec t0, t1;
	struct sha256 ctx;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	sha256_init(&ctx);
	sha256_update(&ctx, buf, len);
	sha256_final(&ctx, digest);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	unsigned char *buf = mib ? malloc(mib * MIB) : NULL, digest[2][32];

	if (!buf) {
		fprintf(stderr, "sha256-speed: cannot have a buffer of %zu MiB\n", mib);
		return 2;
	}
	for (size_t i = 0; i < mib * MIB; i++)
		buf[i] = (unsigned char)(i * 31 + (i >> 13));
	for (int path = 0; path < 2; path++) {
		const char *name = "portable";
		double best = 0;
		sha256_blocks = sha256_blocks_portable;
		if (path == 1)
			name = sha256_use_fastest();
		for (int run = 0; run < 3; run++) {
			double s = seconds_to_hash(buf, mib * MIB, digest[path]);
			best = run == 0 || s < best ? s : best;
		}
		printf("sha256 %-8s %zu MiB in %.3f s: %.0f MB/s\n", name, mib, best,
		       (double)(mib * MIB) / best / 1e6);
	}
	free(buf);
	if (memcmp(digest[0], digest[1], 32) != 0) {
		fprintf(stderr, "sha256-speed: the two paths gave different digests\n");
		return 1;
	}
	return 0;
}
