/* SPDX-License-Identifier: MIT */
/*
 * Learning a list from a running system. /proc/modules names each loaded module and the loaded
 * modules that use it; a module nothing uses was loaded for its own sake (by udev for a device,
 * or by hand), and the others came in as dependencies, which modlatch-gen adds back from
 * modules.dep. So the list keeps the unused ones, in the order they were loaded, and says per
 * line what it knows of why: the devices the module's drivers are bound to (from sysfs) and the
 * dependencies it pulled in.
 */
#include "learn.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "array_len.h"
#include "errname.h"
#include "table.h"
#include "util.h"

/* What the kernel's module names are made of; anything else would change meaning in a list. */
static bool module_name_ok(const char *name)
{
	return name[0] && strlen(name) <= ML_MODULE_NAME_MAX &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
		       strlen(name);
}

static char *next_field(char **cursor)
{
	return strsep(cursor, " \t");
}

/* "a,b," or "-" into users; false when the field is malformed. */
static bool parse_users(char *field, struct loaded_module *m)
{
	if (strcmp(field, "-") == 0)
		return true;
	size_t len = strlen(field);
	if (len < 2 || field[len - 1] != ',')
		return false;
	field[len - 1] = '\0';
	for (char *name; (name = strsep(&field, ",")) != NULL;) {
		if (!module_name_ok(name))
			return false;
		if (append_copy(&m->users, &m->nusers, name) < 0)
			return false;
	}
	return true;
}

static bool all_digits(const char *s)
{
	return s && *s && strspn(s, "0123456789") == strlen(s);
}

/* One line: "name size refcount users state address [taints]". NULL when it is fine. */
static const char *parse_line(char *line, struct loaded_module *m)
{
	char *cursor = line;
	char *name = next_field(&cursor), *size = next_field(&cursor);
	char *refcount = next_field(&cursor), *users = next_field(&cursor);
	char *state = next_field(&cursor);

	if (!name || !*name || !state || !*state)
		return "expected 'name size refcount users state address'";
	if (strlen(name) > ML_MODULE_NAME_MAX)
		return "module name longer than the kernel allows";
	if (!module_name_ok(name))
		return "module name with a character other than letters, digits, '_' and '-'";
	if (!all_digits(size) || !(all_digits(refcount) || strcmp(refcount, "-") == 0))
		return "size and reference count must be numbers";
	if (!(m->name = strdup(name)) || !(m->state = strdup(state)))
		return "out of memory";
	if (!parse_users(users, m))
		return "users must be '-' or names each followed by ','";
	return NULL;
}

void loaded_free(struct loaded *loaded)
{
	for (size_t i = 0; i < loaded->len; i++) {
		struct loaded_module *m = &loaded->modules[i];
		for (size_t u = 0; u < m->nusers; u++)
			free(m->users[u]);
		free(m->users);
		free(m->name);
		free(m->state);
	}
	free(loaded->modules);
	loaded->modules = NULL;
	loaded->len = 0;
}

int loaded_read(FILE *in, const char *path, struct loaded *loaded)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	int rc = 0;

	*loaded = (struct loaded){ 0 };
	for (ssize_t n; (n = getline(&line, &cap, in)) >= 0;) {
		size_t len = (size_t)n;
		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != len) {
			fprintf(stderr, "%s:%u: NUL byte in line\n", path, lineno);
			rc = -1;
			continue;
		}
		if (grow(&loaded->modules, loaded->len, sizeof(*loaded->modules)) < 0) {
			rc = -1;
			break;
		}
		struct loaded_module *m = &loaded->modules[loaded->len++];
		*m = (struct loaded_module){ 0 };
		const char *err = parse_line(line, m);
		if (err) {
			fprintf(stderr, "%s:%u: %s\n", path, lineno, err);
			rc = -1;
		}
	}
	free(line);
	if (ferror(in)) {
		fprintf(stderr, "%s: cannot read: %s\n", path, errno_name(errno));
		rc = -1;
	}
	if (rc < 0)
		loaded_free(loaded);
	return rc;
}

