/* SPDX-License-Identifier: MIT */
/* The state of one boot, passed from step to step; each step lives in its own file. */
#ifndef MODLATCH_BOOT_H
#define MODLATCH_BOOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "filehash.h"
#include "table.h"

enum step {
	STEP_NONE,
	STEP_HELPERS,	 /* not tried: the kernel's module helpers could not be blanked */
	STEP_RELEASE,	 /* not tried: the running kernel is not the table's */
	STEP_LATCHED,	 /* not tried: loading was latched before modlatch started */
	STEP_DEPENDENCY, /* not tried: a module it needs did not load */
	STEP_OPEN,
	STEP_TYPE, /* not a regular file (a FIFO, a device...): never read */
	STEP_READ,
	STEP_SIZE,
	STEP_SHA256,
	STEP_FINIT,
};

enum outcome {
	OUTCOME_LOADED,
	OUTCOME_ALREADY,
	OUTCOME_BUILTIN,
	OUTCOME_ABSENT,
	OUTCOME_FAILED,
	OUTCOME_PENDING, /* to be loaded: only between the two passes of load_modules */
};

struct module_result {
	enum outcome outcome;
	enum step step;
	int err;       /* errno of the failed step, when it has one */
	unsigned need; /* STEP_DEPENDENCY: the entry that did not load */
	unsigned long long actual_size;
	long long usec;		  /* open, hash and finit_module */
	long long finit_usec;	  /* finit_module alone */
	long long finit_start_us; /* when finit_module was called, on CLOCK_MONOTONIC; 0 if never */
	atomic_bool loading; /* between its open and finit_module's return; read by deadline.c */
};

/* Companion latches (companions.c), each built in or not by ALSO_LATCH. */
enum companion {
	COMPANION_KEXEC,
	COMPANION_BPF,
	COMPANION_PTRACE,
	COMPANION_UMH_BSET,
	COMPANION_SYS_MODULE, /* CAP_SYS_MODULE out of PID 1's bounding set: the supervisor's */
	COMPANIONS
};

enum companion_state {
	COMPANION_UNWANTED, /* not in this build */
	COMPANION_CONFIRMED,
	COMPANION_ABSENT, /* the kernel has no such knob, so nothing it guards */
	COMPANION_UNCONFIRMED,
};

struct companion_result {
	enum companion_state state;
	int err;	/* errno of the open, write or read that failed */
	char value[48]; /* what the knob read back */
};

/*
 * The rule of this program: steps record, only the policy stops the machine. Each step below
 * writes what it found into struct boot (and logs it) and returns, whatever went wrong;
 * enforce_policies() alone decides from those records whether the machine goes on. After it,
 * enter_root() and hand_off() stop it only when there is nothing to hand off to. A step that
 * called stop_machine() would cut the report short and bypass the policy the build chose. The
 * exceptions are the load deadline (deadline.c): a step that hangs never returns to be judged;
 * and the memory the loading workers share (ready.c), without which nothing can load.
 */
struct boot {
	long long started_us;
	bool helpers_blanked;
	bool release_matches;
	bool latched_before;	       /* modules_disabled read 1 before the first load */
	unsigned threads;	       /* how many processes loaded side by side; 1 when serial */
	struct module_result *results; /* one per table entry, shared with the load's children */
	bool latched;
	long long latched_us;
	char latch_value; /* what modules_disabled read back: '0', '1', or '?' */
	int probe_err;	  /* what finit_module(-1, "", 0) answered after the latch */
	struct companion_result companions[COMPANIONS];
	bool companions_hold; /* every companion asked for is confirmed or absent */
	bool recording;	      /* AFTER_LATCH=record: kernel.modprobe is this binary now */
	unsigned foreign;     /* modules in the kernel that modlatch did not load from the table */
};

/* Which mode to run in (pidns.c): PID 1 of the machine boots; any other process runs a command.
 * PID 1 of a child PID namespace is refused here (exit 1) before anything is touched. */
enum mode { MODE_COMMAND, MODE_BOOT };
enum mode choose_mode(void);
int command_main(int argc, char **argv);

/* Steps, in boot order; main.c calls them, one a line. */
void mount_proc(void);
void name_other_processes(void);
void blank_module_helpers(struct boot *boot);
void drop_helpers_module_capability(struct boot *boot);
void mount_dev_and_console(void);
void mount_sys_and_run(void);
void check_kernel_release(struct boot *boot);
void check_loading_open(struct boot *boot);
void arm_load_deadline(struct boot *boot);
void load_modules(struct boot *boot);
void latch_module_loading(struct boot *boot);
void close_module_loading(void);
void disarm_load_deadline(void);
void latch_companions(struct boot *boot);
void check_loaded_modules(struct boot *boot);
void record_requests_after_latch(struct boot *boot);
void report(const struct boot *boot);
void enforce_policies(const struct boot *boot);
void enter_root(void);
void name_modules_load_gaps(const struct boot *boot);
_Noreturn void hand_off(void);

