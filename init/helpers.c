/* SPDX-License-Identifier: MIT */
/*
 * Blank the kernel's module helpers before the first load: with kernel.modprobe and
 * kernel.hotplug empty, the kernel spawns nothing when it wants a module (an unknown
 * filesystem, socket family, crypto algorithm...). They stay empty after the latch. A knob that
 * does not exist counts as absent (no CONFIG_UEVENT_HELPER) only where /proc is procfs: on
 * anything else, or nothing, mounted at /proc, the kernel's helper path is live and unseen. A
 * knob that opens must be on procfs too: a file a stage bind-mounted over it, or a tmpfs /proc
 * that holds files of those names, reads back blank while the kernel's path stays set.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "errname.h"
#include "kernel.h"
#include "log.h"
#include "text.h"

enum { BLANKED, ABSENT, STILL_SET };

/* A zero-length write changes nothing: write a lone newline, then read back the value. */
static int blank(const char *path)
{
	char value[256];
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && on_filesystem("/proc/sys/kernel", PROC_SUPER_MAGIC))
		return ABSENT;
	if (fd < 0 && errno != ENOENT) {
		say(LOG_ERR, "cannot open %s: %s", path, errno_name(errno));
		return STILL_SET;
	}
	if (fd < 0 || !fd_on_filesystem(fd, PROC_SUPER_MAGIC)) {
		say(LOG_CRIT, "cannot blank %s: not on the kernel's procfs", path);
		if (fd >= 0)
			close(fd);
		return STILL_SET;
	}
	ssize_t n = write(fd, "\n", 1);
	if (n != 1)
		say(LOG_ERR, "cannot blank %s: %s", path, errno_name(errno));
	n = pread(fd, value, sizeof(value) - 1, 0);
	if (n < 0)
		say(LOG_ERR, "cannot read back %s: %s", path, errno_name(errno));
	close(fd);
	if (n != 1 || value[0] != '\n') {
		if (n > 0)
			say(LOG_ERR, "%s still reads '%.*s'", path, (int)span(value, "\n"), value);
		return STILL_SET;
	}
	return BLANKED;
}

void blank_module_helpers(struct boot *boot)
{
	int modprobe = blank("/proc/sys/kernel/modprobe");
	int hotplug = blank("/proc/sys/kernel/hotplug");

	boot->helpers_blanked = modprobe != STILL_SET && hotplug != STILL_SET;
	if (!boot->helpers_blanked)
		say(LOG_ERR, "module helpers not blanked: no module will be loaded");
}