static long find_loaded(const struct loaded *loaded, const char *name)
{
	for (size_t i = 0; i < loaded->len; i++)
		if (strcmp(loaded->modules[i].name, name) == 0)
			return (long)i;
	return -1;
}

static bool is_user(const struct loaded_module *m, const char *name)
{
	for (size_t u = 0; u < m->nusers; u++)
		if (strcmp(m->users[u], name) == 0)
			return true;
	return false;
}

/* Marks in pulled what module i needs, directly or not (the modules it is a user of). */
static void mark_pulled(const struct loaded *loaded, size_t i, bool *pulled)
{
	for (size_t d = 0; d < loaded->len; d++) {
		if (pulled[d] || !is_user(&loaded->modules[d], loaded->modules[i].name))
			continue;
		pulled[d] = true;
		mark_pulled(loaded, d, pulled);
	}
}

/*
 * Writes s into a comment of the list with every character outside a safe set as '?': a name
 * from sysfs or the input's path could otherwise end the comment and start an entry (a newline)
 * or hide the rest of a line from a reader (a carriage return, an escape sequence).
 */
static void put_safe(FILE *out, const char *s)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789:._+-/";

	for (; *s; s++)
		fputc(strchr(safe, *s) ? *s : '?', out);
}

/* Whether a name in a driver's sysfs directory is a device bound to it. */
static bool is_device_entry(const char *name)
{
	static const char *const attributes[] = { "bind",   "unbind",	 "uevent",
						  "new_id", "remove_id", "module" };

	if (name[0] == '.')
		return false;
	for (size_t i = 0; i < ARRAY_LEN(attributes); i++)
		if (strcmp(name, attributes[i]) == 0)
			return false;
	return true;
}

/* Devices named per line; the rest are counted, so a line stays far below the list's limit. */
#define DEVICES_NAMED 3

struct device_note {
	FILE *out;
	bool first; /* nothing written yet */
	unsigned seen;
};

/* Notes the devices bound to one driver: the entries of its sysfs directory that are not
 * attributes. */
static void note_driver(const char *dir, const char *driver, struct device_note *note)
{
	struct dirent **devices;
	int n = driver[0] == '.' ? -1 : scandir(dir, &devices, NULL, alphasort);

	for (int v = 0; v < n; v++) {
		if (is_device_entry(devices[v]->d_name) && note->seen++ < DEVICES_NAMED) {
			fprintf(note->out, "%sdevice ", note->first ? "" : ", ");
			put_safe(note->out, devices[v]->d_name);
			fputs(" (", note->out);
			put_safe(note->out, driver);
			fputc(')', note->out);
			note->first = false;
		}
		free(devices[v]);
	}
	if (n >= 0)
		free(devices);
}

/* Appends "device DEV (bus:driver)" for the devices module's drivers are bound to. */
static void describe_devices(const char *sysfs, const char *module, struct device_note *note)
{
	char path[4096];
	struct dirent **drivers;

	snprintf(path, sizeof(path), "%s/module/%s/drivers", sysfs, module);
	int n = scandir(path, &drivers, NULL, alphasort);
	for (int d = 0; d < n; d++) {
		char dir[sizeof(path) + sizeof(drivers[d]->d_name) + 1];
		snprintf(dir, sizeof(dir), "%s/%s", path, drivers[d]->d_name);
		note_driver(dir, drivers[d]->d_name, note);
		free(drivers[d]);
	}
	if (n >= 0)
		free(drivers);
	if (note->seen > DEVICES_NAMED)
		fprintf(note->out, " and %u more", note->seen - DEVICES_NAMED);
}

