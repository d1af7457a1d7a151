/* SPDX-License-Identifier: MIT */
/*
 * Checking a module file against its pin, through a descriptor: the one the shim then hands to
 * finit_module. Boot and `modlatch --verify` (and so the Buildroot image check) use the same
 * check, so they cannot disagree.
 */
#ifndef MODLATCH_FILEHASH_H
#define MODLATCH_FILEHASH_H

#include "sha256.h"

/* Hashes what fd reads until end of file; 0, or -1 with errno set. */
int sha256_fd(int fd, unsigned char digest[SHA256_DIGEST_LEN], unsigned long long *size);

/* Where a pin check stopped. */
enum pin_check {
	PIN_OK,
	PIN_OPEN,	 /* errno says why */
	PIN_NOT_REGULAR, /* a FIFO, a device, a directory...: never read */
	PIN_SIZE,	 /* not the pinned size: never hashed */
	PIN_READ,	 /* errno says why */
	PIN_SHA256,
};

/*
 * Opens path and checks it against its pin: a regular file, of the pinned size, with the pinned
 * SHA-256. The open never blocks (a FIFO at a module path must not hang PID 1) and nothing is
 * read before the type and size are right. The file is read once, and what is returned when it
 * matches is not the file but a memfd that holds exactly the bytes that were hashed, sealed
 * against any change (F_SEAL_WRITE, GROW, SHRINK and SEAL): what finit_module then reads is
 * what was checked, whatever happens to the file (a process that rewrites it between the hash
 * and the load). Else -1, with *check saying where it stopped (and errno set for PIN_OPEN and
 * PIN_READ). *actual is the size found.
 */
int pin_open(const char *path, unsigned long long size,
	     const unsigned char sha256[SHA256_DIGEST_LEN], enum pin_check *check,
	     unsigned long long *actual);

#endif
