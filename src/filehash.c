#include "filehash.h"

#include <errno.h>
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
