/* SPDX-License-Identifier: MIT */
/*
 * The image audit. modlatch closes module loading from PID 1, but some doors are open before
 * PID 1 runs or beside it, and only the image or the kernel build can close them: the kernel
 * runs the program at its modprobe path for requests made during boot (Debian's kernels do, for
 * crypto self-tests), a uevent helper runs for every device event, "nomodule" stops every load,
 * and a compressed module the kernel cannot decompress will not load. Findings make the exit
 * status 1; facts that only inform are printed as "info".
 */
#include "audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errname.h"
#include "kconfig.h"
#include "modfile.h"
#include "table.h"

struct audit {
	const char *root;
	const struct kconfig *config; /* NULL when no config was given */
	const char *cmdline;
	const char *modlatch; /* where modlatch is in the image; NULL when not given (-m) */
	struct stat modlatch_st;
	unsigned findings;
	bool unresolved; /* a check could not be made: the audit cannot pass */
};

static void finding(struct audit *a, const char *what)
{
	printf("window: %s\n", what);
	a->findings++;
}

/* A kconfig string without its quotes; def when unset. */
static const char *config_string(const struct audit *a, const char *option, const char *def,
				 char *buf, size_t len)
{
	const char *v = a->config ? kconfig_value(a->config, option) : NULL;

	if (!v)
		return def;
	snprintf(buf, len, "%s", v[0] == '"' ? v + 1 : v);
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '"')
		buf[n - 1] = '\0';
	return buf;
}

static bool config_on(const struct audit *a, const char *option)
{
	return a->config && kconfig_enabled(a->config, option);
}

/*
 * Resolves path inside root as the target kernel would with root as "/": absolute and relative
 * links, "..", and a relative path itself all stay inside root (openat2's RESOLVE_IN_ROOT), so
 * nothing of the build host is looked at. Returns 1 with st filled when the path is there, 0
 * when it is not (ENOENT, ENOTDIR: the kernel would not find it either), and -1, said on stderr,
 * when it could not be checked: any other error (EACCES for a user the kernel is not, ELOOP,
 * which a magic link gives too) does not show that the kernel would fail.
 */
static int resolve_in_root(const char *root, const char *path, struct stat *st)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	const char *shown = root[0] ? root : "/";
	int rootfd = open(shown, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0) {
		fprintf(stderr, "%s: cannot open: %s\n", shown, errno_name(errno));
		return -1;
	}
	int fd, tries = 0;
	/* EAGAIN: a rename or mount anywhere on the host raced a ".."; openat2(2) says retry. */
	do
		fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && ++tries < 64);
	int err = fd < 0 ? errno : fstat(fd, st) < 0 ? errno : 0;
	close(rootfd);
	if (fd >= 0)
		close(fd);
	if (fd < 0 && (err == ENOENT || err == ENOTDIR))
		return 0;
	if (err == ENOSYS)
		fprintf(stderr, "audit: this kernel has no openat2 (Linux 5.6+), needed to resolve "
				"paths inside the image\n");
	else if (err)
		fprintf(stderr, "audit: %s in %s: cannot check: %s\n", path, shown,
			errno_name(err));
	return err ? -1 : 1;
}

