/* SPDX-License-Identifier: MIT */
/* What the generator pins about one module file, and whether the target kernel can load it. */
#ifndef MODLATCH_MODFILE_H
#define MODLATCH_MODFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "sha256.h"

struct modfile {
	unsigned long long size;
	unsigned char sha256[SHA256_DIGEST_LEN];
	unsigned compression; /* enum ml_compression */
};

/* Size, digest and compression of path; the suffix must agree with the file's magic bytes. */
int modfile_read(const char *path, struct modfile *facts);
/* The same for the file open at fd; name (whose suffix gives the compression) is for messages. */
int modfile_read_fd(int fd, const char *name, struct modfile *facts);

/*
 * Opens path (relative to root, a directory descriptor) for reading as the target resolves it
 * with root as "/": absolute and relative links and ".." stay inside root (openat2 with
 * RESOLVE_IN_ROOT, Linux 5.6+), so a link in an image never reaches a file of the build host.
 * -1 with errno set; ENOSYS when the running kernel has no openat2.
 */
int modfile_open_in_root(int rootfd, const char *path, int flags);

/* The compression a module file name implies. */
unsigned modfile_compression_of(const char *path);

/* The target's image as the generator reads it: module files are opened inside root. */
struct image {
	int rootfd;	     /* the image's "/" */
	char *moddir;	     /* MODULES_DIR inside the root: "lib/modules/<release>" */
	const char *release; /* the last component of moddir */
};

/*
 * Opens the image that holds moddir: root, or else moddir's third parent. moddir resolved
 * inside the root must be the very directory moddir names on the host; a link out of the
 * image (an absolute <root>/lib -> /usr/lib) would make libkmod read the build host's tree.
 */
int image_open(struct image *img, const char *moddir, const char *root);
void image_close(struct image *img);

#endif
