/* Hashing a module file through a descriptor: the one the shim then hands to finit_module. */
#ifndef MODLATCH_FILEHASH_H
#define MODLATCH_FILEHASH_H

#include "sha256.h"

/* Hashes what fd reads until end of file; 0, or -1 with errno set. */
int sha256_fd(int fd, unsigned char digest[SHA256_DIGEST_LEN], unsigned long long *size);

#endif
