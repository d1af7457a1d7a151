/* SPDX-License-Identifier: MIT */
#include "filehash.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int sha256_fd(int fd, unsigned char digest[SHA256_DIGEST_LEN], unsigned long long *size)
{
	unsigned char buf[32768];
	struct sha256 ctx;
	ssize_t got;

	sha256_init(&ctx);
	*size = 0;
	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got == 0)
			break;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		sha256_update(&ctx, buf, (size_t)got);
		*size += (unsigned long long)got;
	}
	sha256_final(&ctx, digest);
	return 0;
}

static enum pin_check check_open_file(int fd, unsigned long long size,
				      const unsigned char sha256[SHA256_DIGEST_LEN],
				      unsigned long long *actual)
{
	unsigned char digest[SHA256_DIGEST_LEN];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return PIN_READ;
	if (!S_ISREG(st.st_mode))
		return PIN_NOT_REGULAR;
	*actual = (unsigned long long)st.st_size;
	if (*actual != size)
		return PIN_SIZE;
	/* O_NONBLOCK, there only so that the open could not hang, means nothing to a regular
	 * file's reads, nor to finit_module. */
	if (sha256_fd(fd, digest, actual) < 0)
		return PIN_READ;
	if (*actual != size)
		return PIN_SIZE; /* it changed while being read */
	return memcmp(digest, sha256, sizeof(digest)) == 0 ? PIN_OK : PIN_SHA256;
}

int pin_open(const char *path, unsigned long long size,
	     const unsigned char sha256[SHA256_DIGEST_LEN], enum pin_check *check,
	     unsigned long long *actual)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	*actual = 0;
	if (fd < 0) {
		*check = PIN_OPEN;
		return -1;
	}
	*check = check_open_file(fd, size, sha256, actual);
	if (*check == PIN_OK)
		return fd;
	int saved = errno;
	close(fd);
	errno = saved;
	return -1;
}
