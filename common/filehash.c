/* SPDX-License-Identifier: MIT */
#include "filehash.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/*
 * Reads the size bytes of fd straight into the memfd copy's pages (one copy, from the page cache
 * into the memfd), and hashes those pages: the bytes hashed are the bytes that will load, all of
 * them and nothing else, whatever the file does meanwhile. *actual is what was read.
 */
static enum pin_check read_into(int fd, int copy, unsigned long long size,
				unsigned char digest[SHA256_DIGEST_LEN], unsigned long long *actual)
{
	unsigned char *map = NULL;
	struct sha256 ctx;
	ssize_t n = 0;

	if (ftruncate(copy, (off_t)size) < 0 ||
	    (size &&
	     (map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, copy, 0)) == MAP_FAILED))
		return PIN_READ;
	for (*actual = 0; *actual < size; *actual += (unsigned long long)n) {
		n = read(fd, map + *actual, size - *actual);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n <= 0)
			break;
	}
	sha256_init(&ctx);
	sha256_update(&ctx, map, size);
	sha256_final(&ctx, digest);
	if (map)
		munmap(map, size);
	return n < 0 ? PIN_READ : PIN_OK;
}

static enum pin_check check_open_file(int fd, int copy, unsigned long long size,
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
	if (read_into(fd, copy, size, digest, actual) != PIN_OK)
		return PIN_READ;
	if (*actual != size)
		return PIN_SIZE; /* it shrank while being read */
	return memcmp(digest, sha256, sizeof(digest)) == 0 ? PIN_OK : PIN_SHA256;
}

/*
 * The copy that is loaded: a memfd, sealed once it holds every byte that was hashed (and its
 * mapping is gone: a writable mapping would make F_SEAL_WRITE fail), so that nobody, not even
 * this process, can change it between the check and finit_module. The file on disk may change
 * after it was read; the copy cannot. The seals are checked, not assumed.
 * finit_module reads the whole file from its start, wherever the descriptor's offset is.
 */
static int sealed_copy_of(int fd, unsigned long long size,
			  const unsigned char sha256[SHA256_DIGEST_LEN], enum pin_check *check,
			  unsigned long long *actual)
{
	const int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
	int copy = memfd_create("modlatch-module", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (copy < 0) {
		*check = PIN_OPEN;
		return -1;
	}
	*check = check_open_file(fd, copy, size, sha256, actual);
	/* fcntl itself: the C library's wrapper costs 400 bytes for what it handles besides. */
	if (*check == PIN_OK && (syscall(SYS_fcntl, copy, F_ADD_SEALS, seals) < 0 ||
				 syscall(SYS_fcntl, copy, F_GET_SEALS) != seals))
		*check = PIN_READ;
	if (*check == PIN_OK)
		return copy;
	int saved = errno;
	close(copy);
	errno = saved;
	return -1;
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
	int copy = sealed_copy_of(fd, size, sha256, check, actual), saved = errno;
	close(fd);
	errno = saved;
	return copy;
}
