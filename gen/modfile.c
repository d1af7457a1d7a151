/* SPDX-License-Identifier: MIT */
#include "modfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errname.h"
#include "filehash.h"
#include "table.h"
#include "util.h"

unsigned modfile_compression_of(const char *path)
{
	if (ends_with(path, ".gz"))
		return ML_COMP_GZIP;
	if (ends_with(path, ".xz"))
		return ML_COMP_XZ;
	if (ends_with(path, ".zst"))
		return ML_COMP_ZSTD;
	return ML_COMP_NONE;
}

static const struct {
	unsigned char bytes[6];
	size_t len;
} magic[] = {
	[ML_COMP_NONE] = { { 0x7f, 'E', 'L', 'F' }, 4 },
	[ML_COMP_GZIP] = { { 0x1f, 0x8b }, 2 },
	[ML_COMP_XZ] = { { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6 },
	[ML_COMP_ZSTD] = { { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
};

int modfile_open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = { .flags = (unsigned)flags | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

int modfile_read_fd(int fd, const char *name, struct modfile *facts)
{
	unsigned char head[6] = { 0 };

	memset(facts, 0, sizeof(*facts));
	facts->compression = modfile_compression_of(name);
	if (sha256_fd(fd, facts->sha256, &facts->size) < 0 ||
	    pread(fd, head, sizeof(head), 0) < 0) {
		fprintf(stderr, "%s: read: %s\n", name, errno_name(errno));
		return -1;
	}
	const size_t n = magic[facts->compression].len;
	if (facts->size < n || memcmp(head, magic[facts->compression].bytes, n) != 0) {
		fprintf(stderr, "%s: contents are not %s\n", name,
			facts->compression == ML_COMP_NONE
				? "an ELF object"
				: ml_compression_name(facts->compression));
		return -1;
	}
	return 0;
}

int modfile_read(const char *path, struct modfile *facts)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", path, errno_name(errno));
		return -1;
	}
	int rc = modfile_read_fd(fd, path, facts);
	close(fd);
	return rc;
}

static void strip_slashes(char *path)
{
	for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
		path[n - 1] = '\0';
}

/* Splits dir (modified) into the root and the part below it, three components by default. */
static const char *split_root(char *dir, const char *root, const char **below)
{
	size_t len = root ? strlen(root) : 0;

	if (root && strcmp(root, "/") == 0)
		len = 0;
	if (root) {
		*below = dir + len + 1;
		return strncmp(dir, root, len) == 0 && dir[len] == '/' ? root : NULL;
	}
	char *slash = NULL;
	for (int parts = 0; parts < 3; parts++) {
		slash = memrchr(dir, '/', slash ? (size_t)(slash - dir) : strlen(dir));
		if (!slash)
			break;
	}
	if (!slash) {
		*below = dir;
		return dir[0] && strchr(dir, '/') != strrchr(dir, '/') ? "." : NULL;
	}
	*slash = '\0';
	*below = slash + 1;
	return dir[0] ? dir : "/";
}

static int same_directory(const struct image *img, const char *moddir, const char *top)
{
	struct stat in_image, on_host;

	if (stat(moddir, &on_host) < 0) {
		fprintf(stderr, "%s: %s\n", moddir, errno_name(errno));
		return -1;
	}
	int fd = modfile_open_in_root(img->rootfd, img->moddir, O_PATH | O_DIRECTORY);
	if (fd < 0 && errno == ENOSYS) {
		fprintf(stderr,
			"%s: ENOSYS: this kernel has no openat2 (Linux 5.6+), needed to "
			"read files inside the image\n",
			moddir);
		return -1;
	}
	bool same = fd >= 0 && fstat(fd, &in_image) == 0 && in_image.st_dev == on_host.st_dev &&
		    in_image.st_ino == on_host.st_ino;
	if (!same)
		fprintf(stderr,
			"%s: inside the image root %s, %s is %s: a symbolic link leads out of the "
			"image; give the tree's real path, or --root\n",
			moddir, top, img->moddir, fd < 0 ? errno_name(errno) : "another directory");
	if (fd >= 0)
		close(fd);
	return same ? 0 : -1;
}

int image_open(struct image *img, const char *moddir, const char *root)
{
	char *dir = strdup(moddir), *root_copy = root ? strdup(root) : NULL;
	const char *below = NULL, *top;
	int rc = -1;

	img->rootfd = -1;
	img->moddir = NULL;
	if (!dir || (root && !root_copy))
		goto out;
	strip_slashes(dir);
	if (root_copy)
		strip_slashes(root_copy);
	if (!(top = split_root(dir, root_copy, &below))) {
		fprintf(stderr, "%s: %s; give the image root with --root\n", moddir,
			root ? "not below the image root" : "cannot tell the image root from it");
		goto out;
	}
	img->moddir = strdup(below);
	img->release = img->moddir ? strrchr(img->moddir, '/') : NULL;
	img->release = img->release ? img->release + 1 : img->moddir;
	img->rootfd = open(top, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (img->rootfd < 0)
		fprintf(stderr, "%s: cannot open the image root: %s\n", top, errno_name(errno));
	else if (img->moddir)
		rc = same_directory(img, moddir, top);
out:
	free(dir);
	free(root_copy);
	return rc;
}

void image_close(struct image *img)
{
	if (img->rootfd >= 0)
		close(img->rootfd);
	free(img->moddir);
	img->rootfd = -1;
	img->moddir = NULL;
}
