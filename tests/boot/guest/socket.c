/* SPDX-License-Identifier: MIT */
/*
 * Guest helper for the window test: opens a socket of the given address family, which makes
 * the kernel ask for the module "net-pf-N" when that family is not loaded, and prints the
 * errno name of the result.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: socket FAMILY\n");
		return 2;
	}
	int fd = socket(atoi(argv[1]), SOCK_RAW, 2);
	if (fd < 0) {
		printf("%s\n", errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : strerror(errno));
		return 1;
	}
	printf("opened\n");
	close(fd);
	return 0;
}
