/* SPDX-License-Identifier: MIT */
/*
 * Nothing in the kernel but the table. Once loading is closed, /proc/modules must hold only the
 * table's entries: a module that something else loaded (a helper the kernel ran before PID 1, a
 * stage that left one behind) is named, and so is a table entry that was in the kernel before
 * modlatch loaded it (EEXIST: its file was never the one checked). A module still loading when
 * the latch fell is waited for, briefly: its load began before the latch and ends after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "fmt.h"
#include "log.h"
#include "text.h"

/*
 * /proc/modules: one line per module, "NAME SIZE REFS DEPS STATE ADDRESS", newest first, so a
 * list cut short would lose the oldest, those loaded before modlatch. 256 KiB (of memory that
 * is not in the file) hold some 3,000 lines; a list that fills it may have been cut, and is
 * taken as unknown (EFBIG), never as clean.
 */
static char modules[256 * 1024];

/* Whether a module is still in its init: its state field reads "Loading". */
static bool any_loading(size_t len)
{
	static const char state[] = " Loading ";

	for (size_t at = 0; at + sizeof(state) - 1 <= len; at++)
		if (memcmp(modules + at, state, sizeof(state) - 1) == 0)
			return true;
	return false;
}

/* Up to 5 s for loads that began before the latch; then the list as it is. */
static ssize_t settled_modules(void)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };
	ssize_t len;

	for (int tries = 0; (len = read_text("/proc/modules", modules, sizeof(modules))) >= 0 &&
			    any_loading((size_t)len) && tries < 500;
	     tries++)
		nanosleep(&pause, NULL);
	return len;
}

/* Whether name (of length len) is a word of the space-separated list. */
static bool in_words(const char *list, const char *name, size_t len)
{
	for (const char *w = list; *w; w += span(w, " "), w += *w == ' ')
		if (span(w, " ") == len && memcmp(w, name, len) == 0)
			return true;
	return false;
}

/* The table entry named name (of length len) that modlatch loaded itself, or -1. */
static int loaded_entry(const char *name, size_t len, const struct module_result *results)
{
	for (unsigned i = 0; i < ml_table_len; i++)
		if (strlen(ml_string(ml_table[i].name)) == len &&
		    memcmp(ml_string(ml_table[i].name), name, len) == 0)
			return results[i].outcome == OUTCOME_LOADED ? (int)i : -1;
	return -1;
}

void check_loaded_modules(struct boot *boot)
{
	ssize_t read = settled_modules();

	if (read < 0 || (size_t)read >= sizeof(modules) - 1) {
		say(LOG_ERR, "cannot read /proc/modules: %s", errno_name(read < 0 ? errno : EFBIG));
		boot->foreign = 1;
		return;
	}
	for (char *line = modules; *line; line += span(line, "\n"), line += *line == '\n') {
		size_t len = span(line, " \n");
		if (len == 0 || loaded_entry(line, len, boot->results) >= 0 ||
		    in_words(ML_ALLOW_FOREIGN, line, len))
			continue;
		boot->foreign++;
		say(LOG_ERR, "foreign module=%.*s: in the kernel, not loaded from the table",
		    (int)len, line);
	}
}