/* Whether path names an executable inside root; -1 when it could not be checked. */
static int executable_in_root(const char *root, const char *path)
{
	struct stat st;
	int found = resolve_in_root(root, path, &st);

	return found <= 0 ? found : S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/* A finding when path is executable in the image, for the reason given; its result. */
static int check_executable(struct audit *a, const char *path, const char *why)
{
	char msg[PATH_MAX + 256];
	int found = executable_in_root(a->root, path);

	if (found < 0)
		a->unresolved = true;
	if (found <= 0)
		return found;
	snprintf(msg, sizeof(msg), "%s is executable in the image and %s", path, why);
	finding(a, msg);
	return found;
}

/*
 * With CONFIG_STATIC_USERMODEHELPER=y the kernel execs the static helper's path for every
 * helper, with the helper's own arguments: a module request runs it, never the modprobe path
 * itself. Empty, it runs nothing.
 */
static void check_static_helper(struct audit *a, const char *modprobe, const char *static_path)
{
	char why[PATH_MAX + 128];
	/* Only informs: whatever it is, the kernel does not run it itself. */
	int found = executable_in_root(a->root, modprobe);

	if (!static_path[0]) {
		if (found > 0)
			printf("info: %s is executable in the image and is the kernel's modprobe "
			       "path (but the static usermode helper is empty)\n",
			       modprobe);
		return;
	}
	snprintf(why, sizeof(why),
		 "is the static usermode helper: the kernel runs it in place of %s, with "
		 "modprobe's arguments, for module requests before PID 1 starts",
		 modprobe);
	check_executable(a, static_path, why);
	if (found > 0)
		printf("info: %s is executable in the image; the kernel runs %s in its place\n",
		       modprobe, static_path);
}

/* Whether path leads, inside the image, to the file -m names: modlatch, which loads nothing
 * when it is not PID 1. */
static bool is_modlatch(const struct audit *a, const char *path)
{
	struct stat st;

	return a->modlatch && resolve_in_root(a->root, path, &st) > 0 &&
	       st.st_dev == a->modlatch_st.st_dev && st.st_ino == a->modlatch_st.st_ino;
}

static void check_modprobe(struct audit *a)
{
	char buf[PATH_MAX], static_buf[PATH_MAX];
	const char *modprobe =
		config_string(a, "CONFIG_MODPROBE_PATH", "/sbin/modprobe", buf, sizeof(buf));
	bool static_helper = config_on(a, "CONFIG_STATIC_USERMODEHELPER");
	const char *static_path = config_string(a, "CONFIG_STATIC_USERMODEHELPER_PATH", "",
						static_buf, sizeof(static_buf));

	if (static_helper)
		printf("info: CONFIG_STATIC_USERMODEHELPER=y, every helper runs \"%s\"%s\n",
		       static_path, static_path[0] ? "" : ", that is none");
	if (!modprobe[0])
		printf("info: CONFIG_MODPROBE_PATH is empty: the kernel runs no modprobe\n");
	else if (!static_helper && is_modlatch(a, modprobe))
		printf("info: %s is modlatch (-m): run as modprobe, before PID 1 or after, it "
		       "loads "
		       "nothing\n",
		       modprobe);
	else if (static_helper)
		check_static_helper(a, modprobe, static_path);
	else
		check_executable(a, modprobe,
				 "is the kernel's modprobe path: the kernel runs it for module "
				 "requests before PID 1 starts");
}

static void check_uevent_helper(struct audit *a)
{
	char buf[PATH_MAX], msg[PATH_MAX + 128];

	if (!config_on(a, "CONFIG_UEVENT_HELPER"))
		return;
	const char *helper = config_string(a, "CONFIG_UEVENT_HELPER_PATH", "", buf, sizeof(buf));
	snprintf(msg, sizeof(msg),
		 "CONFIG_UEVENT_HELPER=y with path \"%s\": the kernel runs it for every device "
		 "event from early boot on",
		 helper);
	if (helper[0])
		finding(a, msg);
	else
		printf("info: CONFIG_UEVENT_HELPER=y, path empty until something sets it\n");
}

/* init= and rdinit= name PID 1: anything but modlatch runs with module loading open. */
static void check_init(struct audit *a, const char *param, const char *value)
{
	char msg[8192];
	struct stat st;
	int found = a->modlatch ? resolve_in_root(a->root, value, &st) : 0;

	if (found < 0) {
		a->unresolved = true;
	} else if (!a->modlatch) {
		snprintf(
			msg, sizeof(msg),
			"\"%s=%s\" on the command line: the kernel runs %s as PID 1; check that it "
			"is modlatch (-m PATH checks it)",
			param, value, value);
		finding(a, msg);
	} else if (found && st.st_dev == a->modlatch_st.st_dev &&
		   st.st_ino == a->modlatch_st.st_ino) {
		printf("info: \"%s=%s\" on the command line runs modlatch\n", param, value);
	} else {
		snprintf(msg, sizeof(msg),
			 "\"%s=%s\" on the command line: the kernel runs %s as PID 1, not modlatch "
			 "(%s): nothing latches",
			 param, value, value, a->modlatch);
		finding(a, msg);
	}
}

/*
 * sysctl.A.B=V (or sysctl/A/B=V) is written to /proc/sys/A/B just before PID 1 starts
 * (do_sysctl_args). name is the parameter without "sysctl" and its separator.
 */
static void check_sysctl(struct audit *a, const char *param, const char *name, const char *value)
{
	char msg[8192], key[64], *end;

	snprintf(key, sizeof(key), "%s", name);
	for (char *c = key; (c = strchr(c, '/')) != NULL;)
		*c = '.';
	if (strcmp(key, "kernel.modules_disabled") == 0 && strtoul(value, &end, 0) == 1 && !*end) {
		snprintf(msg, sizeof(msg),
			 "\"%s=%s\" on the command line: the kernel latches before PID 1 starts "
			 "and no module of the table can load",
			 param, value);
		finding(a, msg);
	} else if (strcmp(key, "kernel.modprobe") == 0 && value[0]) {
		snprintf(msg, sizeof(msg),
			 "\"%s=%s\" on the command line: the kernel runs %s for module requests "
			 "from just before PID 1 starts until modlatch blanks it",
			 param, value, value);
		finding(a, msg);
	} else if (strcmp(key, "kernel.modprobe") == 0) {
		printf("info: \"%s=\" on the command line empties the modprobe path just before "
		       "PID 1 starts\n",
		       param);
	}
}

/* The kernel drops one pair of quotes around a word or a value. */
static char *unquote(char *s)
{
	size_t len = strlen(s);

	if (s[0] != '"')
		return s;
	if (len > 1 && s[len - 1] == '"')
		s[len - 1] = '\0';
	return s + 1;
}

/* One word of the command line, "param" or "param=value", as the kernel splits it. */
static void check_word(struct audit *a, char *word)
{
	char *param = unquote(word), *value = strchr(param, '=');

	if (value) {
		*value = '\0';
		value = unquote(value + 1);
	}
	if (!value && strcmp(param, "nomodule") == 0)
		finding(a, "\"nomodule\" on the command line: the kernel latches from boot and no "
			   "module of the table can load");
	else if (value && strcmp(param, "lockdown") == 0)
		printf("info: command line sets lockdown=%s\n", value);
	else if (value && (strcmp(param, "init") == 0 || strcmp(param, "rdinit") == 0))
		check_init(a, param, value);
	else if (value && strncmp(param, "sysctl", 6) == 0 && (param[6] == '.' || param[6] == '/'))
		check_sysctl(a, param, param + 7, value);
}

/* Words after "--" are init's arguments: the kernel does not read them. */
static void check_cmdline(struct audit *a)
{
	if (!a->cmdline)
		return;
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", a->cmdline);
	for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w && strcmp(w, "--") != 0;
	     w = strtok_r(NULL, " \t", &save))
		check_word(a, w);
}

