/* SPDX-License-Identifier: MIT */
/*
 * The report: a line per table entry, then one summary line. Both are key=value so that tests
 * and log collectors can parse them; doc/report.md documents every field.
 */
#include "boot.h"
#include "config.h"
#include "errname.h"
#include "log.h"
#include "request.h"

struct tally {
	unsigned loaded, already, builtin, absent, failed, optional_failed, integrity;
	long long finit_us;
};

static const char *step_name(enum step step)
{
	static const char *const names[] = {
		[STEP_NONE] = "none",
		[STEP_HELPERS] = "helpers",
		[STEP_RELEASE] = "release",
		[STEP_LATCHED] = "latched",
		[STEP_DEPENDENCY] = "dependency",
		[STEP_OPEN] = "open",
		[STEP_TYPE] = "type",
		[STEP_READ] = "read",
		[STEP_SIZE] = "size",
		[STEP_SHA256] = "sha256",
		[STEP_FINIT] = "finit_module",
	};
	return names[step];
}

static void report_failure(const struct ml_entry *e, const struct module_result *r, bool tolerated)
{
	const char *result = tolerated ? "optional-failed" : "failed";
	int level = tolerated ? LOG_WARNING : LOG_ERR;

	switch (r->step) {
	case STEP_DEPENDENCY:
		say(level, "module=%s result=%s step=dependency needs=%s", ml_string(e->name),
		    result, ml_string(ml_table[r->need].name));
		break;
	case STEP_SIZE:
		say(level, "module=%s result=%s step=size expected=%llu actual=%llu us=%lld",
		    ml_string(e->name), result, (unsigned long long)e->size, r->actual_size,
		    r->usec);
		break;
	case STEP_SHA256:
	case STEP_TYPE:
	case STEP_HELPERS:
	case STEP_RELEASE:
	case STEP_LATCHED:
	case STEP_NONE:
		say(level, "module=%s result=%s step=%s us=%lld", ml_string(e->name), result,
		    step_name(r->step), r->usec);
		break;
	default:
		say(level, "module=%s result=%s step=%s errno=%s us=%lld", ml_string(e->name),
		    result, step_name(r->step), errno_name(r->err), r->usec);
	}
}

static void report_entry(const struct ml_entry *e, const struct module_result *r, struct tally *t)
{
	static const char *const names[] = {
		[OUTCOME_LOADED] = "loaded",
		[OUTCOME_ALREADY] = "already",
		[OUTCOME_BUILTIN] = "builtin",
		[OUTCOME_ABSENT] = "absent",
	};
	unsigned *counter[] = {
		[OUTCOME_LOADED] = &t->loaded,
		[OUTCOME_ALREADY] = &t->already,
		[OUTCOME_BUILTIN] = &t->builtin,
		[OUTCOME_ABSENT] = &t->absent,
	};

	t->finit_us += r->finit_usec;
	if (r->outcome != OUTCOME_FAILED) {
		(*counter[r->outcome])++;
		say(LOG_INFO, "module=%s result=%s us=%lld finit_us=%lld finit_start_us=%lld",
		    ml_string(e->name), names[r->outcome], r->usec, r->finit_usec,
		    r->finit_start_us);
		return;
	}
	bool tolerated = failure_is_tolerated(e, r);
	t->integrity += is_integrity_failure(r);
	if (tolerated)
		t->optional_failed++;
	else
		t->failed++;
	report_failure(e, r, tolerated);
}

static void report_companions(const struct boot *boot)
{
	if (!ML_ANY_COMPANION)
		return;
	for (unsigned i = 0; i < COMPANIONS; i++) {
		const struct companion_result *r = &boot->companions[i];

		if (r->state == COMPANION_ABSENT)
			say(LOG_INFO, "latch %s absent", companion_name(i));
		else if (r->state == COMPANION_CONFIRMED)
			say(LOG_INFO, "latch %s=%s confirmed", companion_name(i), r->value);
		else if (r->state == COMPANION_UNCONFIRMED)
			say(LOG_CRIT, "latch %s=%s NOT CONFIRMED%s%s", companion_name(i), r->value,
			    r->err ? " errno=" : "", r->err ? errno_name(r->err) : "");
	}
}

static void report_after_latch(const struct boot *boot)
{
	if (!ML_AFTER_LATCH_RECORD)
		return;
	if (boot->recording)
		say(LOG_INFO, "after_latch=record helper=%s names=%s", ML_AFTER_LATCH_HELPER,
		    ML_REQUEST_FILE);
	else
		say(LOG_ERR,
		    "after_latch=blank: module requests after the latch will not be named");
}

void report(const struct boot *boot)
{
	struct tally t = { 0 };

	for (unsigned i = 0; i < ml_table_len; i++)
		report_entry(&ml_table[i], &boot->results[i], &t);
	say(boot->latched ? LOG_INFO : LOG_CRIT, "latch modules_disabled=%c probe=%s %s",
	    boot->latch_value, boot->probe_err ? errno_name(boot->probe_err) : "accepted",
	    boot->latched ? "confirmed" : "NOT CONFIRMED");
	report_companions(boot);
	report_after_latch(boot);
	if (t.integrity)
		say(LOG_CRIT, "integrity_failed=%u", t.integrity);
	if (boot->foreign)
		say(LOG_ERR, "foreign=%u", boot->foreign);
	bool latched = boot->latched && boot->companions_hold;
	bool clean = latched && t.failed == 0;
	say(clean ? LOG_NOTICE : LOG_ERR,
	    "summary loaded=%u already=%u builtin=%u absent=%u failed=%u optional_failed=%u "
	    "latched=%s release=%s total_ms=%lld finit_ms=%lld threads=%u start_us=%lld "
	    "latch_us=%lld",
	    t.loaded, t.already, t.builtin, t.absent, t.failed, t.optional_failed,
	    latched ? "yes" : "no", boot->release_matches ? "match" : "mismatch",
	    (boot->latched_us - boot->started_us + 500) / 1000, (t.finit_us + 500) / 1000,
	    boot->threads, boot->started_us, boot->latched_us);
}
