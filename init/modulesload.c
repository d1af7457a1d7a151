/* SPDX-License-Identifier: MIT */
/*
 * ALSO_LATCH=sys_module and systemd: without CAP_SYS_MODULE in its bounding set, systemd skips
 * systemd-modules-load.service as an unmet condition, so a module named in modules-load.d that
 * the table lacks would never be tried, and never be missed. This step names each such module in
 * the kernel log, from the supervisor's root, just before the hand-off: a name the table has, or
 * one the kernel shows in /sys/module (built in), is in; anything else is missing after the latch.
 * It reads the files and loads nothing; the boot goes on either way.
 *
 * The directories are modules-load.d(5)'s, in its order; a file of an earlier one hides a file of
 * the same name in a later one (an /etc file linked to /dev/null masks the packaged one).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "fmt.h"
#include "log.h"
#include "text.h"

static const char *const dirs[] = { "/etc/modules-load.d",	     "/run/modules-load.d",
				    "/usr/local/lib/modules-load.d", "/usr/lib/modules-load.d",
				    "/lib/modules-load.d",	     NULL };

/* Whether a and b name the same module: '-' and '_' are one. */
static bool same_module(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return false;
	return *a == *b;
}

static bool in_kernel_or_table(const char *name)
{
	char path[300];

	for (unsigned i = 0; i < ml_table_len; i++)
		if (same_module(name, ml_string(ml_table[i].name)))
			return true;
	return fmt(path, sizeof(path), "/sys/module/%s", name) < sizeof(path) &&
	       access(path, F_OK) == 0;
}

/* Whether a file of that name in a directory before dirs[index] hides this one. */
static bool hidden(unsigned index, const char *name)
{
	char path[300];

	for (unsigned d = 0; d < index; d++)
		if (fmt(path, sizeof(path), "%s/%s", dirs[d], name) < sizeof(path) &&
		    access(path, F_OK) == 0)
			return true;
	return false;
}

/* Names each module of one file (its first 8 KiB) that neither the table nor the kernel has. */
static void check_file(const char *path)
{
	char text[8192];
	unsigned number = 0;

	if (read_text(path, text, sizeof(text)) < 0)
		return; /* /dev/null and unreadable files alike: nothing systemd would load either
			 */
	for (char *line = text, *next; line; line = next) {
		next = find(line, '\n');
		if (next)
			*next++ = '\0';
		number++;
		line += strspn(line, " \t");
		line[span(line, " \t\r#;")] = '\0';
		if (line[0] && !in_kernel_or_table(line))
			say(LOG_WARNING,
			    "modules-load: %s (%s:%u) is not in the table, and systemd will not "
			    "try it "
			    "without CAP_SYS_MODULE",
			    line, path, number);
	}
}

struct visit {
	unsigned index;
};

static bool visit_conf(int dirfd, const char *name, void *arg)
{
	const struct visit *v = arg;
	char path[300];
	size_t len = strlen(name);

	(void)dirfd;
	if (len > 5 && strcmp(name + len - 5, ".conf") == 0 && !hidden(v->index, name) &&
	    fmt(path, sizeof(path), "%s/%s", dirs[v->index], name) < sizeof(path))
		check_file(path);
	return false;
}

void name_modules_load_gaps(const struct boot *boot)
{
	if (!ML_LATCH_SYS_MODULE ||
	    boot->companions[COMPANION_SYS_MODULE].state != COMPANION_CONFIRMED)
		return; /* and the code above is left out of the binary */
	for (unsigned i = 0; dirs[i]; i++) {
		struct visit v = { i };
		int dirfd = open(dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			continue;
		each_entry(dirfd, visit_conf, &v);
		close(dirfd);
	}
}