/* Compressed modules anywhere under ROOT/lib/modules that this kernel cannot decompress. */
static void check_compression(struct audit *a, const char *dir, unsigned *reported)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d)) && !*reported) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			check_compression(a, path, reported);
			continue;
		}
		unsigned c = modfile_compression_of(path);
		const char *lacks =
			c != ML_COMP_NONE ? kconfig_missing_decompress(a->config, c) : NULL;
		if (lacks && strstr(path, ".ko.")) {
			char msg[PATH_MAX + 128];
			snprintf(msg, sizeof(msg),
				 "%s is %s-compressed but the kernel config lacks %s=y",
				 path + strlen(a->root), ml_compression_name(c), lacks);
			finding(a, msg);
			(*reported)++;
		}
	}
	closedir(d);
}

static void check_kernel_info(const struct audit *a)
{
	if (config_on(a, "CONFIG_MODULE_SIG_FORCE"))
		printf("info: CONFIG_MODULE_SIG_FORCE=y: only signed modules load\n");
	else if (config_on(a, "CONFIG_MODULE_SIG"))
		printf("info: module signatures are checked but not enforced (module.sig_enforce=1 "
		       "would enforce them)\n");
	if (config_on(a, "CONFIG_SECURITY_LOCKDOWN_LSM"))
		printf("info: the lockdown LSM is built in%s\n",
		       config_on(a, "CONFIG_LOCK_DOWN_KERNEL_FORCE_NONE") ? " (off unless set)"
									  : "");
}

/* The options into a and kconfig_path; 0, or 2 on a usage error. */
static int audit_options(int argc, char **argv, struct audit *a, const char **kconfig_path)
{
	static const struct option options[] = { { "kconfig", required_argument, NULL, 'k' },
						 { "cmdline", required_argument, NULL, 'c' },
						 { "modlatch", required_argument, NULL, 'm' },
						 { NULL, 0, NULL, 0 } };
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "k:c:m:", options, NULL)) != -1) {
		if (opt == 'k')
			*kconfig_path = optarg;
		else if (opt == 'c')
			a->cmdline = optarg;
		else if (opt == 'm')
			a->modlatch = optarg;
		else
			return 2;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: modlatch-gen --audit ROOT [-k|--kconfig KCONFIG] "
				"[-c|--cmdline CMDLINE] [-m|--modlatch PATH]\n");
		return 2;
	}
	a->root = strcmp(argv[optind], "/") == 0 ? "" : argv[optind];
	return 0;
}

/* Where -m says modlatch is in the image: an executable file there, or -1. */
static int find_modlatch(struct audit *a)
{
	const struct stat *st = &a->modlatch_st;
	int found = a->modlatch ? resolve_in_root(a->root, a->modlatch, &a->modlatch_st) : 1;

	if (found < 0)
		return -1;
	if (a->modlatch && (!found || !S_ISREG(st->st_mode) || !(st->st_mode & 0111))) {
		fprintf(stderr, "audit: %s in %s: no executable file there (-m says modlatch is)\n",
			a->modlatch, a->root[0] ? a->root : "/");
		return -1;
	}
	return 0;
}

int audit_main(int argc, char **argv)
{
	struct kconfig config;
	struct audit a = { 0 };
	const char *kconfig_path = NULL;

	if (audit_options(argc, argv, &a, &kconfig_path) != 0 || find_modlatch(&a) < 0)
		return 2;
	if (kconfig_path && kconfig_load(kconfig_path, &config) < 0)
		return 2;
	a.config = kconfig_path ? &config : NULL;
	if (!kconfig_path)
		printf("info: no kernel config given (-k): the uevent helper, compression and "
		       "signature checks are skipped\n");
	check_modprobe(&a);
	check_uevent_helper(&a);
	check_cmdline(&a);
	if (a.config) {
		char modules[PATH_MAX];
		unsigned reported = 0;
		snprintf(modules, sizeof(modules), "%s/lib/modules", a.root);
		check_compression(&a, modules, &reported);
		check_kernel_info(&a);
		kconfig_free(&config);
	}
	if (a.unresolved)
		return 2;
	printf("audit %s: %u finding(s)\n", a.findings ? "FAILED" : "ok", a.findings);
	return a.findings ? 1 : 0;
}
