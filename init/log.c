#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include "fmt.h"
#include <string.h>
#include <unistd.h>

#include "errname.h"

static int kmsg_fd = -1;

void log_open_kmsg(void)
{
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (kmsg_fd < 0)
		say(LOG_WARNING, "cannot open /dev/kmsg: %s; logging to the console only",
		    errno_name(errno));
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
	if (kmsg_fd >= 0)
		write_all(kmsg_fd, line, len);
	const char *plain = strchr(line, '>') + 1;
	write_all(STDERR_FILENO, plain, len - (size_t)(plain - line));
	errno = saved;
}
