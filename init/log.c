/* SPDX-License-Identifier: MIT */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "errname.h"
#include "fmt.h"
#include "text.h"

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

/*
 * The kernel prints a /dev/kmsg line on its consoles itself when the line's level is below
 * console_loglevel (the first number of /proc/sys/kernel/printk), unless printk.devkmsg=off
 * drops it; such a line is not written to the console a second time. Until /proc can tell,
 * every line goes to the console.
 */
static int kernel_echoes_below = -1; /* -1: not known yet */

ssize_t read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = 0, n = 0;

	while (fd >= 0 && (size_t)got < len - 1 &&
	       (n = read(fd, buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	if (fd >= 0)
		close(fd);
	buf[got] = '\0';
	return fd < 0 || n < 0 ? -1 : got;
}

static void learn_kernel_echo(void)
{
	char printk[64], devkmsg[16];
	int level = 0;

	if (read_text("/proc/sys/kernel/printk", printk, sizeof(printk)) <= 0)
		return;
	for (const char *c = printk; *c >= '0' && *c <= '9'; c++)
		level = level * 10 + (*c - '0');
	if (read_text("/proc/sys/kernel/printk_devkmsg", devkmsg, sizeof(devkmsg)) > 0 &&
	    strncmp(devkmsg, "off", 3) == 0)
		level = 0;
	kernel_echoes_below = level;
}

size_t log_line(char *line, size_t size, int level, const char *format, va_list ap)
{
	size_t head = fmt(line, size, "<%d>modlatch: ", level);
	size_t len = head + vfmt(line + head, size - head - 1, format, ap);

	if (len > size - 2)
		len = size - 2;
	line[len++] = '\n';
	return len;
}

/* One formatted line, to /dev/kmsg and, unless the kernel prints it there, to the console. */
static void emit(const char *line, size_t len, int level)
{
	int kmsg = kmsg_works ? open_kmsg() : -1;
	bool echoed = false;

	if (kmsg >= 0) {
		if (kernel_echoes_below < 0)
			learn_kernel_echo();
		write_all(kmsg, line, len);
		close(kmsg);
		echoed = level < kernel_echoes_below;
	}
	const char *plain = find(line, '>') + 1;
	if (!echoed)
		write_all(STDERR_FILENO, plain, len - (size_t)(plain - line));
}

/*
 * The helpers are blanked before /dev is mounted (mounting devtmpfs on a kernel without it asks
 * for a module), so the first lines come before there is a console or /dev/kmsg: they wait here
 * and are said when the log opens. Nothing is written to descriptors that may not be the
 * console yet.
 */
static char early[2048];
static size_t early_len;
static unsigned early_lost;
static bool log_ready;

void log_open_kmsg(void)
{
	int fd = open_kmsg(), err = errno;

	kmsg_works = fd >= 0;
	log_ready = true;
	if (fd >= 0)
		close(fd);
	for (size_t at = 0, len; at < early_len; at += len) {
		len = span(early + at, "\n") + 1;
		emit(early + at, len, early[at + 1] - '0');
	}
	if (early_lost)
		say(LOG_WARNING, "%u line(s) said before /dev was mounted are lost", early_lost);
	if (fd < 0)
		say(LOG_WARNING, "cannot open /dev/kmsg: %s; logging to the console only",
		    errno_name(err));
}

/* Keeps errno as it was, so a caller can log and still report the original error. */
void say(int level, const char *format, ...)
{
	char line[512];
	int saved = errno;
	va_list ap;

	va_start(ap, format);
	size_t len = log_line(line, sizeof(line), level, format, ap);
	va_end(ap);
	if (log_ready) {
		emit(line, len, level);
	} else if (early_len + len <= sizeof(early)) {
		memcpy(early + early_len, line, len);
		early_len += len;
	} else {
		early_lost++;
	}
	errno = saved;
}
