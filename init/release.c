/* SPDX-License-Identifier: MIT */
/*
 * Before loading: the table pins files of one kernel build, and on another kernel none of them
 * may be loaded; and loading must still be open, since a kernel booted with nomodule or
 * sysctl.kernel.modules_disabled=1, or modlatch exec'd again on a running system, would refuse
 * every entry with EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "boot.h"
#include "errname.h"
#include "log.h"

void check_kernel_release(struct boot *boot)
{
	struct utsname uts;

	if (uname(&uts) < 0) {
		say(LOG_ERR, "uname: %s; no module will be loaded", errno_name(errno));
		boot->release_matches = false;
		return;
	}
	boot->release_matches = strcmp(uts.release, ml_release) == 0;
	if (!boot->release_matches)
		say(LOG_ERR, "kernel release %s is not the table's %s: no module will be loaded",
		    uts.release, ml_release);
}

void check_loading_open(struct boot *boot)
{
	char value[8];

	boot->latched_before =
		read_text("/proc/sys/kernel/modules_disabled", value, sizeof(value)) > 0 &&
		value[0] == '1';
	if (boot->latched_before)
		say(LOG_ERR,
		    "module loading was latched before modlatch started: nothing can be loaded");
}
