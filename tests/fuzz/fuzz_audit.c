/* SPDX-License-Identifier: MIT */
/*
 * The audit (modlatch-gen --audit) through audit_main, as the command line reaches it: the
 * input's first line is the kernel command line (-c), the rest the kernel config (-k), and
 * modlatch is the image's /bin/kmod (-m), for init= and rdinit= to be compared with. The
 * image is fixed and built once: executables, links absolute and relative, a loop, a dangling
 * link, and compressed modules. The config decides which of its paths the audit follows.
 * Each input runs with ROOT as typed both without and with a trailing slash, and must get the
 * same exit status both times.
 */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array_len.h"
#include "audit.h"

static char root[4096], root_slash[sizeof(root) + 1];

static void make(const char *path, int mode)
{
	char full[8192];
	snprintf(full, sizeof(full), "%s/%s", root, path);
	int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || close(fd) < 0) {
		perror(full);
		abort();
	}
}

static void dir(const char *path)
{
	char full[8192];
	snprintf(full, sizeof(full), "%s/%s", root, path);
	if (mkdir(full, 0755) < 0) {
		perror(full);
		abort();
	}
}

static void link_(const char *target, const char *path)
{
	char full[8192];
	snprintf(full, sizeof(full), "%s/%s", root, path);
	if (symlink(target, full) < 0) {
		perror(full);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	snprintf(root, sizeof(root), "%s/root", fuzz_tmpdir());
	snprintf(root_slash, sizeof(root_slash), "%s/", root);
	if (mkdir(root, 0755) < 0) {
		perror(root);
		abort();
	}
	static const char *const dirs[] = { "bin",
					    "sbin",
					    "usr",
					    "usr/sbin",
					    "lib",
					    "lib/modules",
					    "lib/modules/6.1.0",
					    "lib/modules/6.1.0/kernel" };
	for (size_t i = 0; i < ARRAY_LEN(dirs); i++)
		dir(dirs[i]);
	make("bin/kmod", 0755);
	make("bin/busybox", 0755);
	make("bin/data", 0644);
	link_("../bin/kmod", "sbin/modprobe");
	link_("/bin/busybox", "sbin/abs");
	link_("loop", "sbin/loop");
	link_("../nowhere", "sbin/dangling");
	link_("../bin", "sbin/bindir");
	link_("../../sbin/modprobe", "usr/sbin/modprobe");
	link_("bin/kmod", "modprobe");
	link_("sbin/modprobe", "helper");
	make("lib/modules/6.1.0/kernel/a.ko", 0644);
	make("lib/modules/6.1.0/kernel/b.ko.gz", 0644);
	make("lib/modules/6.1.0/kernel/c.ko.xz", 0644);
	make("lib/modules/6.1.0/kernel/d.ko.zst", 0644);
	make("lib/modules/6.1.0/kernel/notes.gz", 0644);
	return 0;
}

static int audit(const char *image, const char *kconfig, const char *cmdline)
{
	char *argv[10];
	int argc = 0;

	argv[argc++] = "--audit";
	if (kconfig) {
		argv[argc++] = "-k";
		argv[argc++] = (char *)kconfig;
	}
	argv[argc++] = "-m";
	argv[argc++] = "/bin/kmod";
	argv[argc++] = "-c";
	argv[argc++] = (char *)cmdline;
	argv[argc++] = (char *)image;
	argv[argc] = NULL;
	/* 2 when a path could not be checked: the fixture's loop gives ELOOP. */
	int rc = audit_main(argc, argv);
	FUZZ_CHECK(rc == 0 || rc == 1 || rc == 2);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) : size;
	char *cmdline = malloc(len + 1);

	FUZZ_CHECK(cmdline != NULL);
	memcpy(cmdline, data, len);
	cmdline[len] = '\0';
	const char *kconfig = nl ? fuzz_path_of(nl + 1, size - len - 1) : NULL;
	/* A trailing slash on ROOT names the same image: the verdict is the same. */
	FUZZ_CHECK(audit(root, kconfig, cmdline) == audit(root_slash, kconfig, cmdline));
	free(cmdline);
	fflush(stdout);
	return 0;
}
