/* SPDX-License-Identifier: MIT */
/*
 * Companion latches: other one-way switches that close a way into the running kernel, set in
 * the same step as modules_disabled when the build asks for them (ALSO_LATCH). Each is read back;
 * a knob the kernel lacks means the feature it guards is not built in, so there is nothing to
 * close and it counts as absent rather than failed; but only where /proc is the kernel's own
 * procfs, since on anything else every knob would look absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "fmt.h"
#include "kernel.h"
#include "text.h"

/* include/uapi/linux/capability.h: CAP_SYS_MODULE, and its bit in a set's first word. */
#define CAP_SYS_MODULE	   16
#define CAP_SYS_MODULE_BIT (1UL << CAP_SYS_MODULE)

struct knob {
	const char *name;  /* as the report names it */
	const char *path;  /* NULL: not a knob of /proc (the bounding set of this process) */
	unsigned long fs;  /* the kernel filesystem path must lie on for "absent" to mean absent */
	const char *write; /* what to write */
	const char *want;  /* what the value must read back as */
	bool wanted;
};

static const struct knob knobs[COMPANIONS] = {
	[COMPANION_KEXEC] = { "kexec_load_disabled", "/proc/sys/kernel/kexec_load_disabled",
			      PROC_SUPER_MAGIC, "1\n", "1", ML_LATCH_KEXEC },
	[COMPANION_BPF] = { "unprivileged_bpf_disabled",
			    "/proc/sys/kernel/unprivileged_bpf_disabled", PROC_SUPER_MAGIC, "1\n",
			    "1", ML_LATCH_BPF },
	[COMPANION_PTRACE] = { "yama.ptrace_scope", "/proc/sys/kernel/yama/ptrace_scope",
			       PROC_SUPER_MAGIC, "3\n", "3", ML_LATCH_PTRACE },
	[COMPANION_UMH_BSET] = { "usermodehelper.bset", "/proc/sys/kernel/usermodehelper/bset",
				 PROC_SUPER_MAGIC, NULL, NULL, ML_LATCH_UMH_BSET },
	[COMPANION_SYS_MODULE] = { "bset.cap_sys_module", NULL, 0, NULL, NULL,
				   ML_LATCH_SYS_MODULE },
};

const char *companion_name(unsigned which)
{
	return knobs[which].name;
}

/* Reads the value at the start of fd into r->value, without its newline. */
static bool read_value(int fd, struct companion_result *r)
{
	ssize_t n = pread(fd, r->value, sizeof(r->value) - 1, 0);

	if (n < 0) {
		r->err = errno;
		r->value[0] = '\0';
		return false;
	}
	r->value[n] = '\0';
	r->value[span(r->value, "\n")] = '\0';
	/* The bset's two words are tab-separated; the report's fields are space-separated. */
	for (char *c = r->value; *c; c++)
		if (*c == '\t')
			*c = ',';
	return true;
}

/* Reads a decimal number at *s and moves past it; false when there is none or it overflows. */
static bool parse_number(const char **s, unsigned long long *n)
{
	const char *p = *s;

	for (*n = 0; *p >= '0' && *p <= '9'; p++) {
		if (*n > (~0ULL - 9) / 10)
			return false;
		*n = *n * 10 + (unsigned)(*p - '0');
	}
	if (p == *s)
		return false;
	*s = p;
	return true;
}

/* The capability words "lo,hi" (as read_value shows the kernel's "lo\thi") in the kernel's
 * form with CAP_SYS_MODULE cleared; false if they do not parse. */
static bool bset_without_sys_module(const char *value, char *out, size_t len)
{
	unsigned long long lo, hi;

	if (!parse_number(&value, &lo) || *value++ != ',' || !parse_number(&value, &hi) ||
	    *value != '\0')
		return false;
	fmt(out, len, "%llu\t%llu\n", lo & ~(unsigned long long)CAP_SYS_MODULE_BIT, hi);
	return true;
}

