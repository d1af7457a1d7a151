/* SPDX-License-Identifier: MIT */
/* What may follow the report: nothing runs unless the latch holds; by default (and unless built
 * to continue) nothing runs after a module file turned out not to be the one pinned; and, if
 * built to halt, nothing runs unless every required module is in. */
#include "boot.h"
#include "config.h"
#include "log.h"

void enforce_policies(const struct boot *boot)
{
	if (!boot->latched)
		stop_machine("module loading could not be confirmed closed");
	if (!boot->companions_hold)
		stop_machine("a companion latch (ALSO_LATCH) could not be confirmed");
	if (boot->foreign && ML_HALT_ON_FOREIGN_MODULE)
		stop_machine("a module not loaded from the table is in the kernel "
			     "(ON_FOREIGN_MODULE=halt)");
	if (boot->integrity_failed && ML_HALT_ON_INTEGRITY_FAILURE)
		stop_machine("a module file is not the one pinned (ON_INTEGRITY_FAILURE=halt)");
	if (boot->required_failed == 0)
		return;
	if (ML_HALT_ON_MODULE_FAILURE)
		stop_machine("a module failed and the build says halt");
	say(LOG_ERR, "%u module(s) failed; handing off anyway, as built (continue)",
	    boot->required_failed);
}
