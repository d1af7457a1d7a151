/* SPDX-License-Identifier: MIT */
/* Ending the boot. PID 1 must not return (the kernel would panic with no reason shown), so these
 * end it themselves, the way the build chose. */
#include <errno.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "log.h"

_Noreturn void power_down(bool reboot_instead)
{
	sync();
	if (reboot(reboot_instead ? RB_AUTOBOOT : RB_POWER_OFF) < 0)
		say(LOG_CRIT, "reboot(2) failed: %s; halting here", errno_name(errno));
	for (;;)
		pause();
}

_Noreturn void stop_machine(const char *why)
{
	say(LOG_CRIT, "stopping: %s; %s", why, ML_ON_FATAL_REBOOT ? "rebooting" : "powering off");
	power_down(ML_ON_FATAL_REBOOT);
}