static bool bset_confirmed(const char *value)
{
	unsigned long long lo;

	return parse_number(&value, &lo) && !(lo & CAP_SYS_MODULE_BIT);
}

/* Writes the knob's value, or for the bset the value it has minus CAP_SYS_MODULE. */
static void write_knob(int fd, const struct knob *k, struct companion_result *r)
{
	char bset[64];
	const char *value = k->write;

	if (!value) {
		if (!read_value(fd, r))
			return;
		if (!bset_without_sys_module(r->value, bset, sizeof(bset))) {
			r->err = EINVAL;
			return;
		}
		value = bset;
	}
	size_t len = strlen(value);
	if (write(fd, value, len) != (ssize_t)len)
		r->err = errno;
}

static void set_knob(const struct knob *k, struct companion_result *r)
{
	int fd = open(k->path, O_RDWR | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && on_filesystem("/proc/sys", k->fs)) {
		r->state = COMPANION_ABSENT;
		return;
	}
	if (fd < 0) {
		/* Still read what it holds, for the report. */
		int open_err = errno;
		fd = open(k->path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			read_value(fd, r);
			close(fd);
		}
		r->err = open_err;
		r->state = COMPANION_UNCONFIRMED;
		return;
	}
	if (!fd_on_filesystem(fd, k->fs)) {
		/* Not the kernel's knob (a bind mount over it): what it reads proves nothing. */
		close(fd);
		r->err = EXDEV;
		r->state = COMPANION_UNCONFIRMED;
		return;
	}
	write_knob(fd, k, r);
	bool read = read_value(fd, r);
	close(fd);
	bool holds = read && (k->want ? strcmp(r->value, k->want) == 0 : bset_confirmed(r->value));
	r->state = holds ? COMPANION_CONFIRMED : COMPANION_UNCONFIRMED;
}

/*
 * CAP_SYS_MODULE leaves the helpers' bounding set before the first load, not at the latch: the
 * helpers that are not blanked (request-key, the poweroff command, ...) must not hold it while
 * loading is open. modlatch's own loads keep their capabilities.
 */
void drop_helpers_module_capability(struct boot *boot)
{
	if (ML_LATCH_UMH_BSET)
		set_knob(&knobs[COMPANION_UMH_BSET], &boot->companions[COMPANION_UMH_BSET]);
}

/*
 * CAP_SYS_MODULE leaves this process's own bounding set once loading is closed, so that nothing
 * exec'd from here on (the supervisor, and all it starts) holds it. It grants nothing after the
 * latch; without it systemd skips its module loaders (ConditionCapability=CAP_SYS_MODULE) instead
 * of running them to fail. Read back: 0 means the bit is out of the set.
 */
static void drop_own_module_capability(struct companion_result *r)
{
	if (prctl(PR_CAPBSET_DROP, CAP_SYS_MODULE, 0, 0, 0) < 0)
		r->err = errno;
	int held = prctl(PR_CAPBSET_READ, CAP_SYS_MODULE, 0, 0, 0);
	if (held < 0 && !r->err)
		r->err = errno;
	fmt(r->value, sizeof(r->value), "%d", held);
	r->state = held == 0 ? COMPANION_CONFIRMED : COMPANION_UNCONFIRMED;
}

void latch_companions(struct boot *boot)
{
	boot->companions_hold = true;
	if (!ML_ANY_COMPANION)
		return; /* and the code above is left out of the binary */
	for (unsigned i = 0; i < COMPANIONS; i++) {
		if (!knobs[i].wanted)
			continue;
		if (i == COMPANION_SYS_MODULE)
			drop_own_module_capability(&boot->companions[i]);
		else if (i != COMPANION_UMH_BSET)
			set_knob(&knobs[i], &boot->companions[i]);
		if (boot->companions[i].state == COMPANION_UNCONFIRMED)
			boot->companions_hold = false;
	}
}
