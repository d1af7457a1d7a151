/* SPDX-License-Identifier: MIT */
/*
 * The kernel's module helper, after the latch (AFTER_LATCH=record; the boot step that installs
 * it is record.c). It loads nothing: it says which module the kernel asked for, keeps the name
 * for the supervisor and health checks, and fails the request as the empty helper did.
 *
 * The kernel starts its helpers with no open descriptors, as root, once per request: nothing here
 * writes to a standard stream it did not find open, and every name is checked before use. Some
 * programs run the helper themselves (iptables-legacy runs kernel.modprobe for a missing table
 * module), or run modprobe where modprobe leads here: their names are refused and kept the same
 * way, and a -q keeps stderr quiet as it keeps modprobe's.
 */
#include "request.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errname.h"
#include "log.h"
#include "text.h"

/* Exit status of a refused request; the kernel passes it on as the request's failure. */
#define REFUSED 1

static bool stderr_open;

/* One line to the kernel log at LEVEL, and to stderr when someone ran this by hand. */
static void tell(int level, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void tell(int level, const char *format, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, format);
	size_t len = log_line(line, sizeof(line), level, format, ap);
	va_end(ap);
	int kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (kmsg >= 0) {
		(void)!write(kmsg, line, len);
		close(kmsg);
	}
	const char *plain = find(line, '>') + 1;
	if (stderr_open)
		(void)!write(STDERR_FILENO, plain, len - (size_t)(plain - line));
}

/* Whether NAME is a line of the file's first LEN bytes. */
static bool recorded(const char *names, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (size_t at = 0; at + n < len; at++)
		if ((at == 0 || names[at - 1] == '\n') && memcmp(names + at, name, n) == 0 &&
		    names[at + n] == '\n')
			return true;
	return false;
}

/* Appends NAME unless it is there already; an errno name on failure, NULL on success. */
static const char *record(int fd, const char *name)
{
	static char names[ML_REQUEST_FILE_MAX];
	ssize_t len = pread(fd, names, sizeof(names), 0);

	if (len < 0)
		return errno_name(errno);
	if (recorded(names, (size_t)len, name))
		return NULL;
	size_t n = strlen(name);
	if ((size_t)len + n + 1 > sizeof(names))
		return "full";
	char line[ML_REQUEST_NAME_MAX + 2];
	memcpy(line, name, n);
	line[n] = '\n';
	return write(fd, line, n + 1) == (ssize_t)(n + 1) ? NULL : errno_name(errno);
}

/* Helpers run side by side: one at a time reads and appends, so each name is kept once. */
static const char *lock_and_record(int fd, const char *name)
{
	if (fd < 0 || flock(fd, LOCK_EX) < 0)
		return errno_name(errno);
	return record(fd, name);
}

/* Logs, checks and records one name; the caller has set stderr_open. */
static int refuse(const char *name)
{
	const char *bad = request_name_error(name);
	if (bad) {
		tell(4, ML_REFUSED_UNNAMED ": %s; nothing recorded", bad);
		return REFUSED;
	}
	tell(4, ML_REFUSED_MODULE "%s" ML_REFUSED_END, name);
	if (mkdir(ML_REQUEST_DIR, 0755) < 0 && errno != EEXIST) {
		tell(3, "cannot record module=%s: mkdir %s: %s", name, ML_REQUEST_DIR,
		     errno_name(errno));
		return REFUSED;
	}
	int fd = open(ML_REQUEST_FILE, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	const char *failed = lock_and_record(fd, name);
	if (failed)
		tell(3, "cannot record module=%s in %s: %s", name, ML_REQUEST_FILE, failed);
	if (fd >= 0)
		close(fd);
	return REFUSED;
}

int refuse_module_request(const char *name)
{
	stderr_open = fcntl(STDERR_FILENO, F_GETFD) >= 0;
	return refuse(name);
}

int refuse_tool_request(char *const names[], unsigned count, bool quiet)
{
	stderr_open = !quiet && fcntl(STDERR_FILENO, F_GETFD) >= 0;
	for (unsigned i = 0; i < count; i++)
		refuse(names[i]);
	return REFUSED;
}
