/* SPDX-License-Identifier: MIT */
/*
 * modlatch-gen --cpio: the initramfs that `make initramfs` builds, as the kernel reads it: the
 * "newc" cpio format (the kernel's Documentation/driver-api/early-userspace/buffer-format.rst).
 *
 * Why a writer of our own and not GNU cpio over a staged tree: GNU cpio takes each entry's times
 * and modes from the disk, so every mtime of the stage would have to be set first, and
 * /dev/console, which the kernel opens before anything is mounted, would have to exist there as
 * a device node, which only root can create. Here every field follows a rule below and the node
 * is written without existing on disk, so any user gets the same bytes as root, from the same
 * tree, whatever the clock, the umask or the filesystem:
 *   - entries sorted by name, bytewise, so a directory comes before what it holds; the tree's
 *     top itself is no entry (the kernel's root stays as it is);
 *   - owner and group 0; the mode (type and permission bits) as in the tree; one mtime for all;
 *   - inode numbers counted from 1 in archive order, device numbers 0; link counts 1 (2 for a
 *     directory), so hard links in the tree become copies: the kernel links entries that share
 *     an inode number and have a count above 1, and that would make the bytes depend on how the
 *     tree was copied;
 *   - a device node has its major and minor, a symbolic link its target as data;
 *   - after the trailer, zeros up to a multiple of 512 bytes, as GNU cpio and the kernel's
 *     gen_init_cpio end theirs.
 */
#include "cpio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "array_len.h"
#include "errname.h"
#include "output.h"
#include "util.h"

struct entry {
	char *name;   /* in the archive: relative, no leading '/' */
	char *source; /* on disk; NULL for a --node */
	unsigned mode;
	unsigned rmajor, rminor;
};

struct archive {
	struct entry *entries;
	size_t len;
	unsigned long mtime;
	unsigned long long offset; /* bytes written so far */
	FILE *out;
};

static int add(struct archive *a, char *name, char *source, unsigned mode, dev_t rdev)
{
	if (!name || grow(&a->entries, a->len, sizeof(*a->entries)) < 0) {
		fprintf(stderr, "%s: %s\n", source ? source : "--node", errno_name(ENOMEM));
		free(name);
		free(source);
		return -1;
	}
	a->entries[a->len++] = (struct entry){ name, source, mode, major(rdev), minor(rdev) };
	return 0;
}

static char *join(const char *dir, const char *name)
{
	char *path;

	return asprintf(&path, "%s%s%s", dir, dir[0] ? "/" : "", name) < 0 ? NULL : path;
}

/* Adds every entry below the directory source, named below prefix ("" at the top). */
static int collect(struct archive *a, const char *source, const char *prefix)
{
	DIR *dir = opendir(source);
	struct dirent *d;
	int rc = 0;

	if (!dir) {
		fprintf(stderr, "%s: cannot read: %s\n", source, errno_name(errno));
		return -1;
	}
	while (rc == 0 && (errno = 0, d = readdir(dir))) {
		struct stat st;
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		char *path = join(source, d->d_name), *name = join(prefix, d->d_name);
		if (path && lstat(path, &st) < 0) {
			fprintf(stderr, "%s: %s\n", path, errno_name(errno));
			free(path);
			free(name);
			rc = -1;
		} else if (!path || add(a, name, path, st.st_mode, st.st_rdev) < 0) {
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			rc = collect(a, path, name);
		}
	}
	if (rc == 0 && errno) {
		fprintf(stderr, "%s: cannot read: %s\n", source, errno_name(errno));
		rc = -1;
	}
	closedir(dir);
	return rc;
}

