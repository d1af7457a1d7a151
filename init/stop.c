/* Fail closed. PID 1 must not return (the kernel would panic with no reason shown), so this ends
 * the boot itself, the way the build chose. */
#include <errno.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "log.h"

_Noreturn void stop_machine(const char *why)
{
	say(LOG_CRIT, "stopping: %s; %s", why, ML_ON_FATAL_REBOOT ? "rebooting" : "powering off");
	sync();
	if (reboot(ML_ON_FATAL_REBOOT ? RB_AUTOBOOT : RB_POWER_OFF) < 0)
		say(LOG_CRIT, "reboot(2) failed: %s; halting here", errno_name(errno));
	for (;;)
		pause();
}
