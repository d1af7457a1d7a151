/* SPDX-License-Identifier: MIT */
/*
 * Command mode: anywhere but PID 1 at boot. It reads the compiled-in table and module files and
 * never mounts, loads or latches.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "filehash.h"
#include "fmt.h"
#include "request.h"
#include "sha256.h"

static void usage(int to)
{
	fdprint(to, "usage: modlatch --version | --print | --verify ROOT%s | --help\n",
		ML_ROOT_SWITCH ? " [DISK_ROOT]" : "");
	fdprint(to, "As PID 1 at boot it loads the compiled-in modules, latches module loading\n"
		    "and execs the supervisor; as a command it only reads.\n");
	if (ML_AFTER_LATCH_RECORD)
		fdprint(to,
			"After the latch the kernel runs it as `modlatch -q -- NAME` for a module\n"
			"request: it loads nothing, logs NAME and keeps it in %s.\n"
			"Programs may run it as `modlatch NAME [-q]` (iptables-legacy does), or "
			"as\n"
			"modprobe through a link: `modprobe [-abqsv] NAME [PARAM...]`, `modprobe "
			"-a\n"
			"NAME...`; each NAME is refused and kept the same way.\n",
			ML_REQUEST_FILE);
}

#define out(...) fdprint(STDOUT_FILENO, __VA_ARGS__)

static void print_flags(unsigned flags)
{
	const char *sep = "";

	for (unsigned bit = 0; bit < ML_FLAG_COUNT; bit++)
		if (flags & (1u << bit)) {
			out("%s%s", sep, ml_flag_name(bit));
			sep = ",";
		}
	if (!*sep)
		out("required");
}

static void print_hex(const unsigned char *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++)
		out("%02x", bytes[i]);
}

static void print_names(const char *key, const uint16_t *entries, unsigned count)
{
	for (unsigned d = 0; d < count; d++)
		out("%s%s", d ? "," : key, ml_string(ml_table[entries[d]].name));
}

static void print_entry(unsigned i, const struct ml_entry *e)
{
	out("%u name=%s flags=", i, ml_string(e->name));
	print_flags(e->flags);
	if (e->pulled_by != ML_LISTED)
		out(" pulled_by=%s", ml_string(ml_table[e->pulled_by].name));
	if (!(e->flags & (ML_BUILTIN | ML_ABSENT))) {
		out(" compression=%s size=%u sha256=", ml_compression_name(e->compression),
		    (unsigned)e->size);
		print_hex(e->sha256, sizeof(e->sha256));
		out(" path=%s%s%s", ml_string(e->dir), ml_string(e->file),
		    ml_suffix(e->compression));
	}
	if (e->params)
		out(" params=\"%s\"", ml_string(e->params));
	print_names(" needs=", &ml_deps[e->deps], e->ndeps);
	print_names(" after=", &ml_deps[e->deps + e->ndeps], e->nafter);
	out(" rank=%u\n", e->rank);
}

static void print_entries(void)
{
	for (unsigned i = 0; i < ml_table_len; i++)
		print_entry(i, &ml_table[i]);
}

static int print_table(void)
{
	out("modlatch %s\nkernel %s\nmodules_dir %s/%s\nsupervisors", ML_VERSION, ml_release,
	    ML_MODULES_DIR, ml_release);
	for (unsigned i = 0; ml_supervisors[i]; i++) {
		out(i ? " |" : "");
		for (unsigned a = 0; ml_supervisors[i][a]; a++)
			out(" %s", ml_supervisors[i][a]);
	}
	out("\non_module_failure %s\non_integrity_failure %s\non_fatal %s\n"
	    "handoff %s\non_exit %s\nstop_timeout %d\n"
	    "load %s\nmax_threads %d\nload_deadline %d\nalso_latch %s\nafter_latch %s%s\n"
	    "entries %u\n",
	    ML_HALT_ON_MODULE_FAILURE ? "halt" : "continue",
	    ML_HALT_ON_INTEGRITY_FAILURE ? "halt" : "continue",
	    ML_ON_FATAL_REBOOT ? "reboot" : "poweroff", ML_HANDOFF_REAPER ? "reaper" : "exec",
	    ML_ON_EXIT_REBOOT ? "reboot" : "poweroff", ML_STOP_TIMEOUT_S,
	    ML_PARALLEL ? "parallel" : "serial", ML_MAX_THREADS, ML_LOAD_DEADLINE_S,
	    ML_ALSO_LATCH[0] ? ML_ALSO_LATCH : "none", ML_AFTER_LATCH_RECORD ? "record " : "blank",
	    ML_AFTER_LATCH_RECORD ? ML_AFTER_LATCH_HELPER : "", ml_table_len);
	if (ML_SHA256_FAST)
		out("sha256 fast %s\n", sha256_use_fastest());
	if (ML_ROOT_SWITCH)
		out("root %s fstype=%s mode=%s wait=%d\n", ML_ROOT, ML_ROOT_FSTYPE,
		    ML_ROOT_READONLY ? "ro" : "rw", ML_ROOT_WAIT_S);
	if (ML_VERITY)
		out("verity root_hash=%s salt=%s algorithm=%s data_blocks=%llu block_size=%u "
		    "hash_block_size=%u hash_start=%llu on_corruption=%s\n",
		    ML_VERITY_ROOT_HASH, ML_VERITY_SALT, ML_VERITY_ALGORITHM, ML_VERITY_DATA_BLOCKS,
		    ML_VERITY_DATA_BLOCK_SIZE, ML_VERITY_HASH_BLOCK_SIZE, ML_VERITY_HASH_START,
		    ML_VERITY_ON_CORRUPTION);
	print_entries();
	return 0;
}

/* 0 when the file under root matches its pin, 1 otherwise; says which either way. */
static int verify_entry(const char *root, const struct ml_entry *e)
{
	const char *name = ml_string(e->name);
	char path[4096];
	unsigned long long size;
	enum pin_check check = PIN_OPEN;
	int fd = -1;

	if (module_path(path, sizeof(path), root, e))
		fd = pin_open(path, e->size, e->sha256, &check, &size);
	bool optional_missing = check == PIN_OPEN && errno == ENOENT && (e->flags & ML_OPTIONAL);
	if (fd >= 0)
		out("ok   %s: %s\n", name, path);
	else if (optional_missing)
		out("SKIP %s: %s missing (optional)\n", name, path);
	else if (check == PIN_OPEN || check == PIN_READ)
		out("FAIL %s: %s %s%s\n", name, path, check == PIN_READ ? "read: " : "",
		    errno_name(errno));
	else if (check == PIN_NOT_REGULAR)
		out("FAIL %s: %s is not a regular file\n", name, path);
	else if (check == PIN_SIZE)
		out("FAIL %s: %s is %llu bytes, pinned %u\n", name, path, size, (unsigned)e->size);
	else
		out("FAIL %s: %s sha256 differs from the pinned one\n", name, path);
	if (fd >= 0)
		close(fd);
	return fd < 0 && !optional_missing;
}