/* --node NAME:MODE:c|b:MAJOR:MINOR, as "dev/console:0600:c:5:1". */
static int add_node(struct archive *a, const char *spec)
{
	char *name = NULL, type = 0;
	unsigned perm, maj, min;
	int end = -1;

	if (sscanf(spec, "%m[^:]:%o:%c:%u:%u%n", &name, &perm, &type, &maj, &min, &end) != 5 ||
	    end != (int)strlen(spec) || (type != 'c' && type != 'b') || perm > 07777 ||
	    !plain_relative(name)) {
		fprintf(stderr,
			"--node %s: expected NAME:MODE:c|b:MAJOR:MINOR, such as "
			"dev/console:0600:c:5:1, NAME relative and without '..'\n",
			spec);
		free(name);
		return -1;
	}
	return add(a, name, NULL, (type == 'c' ? S_IFCHR : S_IFBLK) | perm, makedev(maj, min));
}

static int by_name(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->name, ((const struct entry *)y)->name);
}

/* Each name once, and a --node's directory in the archive, where the kernel can create it. */
static int check_names(const struct archive *a)
{
	for (size_t i = 0; i < a->len; i++) {
		const struct entry *e = &a->entries[i];
		if (i > 0 && strcmp(e->name, a->entries[i - 1].name) == 0) {
			fprintf(stderr, "%s: named twice (by the tree or by --node)\n", e->name);
			return -1;
		}
		const char *slash = strrchr(e->name, '/');
		if (e->source || !slash)
			continue;
		struct entry key = { .name = strndup(e->name, (size_t)(slash - e->name)) };
		const struct entry *dir =
			key.name ? bsearch(&key, a->entries, a->len, sizeof(key), by_name) : NULL;
		free(key.name);
		if (!dir || !S_ISDIR(dir->mode)) {
			fprintf(stderr, "--node %s: its directory is not a directory of the tree\n",
				e->name);
			return -1;
		}
	}
	return 0;
}

static void pad(struct archive *a, unsigned align)
{
	for (; a->offset % align; a->offset++)
		fputc(0, a->out);
}

/* The fixed part of a newc header: "070701", then 13 fields of 8 hex digits. */
static void header(struct archive *a, unsigned ino, const struct entry *e, unsigned long size)
{
	enum { NAMESIZE = 11 };
	const unsigned long fields[] = {
		ino,
		e->mode,
		0,			  /* uid */
		0,			  /* gid */
		S_ISDIR(e->mode) ? 2 : 1, /* nlink */
		a->mtime,
		size,
		0, /* devmajor: the device the entry was read from */
		0, /* devminor */
		e->rmajor,
		e->rminor,
		strlen(e->name) + 1, /* namesize, with its NUL */
		0,		     /* check: only for format 070702 */
	};

	fputs("070701", a->out);
	for (size_t i = 0; i < ARRAY_LEN(fields); i++)
		fprintf(a->out, "%08lX", fields[i]);
	fwrite(e->name, 1, fields[NAMESIZE], a->out);
	a->offset += 6 + 8 * ARRAY_LEN(fields) + fields[NAMESIZE];
	pad(a, 4);
}

/* The contents of regular file e; it must not change while it is read. */
static int copy_file(struct archive *a, const struct entry *e, unsigned ino)
{
	char buf[65536];
	struct stat st;
	ssize_t n = 0;
	int fd = open(e->source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "%s: cannot read: %s\n", e->source, errno_name(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size > UINT32_MAX) {
		fprintf(stderr, "%s: %s\n", e->source,
			S_ISREG(st.st_mode) ? "larger than the format's 4 GiB"
					    : "no longer a file");
		close(fd);
		return -1;
	}
	unsigned long left = (unsigned long)st.st_size;
	header(a, ino, e, left);
	while (left > 0 && (n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)n, a->out);
		a->offset += (unsigned long long)n;
		left -= (unsigned long)n;
	}
	bool changed = n >= 0 && (left > 0 || read(fd, buf, 1) != 0);
	if (n < 0 || changed)
		fprintf(stderr, "%s: %s while being read\n", e->source,
			changed ? "changed" : errno_name(errno));
	close(fd);
	pad(a, 4);
	return n < 0 || changed ? -1 : 0;
}

