/* SPDX-License-Identifier: MIT */
/*
 * AFTER_LATCH=record: once loading is closed for good, point kernel.modprobe at this binary, so
 * that a module the kernel asks for from now on is named (request.c) instead of failing in
 * silence. Never before the latch is confirmed: during the window the helper stays empty and the
 * kernel execs nothing. If the helper cannot be set and read back, it is left empty: requests
 * then fail as they would have, unnamed. With ROOT the helper is a copy of this binary on /run,
 * where it stays at the same path through the switch to the disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "log.h"
#include "request.h"

#define MODPROBE "/proc/sys/kernel/modprobe"

/* Writes value (a line) to the open sysctl and says whether it reads back the same. */
static bool set_and_read_back(int fd, const char *value)
{
	char back[256];
	size_t len = strlen(value);

	if (pwrite(fd, value, len, 0) != (ssize_t)len) {
		say(LOG_ERR, "cannot write %s: %s", MODPROBE, errno_name(errno));
		return false;
	}
	ssize_t n = pread(fd, back, sizeof(back), 0);
	if (n < 0)
		say(LOG_ERR, "cannot read back %s: %s", MODPROBE, errno_name(errno));
	return n == (ssize_t)len && memcmp(back, value, len) == 0;
}

static bool point_modprobe_here(void)
{
	int fd = open(MODPROBE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		say(LOG_ERR, "cannot open %s: %s", MODPROBE, errno_name(errno));
		return false;
	}
	bool set = set_and_read_back(fd, ML_AFTER_LATCH_HELPER "\n");
	if (!set && !set_and_read_back(fd, "\n"))
		say(LOG_CRIT, "%s is neither %s nor empty", MODPROBE, ML_AFTER_LATCH_HELPER);
	close(fd);
	return set;
}

/* Copies all of from to to; false on a failed read or write, or a short file. */
static bool copy_file(int from, int to)
{
	char buf[4096];
	ssize_t n;
	struct stat st;
	off_t copied = 0;

	if (fstat(from, &st) < 0)
		return false;
	while ((n = read(from, buf, sizeof(buf))) > 0) {
		if (write(to, buf, (size_t)n) != n)
			return false;
		copied += n;
	}
	if (n == 0 && copied != st.st_size)
		errno = EIO;
	return n == 0 && copied == st.st_size;
}

/*
 * With ROOT, the helper is a copy of this binary on /run, made now, before any request can come,
 * by this process alone: the initramfs that holds /init is freed at the switch, while /run moves
 * into the new root and keeps the path. A file already there is refused, never reused.
 */
static bool install_helper_copy(void)
{
	int from = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	int to = open(ML_AFTER_LATCH_HELPER, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0500);
	bool copied = from >= 0 && to >= 0 && copy_file(from, to);

	if (!copied)
		say(LOG_ERR, "after_latch=record: cannot copy modlatch to %s: %s",
		    ML_AFTER_LATCH_HELPER, errno_name(errno));
	if (from >= 0)
		close(from);
	if (to >= 0 && close(to) < 0 && copied) {
		say(LOG_ERR, "after_latch=record: %s: %s", ML_AFTER_LATCH_HELPER,
		    errno_name(errno));
		copied = false;
	}
	return copied;
}

/* The kernel will exec the path as root: it must be this program and nothing else. */
static bool helper_is_this_program(void)
{
	errno = 0;
	if (is_this_program(ML_AFTER_LATCH_HELPER))
		return true;
	say(LOG_ERR, "after_latch=record: %s is not this program (%s)", ML_AFTER_LATCH_HELPER,
	    errno == 0 ? "another file" : errno_name(errno));
	return false;
}

void record_requests_after_latch(struct boot *boot)
{
	if (!ML_AFTER_LATCH_RECORD || !boot->latched || !boot->companions_hold)
		return; /* without the option the code above is left out of the binary */
	if (!ML_AFTER_LATCH_HELPER_COPY && !helper_is_this_program())
		return; /* and nothing is made under /run */
	if (mkdir(ML_REQUEST_DIR, 0755) < 0 && errno != EEXIST) {
		say(LOG_ERR, "cannot create %s: %s", ML_REQUEST_DIR, errno_name(errno));
		return;
	}
	if (ML_AFTER_LATCH_HELPER_COPY && !install_helper_copy())
		return;
	boot->recording = point_modprobe_here();
}
