/* SPDX-License-Identifier: MIT */
/*
 * The kernel filesystems. A mount point that already has something mounted is kept as it is
 * (after an initramfs switch_root they come pre-mounted); other failures are logged and boot
 * goes on, since the latch matters more than any one mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "errname.h"
#include "fmt.h"
#include "log.h"
#include "text.h"

/* Something is mounted at path when it sits on another device than its parent. */
static bool is_mount_point(const char *path)
{
	char parent[64];
	struct stat here, above;

	fmt(parent, sizeof(parent), "%s/..", path);
	return stat(path, &here) == 0 && stat(parent, &above) == 0 && here.st_dev != above.st_dev;
}

static void mount_once(const char *type, const char *target, unsigned long flags,
		       const char *options)
{
	if (mkdir(target, 0755) < 0 && errno != EEXIST)
		say(LOG_ERR, "cannot create %s: %s", target, errno_name(errno));
	if (is_mount_point(target)) {
		say(LOG_INFO, "%s is already mounted; kept", target);
		return;
	}
	if (mount(type, target, type, flags, options) < 0)
		say(LOG_ERR, "cannot mount %s on %s: %s", type, target, errno_name(errno));
}

/* Without fds 0, 1 and 2, the first open() would take one and later writes would go astray. */
static void attach_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);

	if (fd < 0) {
		int err = errno;
		fd = open("/dev/null", O_RDWR | O_NOCTTY);
		if (fd >= 0)
			say(LOG_WARNING, "cannot open /dev/console: %s", errno_name(err));
	}
	if (fd < 0)
		return;
	for (int target = 0; target <= 2; target++)
		if (fd != target && dup2(fd, target) < 0)
			say(LOG_WARNING, "cannot attach fd %d: %s", target, errno_name(errno));
	if (fd > 2)
		close(fd);
}

void mount_dev_and_console(void)
{
	mount_once("devtmpfs", "/dev", MS_NOSUID | MS_NOEXEC, "mode=0755");
	attach_console();
	log_open_kmsg();
}

void mount_proc(void)
{
	mount_once("proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* /run stays executable: supervisors such as s6 run service scripts from there. */
void mount_sys_and_run(void)
{
	mount_once("sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mount_once("tmpfs", "/run", MS_NOSUID | MS_NODEV, "mode=0755");
}

/* /proc/mounts writes space, tab, newline and backslash in a path as \ooo. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++, out++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out = *s;
		}
	}
	*out = '\0';
}

/* The mount points in /proc/mounts, in mount order; returns how many fit. */
static size_t read_mount_points(char *buf, size_t size, char **points, size_t max)
{
	size_t used = 0, count = 0;
	ssize_t n;
	int fd = open("/proc/mounts", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		say(LOG_ERR, "cannot open /proc/mounts: %s", errno_name(errno));
		return 0;
	}
	while (used < size - 1 && (n = read(fd, buf + used, size - 1 - used)) > 0)
		used += (size_t)n;
	close(fd);
	buf[used] = '\0';
	for (char *line = buf; line && *line && count < max;) {
		char *next = find(line, '\n');
		if (next)
			*next++ = '\0';
		char *point = find(line, ' ');
		char *end = point ? find(point + 1, ' ') : NULL;
		if (end) {
			*end = '\0';
			unescape(point + 1);
			points[count++] = point + 1;
		}
		line = next;
	}
	return count;
}

/* Before power off: unmount in reverse order; what is busy is at least made read-only, so
 * that what was written reaches the disk. */
void unmount_all(void)
{
	static char buf[32768];
	char *points[256];
	size_t count = read_mount_points(buf, sizeof(buf), points, 256);

	sync();
	while (count-- > 0) {
		if (strcmp(points[count], "/") == 0 || umount2(points[count], 0) == 0)
			continue;
		int err = errno;
		if (mount(NULL, points[count], NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 &&
		    err != EINVAL)
			say(LOG_WARNING, "cannot unmount %s (%s) nor make it read-only (%s)",
			    points[count], errno_name(err), errno_name(errno));
	}
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 && errno != EINVAL)
		say(LOG_WARNING, "cannot make / read-only: %s", errno_name(errno));
}