/*
 * 0 when the tree at root holds a supervisor of the build, resolved in that tree as the boot
 * resolves it (inroot.c), 1 otherwise; says which it found, and why each before it cannot run.
 */
static int verify_supervisor(const char *root)
{
	char link[4096];
	int dirfd = open(root[0] ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dirfd < 0) {
		out("FAIL supervisor: %s %s\n", root, errno_name(errno));
		return 1;
	}
	int err = ENOENT;
	for (unsigned i = 0; ml_supervisors[i] && err; i++) {
		const char *path = ml_supervisors[i][0];
		err = program_in_root(dirfd, path, link, sizeof(link));
		out("%s supervisor: %s%s%s%s%s\n", err ? "FAIL" : "ok  ", path,
		    link[0] ? " -> " : "", link, err ? ": " : "", err ? errno_name(err) : "");
	}
	close(dirfd);
	return err != 0;
}

/* The module files under root; with ROOT=, the supervisor under disk_root, the disk's tree. */
static int verify(const char *root, const char *disk_root)
{
	unsigned failures = 0, checked = 0;

	if (ML_SHA256_FAST)
		sha256_use_fastest();
	for (unsigned i = 0; i < ml_table_len; i++) {
		if (ml_table[i].flags & (ML_BUILTIN | ML_ABSENT))
			continue;
		failures += verify_entry(root, &ml_table[i]);
		checked++;
	}
	/* Without ROOT= the supervisor is in the tree that holds /init, resolved as anywhere. */
	if (ML_ROOT_SWITCH && !disk_root)
		out("SKIP supervisor: it is on the disk (ROOT=%s); name the disk's tree after "
		    "ROOT\n",
		    ML_ROOT);
	if (ML_ROOT_SWITCH && disk_root) {
		failures += verify_supervisor(disk_root);
		checked++;
	}
	out("verify %s: %u checked, %u failed\n", failures ? "FAILED" : "ok", checked, failures);
	return failures ? 1 : 0;
}

int command_main(int argc, char **argv)
{
	/* Only a build that records requests after the latch answers the helper's forms: the
	 * kernel's, and those of programs that run the helper, or modprobe, themselves. */
	int first;
	bool quiet;
	unsigned names;
	if (ML_AFTER_LATCH_RECORD && is_module_request(argc, argv))
		return refuse_module_request(argv[3]);
	if (ML_AFTER_LATCH_RECORD && (names = tool_module_request(argc, argv, &first, &quiet)))
		return refuse_tool_request(argv + first, names, quiet);
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		out("modlatch %s (kernel %s, %u entries)\n", ML_VERSION, ml_release, ml_table_len);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--print") == 0)
		return print_table();
	if ((argc == 3 || (argc == 4 && ML_ROOT_SWITCH)) && strcmp(argv[1], "--verify") == 0)
		return verify(strcmp(argv[2], "/") == 0 ? "" : argv[2], argc == 4 ? argv[3] : NULL);
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(STDOUT_FILENO);
		return 0;
	}
	usage(STDERR_FILENO);
	fdprint(STDERR_FILENO, "modlatch: not PID 1 at boot, so nothing is mounted or latched\n");
	return 2;
}
