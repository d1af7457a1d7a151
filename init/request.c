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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errname.h"
#include "fmt.h"
#include "kernel.h"
#include "log.h"
#include "text.h"

/* Exit status of a refused request; the kernel passes it on as the request's failure. */
#define REFUSED 1

static bool stderr_open;

/*
 * One line at LEVEL: to stderr when someone ran this by hand (unless -q), and to the kernel log
 * when to_kmsg. A request is logged once, when its name is first kept, so that nobody can fill
 * the kernel log, and push the boot's report out of it, by asking for one name again and again.
 */
static void tell(int level, bool to_kmsg, const char *format, ...)
	__attribute__((format(printf, 3, 4)));
static void tell(int level, bool to_kmsg, const char *format, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, format);
	size_t len = log_line(line, sizeof(line), level, format, ap);
	va_end(ap);
	int kmsg = to_kmsg ? open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY) : -1;
	if (kmsg >= 0) {
		(void)!write(kmsg, line, len);
		close(kmsg);
	}
	const char *plain = find(line, '>') + 1;
	if (stderr_open)
		(void)!write(STDERR_FILENO, plain, len - (size_t)(plain - line));
}

/*
 * The helper needs no capability: as root it writes the kernel log and root's own file on /run,
 * and it execs nothing. It keeps none, and can gain none, before it reads anything.
 */
static const char *drop_privileges(void)
{
	struct cap_header header = { LINUX_CAPABILITY_VERSION_3, 0 };
	struct cap_data none[2] = { { 0, 0, 0 }, { 0, 0, 0 } };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_capset, &header, none) < 0)
		return errno_name(errno);
	return NULL;
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

enum kept { KEPT_NEW, KEPT_BEFORE, KEPT_NOT };

/*
 * Adds one to the count of names the full record could not take (ML_REQUEST_DIR/dropped, a
 * decimal number), under the record's lock; says whether it was the first.
 */
static bool count_dropped(int dirfd)
{
	char text[24] = "";
	unsigned long long dropped = 0;
	int fd = openat(dirfd, "dropped", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		return false;
	if (pread(fd, text, sizeof(text) - 1, 0) > 0)
		for (const char *c = text; *c >= '0' && *c <= '9'; c++)
			dropped = dropped * 10 + (unsigned)(*c - '0');
	size_t len = fmt(text, sizeof(text), "%llu\n", dropped + 1);
	(void)!pwrite(fd, text, len, 0);
	close(fd);
	return dropped == 0;
}

/* Appends NAME unless it is there already or the record is full; an errno name on failure. */
static const char *record(int fd, int dirfd, const char *name, enum kept *kept, bool *first_drop)
{
	static char names[ML_REQUEST_FILE_MAX];
	ssize_t len = pread(fd, names, sizeof(names), 0);

	*kept = KEPT_NOT;
	if (len < 0)
		return errno_name(errno);
	if (recorded(names, (size_t)len, name)) {
		*kept = KEPT_BEFORE;
		return NULL;
	}
	size_t n = strlen(name);
	if ((size_t)len + n + 1 > sizeof(names)) {
		*first_drop = count_dropped(dirfd);
		return "full";
	}
	char line[ML_REQUEST_NAME_MAX + 2];
	memcpy(line, name, n);
	line[n] = '\n';
	if (write(fd, line, n + 1) != (ssize_t)(n + 1))
		return errno_name(errno);
	*kept = KEPT_NEW;
	return NULL;
}

/*
 * The record is root's own regular file, with one link, in root's directory that nobody else
 * may write: a file or a hard link someone else put there is not appended to.
 */
static const char *check_record(int dirfd, int fd)
{
	struct stat dir, file;

	if (fstat(dirfd, &dir) < 0 || fstat(fd, &file) < 0)
		return errno_name(errno);
	if (dir.st_uid != 0 || (dir.st_mode & 022) || !S_ISREG(file.st_mode) || file.st_uid != 0 ||
	    file.st_nlink != 1)
		return "not root's own file (owner, mode or links)";
	return NULL;
}

/* Helpers run side by side: one at a time reads and appends, so each name is kept once. */
static const char *lock_and_record(int dirfd, int fd, const char *name, enum kept *kept,
				   bool *first_drop)
{
	const char *bad;

	*kept = KEPT_NOT;
	if (dirfd < 0 || fd < 0 || flock(fd, LOCK_EX) < 0)
		return errno_name(errno);
	if ((bad = check_record(dirfd, fd)))
		return bad;
	return record(fd, dirfd, name, kept, first_drop);
}

/* Checks and records one name, and logs it if it is new; the caller has set stderr_open. */
static int refuse(const char *name)
{
	const char *bad = request_name_error(name);
	if (bad) {
		tell(4, true, ML_REFUSED_UNNAMED ": %s; nothing recorded", bad);
		return REFUSED;
	}
	if (mkdir(ML_REQUEST_DIR, 0755) < 0 && errno != EEXIST) {
		tell(3, true, "cannot record module=%s: mkdir %s: %s", name, ML_REQUEST_DIR,
		     errno_name(errno));
		return REFUSED;
	}
	int dirfd = open(ML_REQUEST_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int fd = dirfd < 0 ? -1
			   : openat(dirfd, "refused",
				    O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	enum kept kept;
	bool first_drop = false;
	const char *failed = lock_and_record(dirfd, fd, name, &kept, &first_drop);
	tell(4, kept == KEPT_NEW, ML_REFUSED_MODULE "%s" ML_REFUSED_END, name);
	if (failed)
		tell(3, !strcmp(failed, "full") ? first_drop : true,
		     "cannot record module=%s in %s: %s%s", name, ML_REQUEST_FILE, failed,
		     !strcmp(failed, "full")
			     ? "; the names it cannot take are counted in " ML_REQUEST_DIR
			       "/dropped"
			     : "");
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	return REFUSED;
}

/* Before anything else: the helper runs with no privilege, or does nothing. */
static bool unprivileged(void)
{
	const char *failed = drop_privileges();

	if (failed)
		tell(3, true, "refused a module request after latch: cannot drop privileges: %s",
		     failed);
	return !failed;
}

int refuse_module_request(const char *name)
{
	stderr_open = fcntl(STDERR_FILENO, F_GETFD) >= 0;
	return unprivileged() ? refuse(name) : REFUSED;
}

int refuse_tool_request(char *const names[], unsigned count, bool quiet)
{
	stderr_open = !quiet && fcntl(STDERR_FILENO, F_GETFD) >= 0;
	if (!unprivileged())
		return REFUSED;
	for (unsigned i = 0; i < count; i++)
		refuse(names[i]);
	return REFUSED;
}
