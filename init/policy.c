/* SPDX-License-Identifier: MIT */
/*
 * The failure policies: the one step that decides, from what the steps before it recorded,
 * whether the machine goes on. Nothing runs unless the latch holds; by default (and unless built
 * to continue) nothing runs after a module file turned out not to be the one pinned; and, if
 * built to halt, nothing runs unless every required module is in. The counts it decides on are
 * made here from the results, not taken from the report.
 */
#include <errno.h>

#include "boot.h"
#include "config.h"
#include "log.h"

/* A failure that says the file is not the one pinned: its type, its size, its digest, or a format
 * or signature the kernel rejects. Tampering, not a missing device. */
bool is_integrity_failure(const struct module_result *r)
{
	if (r->outcome != OUTCOME_FAILED)
		return false;
	if (r->step == STEP_TYPE || r->step == STEP_SIZE || r->step == STEP_SHA256)
		return true;
	return r->step == STEP_FINIT && (r->err == ENOEXEC || r->err == EKEYREJECTED ||
					 r->err == EBADMSG || r->err == ENOKEY);
}

/* Optional means: may be missing, may find no device; never: may be tampered with. */
bool failure_is_tolerated(const struct ml_entry *e, const struct module_result *r)
{
	if (!(e->flags & ML_OPTIONAL) || r->outcome != OUTCOME_FAILED)
		return false;
	switch (r->step) {
	case STEP_OPEN:
		return r->err == ENOENT;
	case STEP_FINIT:
		return r->err == ENODEV || r->err == ENXIO;
	case STEP_DEPENDENCY:
	case STEP_HELPERS:
	case STEP_RELEASE:
	case STEP_LATCHED:
		return true;
	default:
		return false;
	}
}

static unsigned count_failures(const struct boot *boot, bool integrity_only)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ml_table_len; i++) {
		const struct module_result *r = &boot->results[i];
		if (integrity_only ? is_integrity_failure(r)
				   : r->outcome == OUTCOME_FAILED &&
					     !failure_is_tolerated(&ml_table[i], r))
			n++;
	}
	return n;
}

void enforce_policies(const struct boot *boot)
{
	unsigned required_failed = count_failures(boot, false);

	if (!boot->latched)
		stop_machine("module loading could not be confirmed closed");
	if (!boot->companions_hold)
		stop_machine("a companion latch (ALSO_LATCH) could not be confirmed");
	if (boot->foreign && ML_HALT_ON_FOREIGN_MODULE)
		stop_machine("a module not loaded from the table is in the kernel "
			     "(ON_FOREIGN_MODULE=halt)");
	if (count_failures(boot, true) && ML_HALT_ON_INTEGRITY_FAILURE)
		stop_machine("a module file is not the one pinned (ON_INTEGRITY_FAILURE=halt)");
	if (required_failed == 0)
		return;
	if (ML_HALT_ON_MODULE_FAILURE)
		stop_machine("a module failed and the build says halt");
	say(LOG_ERR, "%u module(s) failed; handing off anyway, as built (continue)",
	    required_failed);
}