/* The comment of top-level module i: its devices, then what it pulled in, in load order. */
static char *comment_for(const struct loaded *loaded, size_t i, const char *sysfs)
{
	char *text = NULL;
	size_t len = 0;
	struct device_note note = { .out = open_memstream(&text, &len), .first = true };
	bool *pulled = calloc(loaded->len, sizeof(*pulled));

	if (!note.out || !pulled) {
		if (note.out)
			fclose(note.out);
		free(pulled);
		free(text);
		return NULL;
	}
	if (sysfs)
		describe_devices(sysfs, loaded->modules[i].name, &note);
	mark_pulled(loaded, i, pulled);
	bool any = false;
	for (size_t d = loaded->len; d-- > 0;) {
		if (!pulled[d])
			continue;
		fprintf(note.out, "%s%s",
			any	     ? ", "
			: note.first ? "pulls in "
				     : "; pulls in ",
			loaded->modules[d].name);
		any = true;
	}
	fclose(note.out);
	free(pulled);
	return text;
}

/* Listed: nothing loaded uses it. A user missing from the file (read mid-unload) counts as none,
 * so the module is not lost. */
static bool is_top_level(const struct loaded *loaded, const struct loaded_module *m)
{
	for (size_t u = 0; u < m->nusers; u++)
		if (find_loaded(loaded, m->users[u]) >= 0)
			return false;
	return true;
}

static int print_list(const struct loaded *loaded, const char *path, const char *sysfs)
{
	size_t top = 0, width = 0;

	for (size_t i = 0; i < loaded->len; i++) {
		if (is_top_level(loaded, &loaded->modules[i])) {
			top++;
			if (strlen(loaded->modules[i].name) > width)
				width = strlen(loaded->modules[i].name);
		}
	}
	fputs("# Learned by modlatch-gen --learn from ", stdout);
	put_safe(stdout, path);
	printf(".\n# %zu module(s) loaded: %zu listed here in load order, %zu left out as\n"
	       "# dependencies of those (modlatch-gen adds them back).\n",
	       loaded->len, top, loaded->len - top);
	for (size_t i = loaded->len; i-- > 0;) {
		const struct loaded_module *m = &loaded->modules[i];
		if (!is_top_level(loaded, m))
			continue;
		if (strcmp(m->state, "Live") != 0) {
			printf("# %s was ", m->name);
			put_safe(stdout, m->state);
			printf(", not Live, when read\n");
		}
		char *comment = comment_for(loaded, i, sysfs);
		if (!comment)
			return -1;
		if (*comment)
			printf("%-*s  # %s\n", (int)width, m->name, comment);
		else
			printf("%s\n", m->name);
		free(comment);
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

static void learn_usage(void)
{
	fprintf(stderr, "usage: modlatch-gen --learn [PROC_MODULES] [--sysfs DIR]\n"
			"PROC_MODULES defaults to /proc/modules; DIR to /sys when it does.\n");
}

int learn_main(int argc, char **argv)
{
	static const struct option options[] = { { "sysfs", required_argument, NULL, 's' },
						 { NULL, 0, NULL, 0 } };
	const char *path = "/proc/modules", *sysfs = NULL;
	struct loaded loaded;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "s:", options, NULL)) != -1) {
		if (opt != 's') {
			learn_usage();
			return 2;
		}
		sysfs = optarg;
	}
	if (argc - optind > 1) {
		learn_usage();
		return 2;
	}
	if (argc - optind == 1)
		path = argv[optind];
	else if (!sysfs)
		sysfs = "/sys";
	FILE *in = fopen(path, "re");
	if (!in) {
		fprintf(stderr, "%s: cannot open: %s\n", path, errno_name(errno));
		return 1;
	}
	int rc = loaded_read(in, path, &loaded);
	fclose(in);
	if (rc < 0)
		return 1;
	for (size_t i = 0; i < loaded.len; i++) {
		const struct loaded_module *m = &loaded.modules[i];
		if (m->nusers && is_top_level(&loaded, m))
			fprintf(stderr,
				"%s: note: %s is used only by modules not listed (%s); kept\n",
				path, m->name, m->users[0]);
	}
	rc = print_list(&loaded, path, sysfs);
	loaded_free(&loaded);
	return rc < 0 ? 1 : 0;
}
