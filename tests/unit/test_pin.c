/* SPDX-License-Identifier: MIT */
/*
 * The pin check of common/filehash.c, as the boot loads through it (sealed): what finit_module
 * gets is the bytes that were hashed, even when the file is rewritten between the check and the
 * load (G3, F6), and nothing can change that copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "filehash.h"

static const char module[] = "the module that was checked\n";
static const char rewritten[] = "another module, same length\n";

/* A file holding module, and the pin of it. */
static int pinned_file(char *path, unsigned char digest[SHA256_DIGEST_LEN])
{
	int fd = mkstemp(path);
	unsigned long long size;

	if (fd < 0 || write(fd, module, sizeof(module) - 1) != (ssize_t)sizeof(module) - 1 ||
	    lseek(fd, 0, SEEK_SET) != 0 || sha256_fd(fd, digest, &size) < 0)
		return -1;
	close(fd);
	return 0;
}

/* The copy pin_open gives of a pinned file at path, as the boot loads it. */
static int checked_copy(char *path)
{
	unsigned char digest[SHA256_DIGEST_LEN];
	unsigned long long actual;
	enum pin_check check;

	CHECK(pinned_file(path, digest) == 0);
	int fd = pin_open(path, sizeof(module) - 1, digest, &check, &actual);
	CHECK(fd >= 0 && check == PIN_OK);
	return fd;
}

static void a_file_rewritten_after_its_check_loads_what_was_checked(void)
{
	char path[] = "/tmp/modlatch-unit-XXXXXX", got[64] = "";

	CHECK(sizeof(module) == sizeof(rewritten));
	int fd = checked_copy(path);
	/* Someone rewrites the file in place, same size, after the check. */
	int writer = open(path, O_WRONLY);
	CHECK(writer >= 0 && write(writer, rewritten, sizeof(rewritten) - 1) > 0);
	close(writer);
	/* What finit_module would read from the descriptor, from its start: what was checked. */
	CHECK(pread(fd, got, sizeof(got), 0) == (ssize_t)sizeof(module) - 1);
	CHECK_STR(got, module);
	close(fd);
	unlink(path);
}

static void the_copy_that_loads_cannot_be_changed(void)
{
	char path[] = "/tmp/modlatch-unit-XXXXXX";
	int fd = checked_copy(path);

	CHECK(fcntl(fd, F_GET_SEALS) == (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE));
	CHECK(pwrite(fd, "x", 1, 0) < 0 && errno == EPERM);
	CHECK(ftruncate(fd, 0) < 0);
	CHECK(fcntl(fd, F_ADD_SEALS, 0) < 0 && errno == EPERM);
	close(fd);
	unlink(path);
}

static void a_file_that_is_not_the_pinned_one_gives_no_copy(void)
{
	char path[] = "/tmp/modlatch-unit-XXXXXX";
	unsigned char digest[SHA256_DIGEST_LEN];
	unsigned long long actual;
	enum pin_check check;

	CHECK(pinned_file(path, digest) == 0);
	digest[0] ^= 1;
	CHECK(pin_open(path, sizeof(module) - 1, digest, &check, &actual) < 0);
	CHECK(check == PIN_SHA256);
	CHECK(pin_open(path, sizeof(module), digest, &check, &actual) < 0);
	CHECK(check == PIN_SIZE && actual == sizeof(module) - 1);
	unlink(path);
}

static const struct unit_test pin_tests[] = {
	{ "pin: a file rewritten after its check loads what was checked (G3, F6)",
	  a_file_rewritten_after_its_check_loads_what_was_checked },
	{ "pin: the sealed copy that loads cannot be written, resized or unsealed",
	  the_copy_that_loads_cannot_be_changed },
	{ "pin: a file that is not the pinned one gives no copy",
	  a_file_that_is_not_the_pinned_one_gives_no_copy },
	{ NULL, NULL },
};
UNIT_SUITE(pin_tests)