/* Loading, below load_modules(): one entry (entry.c), and the ready queue (ready.c). */
/* An entry's file, opened and checked against its pin ahead of its load. */
struct opened {
	int fd; /* -1 when the check failed */
	enum pin_check check;
	int err; /* errno of a failed open or read */
	long long usec;
};
/* Where e's file is: root (or "") + TARGET_MODULES/<release>/<dir><file><suffix>. False, with
 * errno ENAMETOOLONG, when it does not fit in len. */
bool module_path(char *path, size_t len, const char *root, const struct ml_entry *e);
/* Opens e's file and checks it against its pin; o says how that went. */
void open_entry(const struct ml_entry *e, struct module_result *r, struct opened *o);
/* Loads a pending entry through o once what it waits for is done, and closes o; fails it
 * without loading when an entry it needs is not in the kernel. */
void load_opened(const struct ml_entry *e, unsigned index, struct module_result *results,
		 const struct opened *o);
/* Marks an entry failed at step, with errno err (0 when the step has none). */
void fail_entry(struct module_result *r, enum step step, int err);
/* Loads the pending entries on up to workers processes, this one included: by rank, or with
 * serial one at a time in table order; returns how many ran. */
unsigned load_from_queue(struct module_result *results, unsigned workers, bool serial);

/* The shim's children (deadline.c): the watches and the loading workers. */
/* Memory this process shares with the children it starts after: len bytes of zeros, or NULL. */
void *shared_memory(size_t len);
/* fork() as the system call (0 in the child, -1 with errno); with share_files, the child shares
 * this process's descriptor table. */
pid_t start_child(bool share_files);
/* A watch: a child that sleeps, then runs fire(), which stops the machine, unless disarmed
 * first. It lives in shared_memory(); one compare-and-exchange decides which side wins. */
struct watch {
	atomic_int state;
	pid_t pid;
};
/* Starts w's child; false, with errno, when it cannot be started. */
bool arm_watch(struct watch *w, int seconds, void (*fire)(struct watch *w));
/* Kills and reaps w's child; if it fired first, waits here for the machine to stop. */
void disarm_watch(struct watch *w);
/* Sleeps that many seconds on CLOCK_MONOTONIC, whatever signals come. */
void sleep_seconds(int seconds);

/* The verified root (verity.c), below enter_root(). */
/* Sets up the dm-verity device over device from the pinned parameters; its node in mapped. */
bool open_verity(const char *device, char *mapped, size_t len);
/* Whether the first block reads through the verity device: the pinned root hash is the disk's. */
bool verity_first_block_matches(const char *mapped);

/* The failure policy's rules (policy.c), which the report also states. */
/* A failed entry that an optional module is allowed to have. */
bool failure_is_tolerated(const struct ml_entry *entry, const struct module_result *result);
/* A failure that says the file is not the one pinned: its size, its digest, or a format or
 * signature the kernel rejects. Tampering, not a missing device. */
bool is_integrity_failure(const struct module_result *result);

/* Ending: the reaper hand-off (reaper.c) and the ways to stop (stop.c, mounts.c). */
/* Stay PID 1, run argv as the child with envp, reap, forward signals, stop at its end. */
_Noreturn void run_as_reaper(const char *const *argv, char *const *envp);
/* Fail closed: log why, then power off or reboot as built. Never returns. */
_Noreturn void stop_machine(const char *why);
/* Sync, then power off or reboot. Never returns. */
_Noreturn void power_down(bool reboot_instead);
void unmount_all(void);

/* Facts about this program and the kernel's filesystems (self.c). */
/* Whether path leads to this very binary (same device and inode). */
bool is_this_program(const char *path);
/*
 * Whether path lies on a filesystem whose statfs type is magic (PROC_SUPER_MAGIC).
 * A knob that does not exist means "the kernel lacks it" only where /proc is the kernel's
 * own; on anything else mounted there, or nothing, it means nothing.
 */
bool on_filesystem(const char *path, unsigned long magic);
bool fd_on_filesystem(int fd, unsigned long magic);

/*
 * Whether path, resolved with the directory root as "/" (AT_FDCWD: the process's own root), is a
 * program execve() could run: 0, or the errno that says why not (inroot.c). link gets what path
 * itself points to when it is a symbolic link, else "".
 */
int program_in_root(int root, const char *path, char *link, size_t len);

/*
 * Calls visit(dirfd, name, arg) for each entry of the directory open at dirfd but "." and "..",
 * until one returns true; whether one did (root.c).
 */
bool each_entry(int dirfd, bool (*visit)(int dirfd, const char *name, void *arg), void *arg);

/* The name the report gives a companion latch. */
const char *companion_name(unsigned which);

#endif
