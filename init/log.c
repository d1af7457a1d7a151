#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "errname.h"
#include "fmt.h"

/*
 * Each line gets its own open of /dev/kmsg. The kernel rate-limits every open file to 10 lines
 * per 5 seconds by default (printk.devkmsg=ratelimit) and drops the rest without an error, so
 * one descriptor would keep only the first 10 lines of a 50-line report out of dmesg. With
 * printk.devkmsg=off the kernel drops them all, as its owner asked; the console still has them.
 */
static bool kmsg_works;

static int open_kmsg(void)
{
	return open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
}

void log_open_kmsg(void)
{
	int fd = open_kmsg();

	kmsg_works = fd >= 0;
	if (fd < 0)
		say(LOG_WARNING, "cannot open /dev/kmsg: %s; logging to the console only",
		    errno_name(errno));
	else
		close(fd);
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* nowhere left to say that saying failed */
		buf += n;
		len -= (size_t)n;
	}
}

/* Keeps errno as it was, so a caller can log and still report the original error. */
void say(int level, const char *format, ...)
{
	char line[512];
	int saved = errno;
	size_t head = fmt(line, sizeof(line), "<%d>modlatch: ", level);
	va_list ap;

	va_start(ap, format);
	size_t len = head + vfmt(line + head, sizeof(line) - head - 1, format, ap);
	va_end(ap);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	int kmsg = kmsg_works ? open_kmsg() : -1;
	if (kmsg >= 0) {
		write_all(kmsg, line, len);
		close(kmsg);
	}
	const char *plain = strchr(line, '>') + 1;
	write_all(STDERR_FILENO, plain, len - (size_t)(plain - line));
	errno = saved;
}
