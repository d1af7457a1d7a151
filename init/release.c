/* The table pins files of one kernel build; on another kernel none of them may be loaded. */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

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