static int copy_link(struct archive *a, const struct entry *e, unsigned ino)
{
	char target[4096];
	ssize_t n = readlink(e->source, target, sizeof(target));

	if (n < 0 || (size_t)n == sizeof(target)) {
		fprintf(stderr, "%s: cannot read the link: %s\n", e->source,
			errno_name(n < 0 ? errno : ENAMETOOLONG));
		return -1;
	}
	header(a, ino, e, (unsigned long)n);
	fwrite(target, 1, (size_t)n, a->out);
	a->offset += (unsigned long long)n;
	pad(a, 4);
	return 0;
}

static int write_archive(struct archive *a)
{
	char end[] = "TRAILER!!!";
	const struct entry trailer = { .name = end };
	int rc = 0;

	for (size_t i = 0; i < a->len && rc == 0; i++) {
		const struct entry *e = &a->entries[i];
		unsigned ino = (unsigned)i + 1;
		if (S_ISREG(e->mode))
			rc = copy_file(a, e, ino);
		else if (S_ISLNK(e->mode))
			rc = copy_link(a, e, ino);
		else
			header(a, ino, e, 0);
	}
	if (rc < 0)
		return -1;
	a->mtime = 0; /* the trailer's, as gen_init_cpio writes it */
	header(a, 0, &trailer, 0);
	pad(a, 512);
	return 0;
}

static void cpio_usage(void)
{
	fprintf(stderr,
		"usage: modlatch-gen --cpio [--mtime SECONDS] [--node "
		"NAME:MODE:c|b:MAJOR:MINOR]... "
		"DIR OUTPUT\n"
		"Writes the tree below DIR and each --node as an initramfs (cpio, newc) to "
		"OUTPUT:\n"
		"sorted, owned by 0:0, every entry dated SECONDS since 1970 (default 0).\n");
}

static int parse_mtime(const char *s, unsigned long *mtime)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v > UINT32_MAX) {
		fprintf(stderr, "--mtime %s: expected seconds since 1970, 0 to %lu\n", s,
			(unsigned long)UINT32_MAX);
		return -1;
	}
	*mtime = (unsigned long)v;
	return 0;
}

static int parse_options(struct archive *a, int argc, char **argv)
{
	static const struct option options[] = { { "mtime", required_argument, NULL, 't' },
						 { "node", required_argument, NULL, 'n' },
						 { NULL, 0, NULL, 0 } };
	int opt, rc = 0;

	optind = 1;
	while (rc == 0 && (opt = getopt_long(argc, argv, "t:n:", options, NULL)) != -1) {
		if (opt == 't')
			rc = parse_mtime(optarg, &a->mtime);
		else if (opt == 'n')
			rc = add_node(a, optarg);
		else
			rc = -1;
	}
	if (rc == 0 && argc - optind != 2)
		rc = -1;
	if (rc < 0)
		cpio_usage();
	return rc;
}

static void free_entries(struct archive *a)
{
	for (size_t i = 0; i < a->len; i++) {
		free(a->entries[i].name);
		free(a->entries[i].source);
	}
	free(a->entries);
}

int cpio_main(int argc, char **argv)
{
	struct archive a = { 0 };
	struct output o = { 0 };
	int rc = 1;

	if (parse_options(&a, argc, argv) < 0) {
		free_entries(&a);
		return 2;
	}
	const char *dir = argv[optind], *path = argv[optind + 1];
	if (collect(&a, dir, "") == 0) {
		qsort(a.entries, a.len, sizeof(*a.entries), by_name);
		if (check_names(&a) == 0 && output_open(&o, path)) {
			a.out = o.out;
			if (output_close(&o, write_archive(&a)) == 0 && output_commit(&o) == 0)
				rc = 0;
		}
	}
	if (rc)
		fprintf(stderr, "modlatch-gen: %s not written\n", path);
	output_discard(&o);
	free_entries(&a);
	return rc;
}
