/* SPDX-License-Identifier: MIT */
/*
 * The real root (ROOT=), for an initramfs that holds nothing but modlatch and its modules. Once
 * the latch holds and the policies let the boot go on: wait for the root device (its driver,
 * loaded from the table, probes on its own time), put dm-verity over it when built with VERITY=,
 * mount it, move /dev, /proc, /sys and /run into it, delete the initramfs's files (their memory
 * is freed only so), and make the new root "/". hand_off() then execs the supervisor from it.
 * Nothing on the disk is read, let alone run, while module loading is open. Like hand_off(),
 * this step stops the machine when it fails, naming why: there is nothing to hand off to.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "boot.h"
#include "clock.h"
#include "config.h"
#include "errname.h"
#include "fmt.h"
#include "kernel.h"
#include "log.h"
#include "text.h"

#define NEW_ROOT "/sysroot"

/* The root step's watch, and what the step is doing, for the watch to name: in memory shared
 * with the watch, which is a child process (deadline.c). */
struct root_watch {
	struct watch watch;
	const char *_Atomic doing;
};
static struct root_watch *root_watch;

/*
 * ROOT_WAIT bounds the whole step, not only the wait for the device: a disk that answers
 * nothing, or so slowly that the verity check or the mount would take forever, stops the machine
 * too, named, rather than leave it latched and hung with nothing running. The device's own wait
 * ends at ROOT_WAIT with its own message; this watch gives the rest two seconds more.
 */
static void root_wait_passed(struct watch *w)
{
	const struct root_watch *rw = (const struct root_watch *)w;

	say(LOG_CRIT, "root: still %s after %ds (ROOT_WAIT)", atomic_load(&rw->doing),
	    ML_ROOT_WAIT_S + 2);
	stop_machine("the root step did not end within ROOT_WAIT");
}

static void root_step(const char *doing)
{
	atomic_store(&root_watch->doing, doing);
}

/* getdents64 itself: readdir() would bring malloc in. */
bool each_entry(int dirfd, bool (*visit)(int dirfd, const char *name, void *arg), void *arg)
{
	char buf[2048];
	long n;

	while ((n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf))) > 0)
		for (long at = 0; at < n;) {
			const struct linux_dirent64 *e = (const void *)(buf + at);
			at += e->d_reclen;
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
			    visit(dirfd, e->d_name, arg))
				return true;
		}
	return false;
}

struct partition_search {
	const char *label;
	char *path; /* the first partition of that name, as /dev/DEVNAME */
	size_t len;
	unsigned found;	 /* how many have that name */
	char names[256]; /* each of them, for the message */
};

/* Counts the block device name if its uevent says PARTNAME=label; looks at every device. */
static bool is_partition(int dirfd, const char *name, void *arg)
{
	struct partition_search *search = arg;
	char file[300], text[1024];
	size_t used = strlen(search->names);

	(void)dirfd;
	if (fmt(file, sizeof(file), "/sys/class/block/%s/uevent", name) >= sizeof(file) ||
	    read_text(file, text, sizeof(text)) < 0)
		return false;
	for (char *line = text, *next; line; line = next) {
		next = find(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "PARTNAME=", 9) != 0 || strcmp(line + 9, search->label) != 0)
			continue;
		if (search->found++ == 0)
			fmt(search->path, search->len, "/dev/%s", name);
		fmt(search->names + used, sizeof(search->names) - used, " /dev/%s", name);
		break;
	}
	return false;
}

/*
 * PARTLABEL=NAME: how many GPT partitions have that name, and the first as /dev/DEVNAME. A name
 * is not an identity: any disk attached can carry it (a USB stick, a second virtual disk), and
 * without VERITY its supervisor would run as PID 1. So the whole of /sys/class/block is read,
 * and the caller takes the partition only when it is the one of that name.
 */
static unsigned find_partitions(const char *label, char *path, size_t len, char *names,
				size_t names_len)
{
	struct partition_search search = { label, path, len, 0, "" };
	int dir = open("/sys/class/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dir >= 0) {
		each_entry(dir, is_partition, &search);
		close(dir);
	}
	fmt(names, names_len, "%s", search.names);
	return search.found;
}

/* Stops the machine when a partition name is on more than one partition, naming each. */
static void refuse_twins(const char *label, unsigned found, const char *names)
{
	say(LOG_CRIT, "root: PARTLABEL=%s names %u partitions:%s; none is used", label, found,
	    names);
	stop_machine("the root partition's name is not unique");
}

static bool is_block_device(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISBLK(st.st_mode);
}

/*
 * Polls for the device until ROOT_WAIT has passed since the root step began. A partition found
 * by name is taken after one more look at every device, a poll later, finds it alone still: a
 * twin that shows up with it stops the machine rather than race it.
 */
static bool wait_for_device(const char *root, char *path, size_t len, long long since)
{
	const struct timespec pause = { .tv_nsec = 10 * 1000 * 1000 };
	bool by_label = strncmp(root, "PARTLABEL=", 10) == 0;
	unsigned seen = 0;
	char names[256];

	for (;;) {
		if (!by_label && fmt(path, len, "%s", root) < len && is_block_device(path))
			return true;
		unsigned found =
			by_label ? find_partitions(root + 10, path, len, names, sizeof(names)) : 0;
		if (found > 1)
			refuse_twins(root + 10, found, names);
		if (found == 1 && seen++)
			return true;
		if (monotonic_us() - since > ML_ROOT_WAIT_S * 1000000LL)
			return false;
		nanosleep(&pause, NULL);
	}
}

static bool delete_entry(int dirfd, const char *name, void *arg);

/* Deletes the initramfs's files as switch_root does: only on its own filesystem, never below a
 * mount point (the new root and the moved kernel filesystems sit on other devices). */
static void delete_tree(int dirfd, dev_t initramfs)
{
	each_entry(dirfd, delete_entry, &initramfs);
	close(dirfd);
}

static bool delete_entry(int dirfd, const char *name, void *arg)
{
	dev_t initramfs = *(const dev_t *)arg;
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != initramfs)
		return false;
	if (S_ISDIR(st.st_mode)) {
		int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			delete_tree(sub, initramfs);
	}
	if (unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
		say(LOG_WARNING, "root: cannot delete %s from the initramfs: %s", name,
		    errno_name(errno));
	return false;
}

/*
 * The first supervisor of the build that the root at dirfd holds, each path and link resolved in
 * that root (inroot.c), or NULL; each one it cannot run is named, with the link it is. ENOSYS
 * (no openat2) in *unresolved: the caller checks again once the new root is "/".
 */
static const char *supervisor_in(int dirfd, int *unresolved)
{
	char link[4096];

	*unresolved = 0;
	for (unsigned i = 0; ml_supervisors[i]; i++) {
		const char *path = ml_supervisors[i][0];
		int err = program_in_root(dirfd, path, link, sizeof(link));
		if (err == 0)
			return path;
		if (err == ENOSYS) {
			*unresolved = err;
			return NULL;
		}
		say(LOG_ERR, "root: %s%s%s: %s", path, link[0] ? " -> " : "", link,
		    errno_name(err));
	}
	return NULL;
}

/* Checks before the switch; without openat2 (Linux before 5.6), after it (enter_root). */
static const char *supervisor_in_new_root(int *unresolved)
{
	int dirfd = open(NEW_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (dirfd < 0) {
		say(LOG_ERR, "root: cannot open " NEW_ROOT ": %s", errno_name(errno));
		return NULL;
	}
	const char *supervisor = supervisor_in(dirfd, unresolved);
	close(dirfd);
	if (*unresolved)
		say(LOG_NOTICE, "root: openat2: %s; the supervisor is checked after the switch",
		    errno_name(*unresolved));
	return supervisor;
}

static void move_into_new_root(const char *mount_point)
{
	char target[64];

	fmt(target, sizeof(target), NEW_ROOT "%s", mount_point);
	if (mount(mount_point, target, NULL, MS_MOVE, NULL) < 0) {
		say(LOG_ERR, "root: cannot move %s to %s: %s", mount_point, target,
		    errno_name(errno));
		stop_machine("the kernel filesystems could not be moved into the new root");
	}
}

/* The device to mount: the root device itself, or the verity device over it. */
static void open_root_device(char *device, size_t len, long long since)
{
	char disk[256];

	if (!wait_for_device(ML_ROOT, disk, sizeof(disk), since)) {
		say(LOG_ERR, "root: no %s after %ds (ROOT_WAIT)", ML_ROOT, ML_ROOT_WAIT_S);
		stop_machine("the root device did not appear");
	}
	bool named = strcmp(disk, ML_ROOT) != 0;
	say(LOG_INFO, "root: %s appeared%s%s after %lldms", ML_ROOT, named ? " as " : "",
	    named ? disk : "", (monotonic_us() - since + 500) / 1000);
	fmt(device, len, "%s", disk);
	if (!ML_VERITY)
		return;
	root_step("checking the verity device");
	char mapped[64];
	if (!open_verity(disk, mapped, sizeof(mapped)) ||
	    !wait_for_device(mapped, device, len, since) || !verity_first_block_matches(device))
		stop_machine("the verified root could not be opened");
	say(LOG_INFO, "root: verity %s over %s root_hash=%s on_corruption=%s", device, disk,
	    ML_VERITY_ROOT_HASH, ML_VERITY_ON_CORRUPTION);
}

void enter_root(void)
{
	char device[256];
	long long since = monotonic_us();
	struct stat initramfs;

	if (!ML_ROOT_SWITCH)
		return;
	/* Deleting files is only for an initramfs: never for a disk modlatch was started from. */
	if (!on_filesystem("/", RAMFS_MAGIC) && !on_filesystem("/", TMPFS_MAGIC))
		stop_machine("ROOT is set but / is not an initramfs");
	root_watch = shared_memory(sizeof(*root_watch));
	if (!root_watch || !arm_watch(&root_watch->watch, ML_ROOT_WAIT_S + 2, root_wait_passed)) {
		say(LOG_CRIT, "root: cannot start the ROOT_WAIT watch: %s", errno_name(errno));
		stop_machine("no deadline for the root step");
	}
	root_step("waiting for the device");
	open_root_device(device, sizeof(device), since);
	root_step("mounting");
	if ((mkdir(NEW_ROOT, 0700) < 0 && errno != EEXIST) ||
	    mount(device, NEW_ROOT, ML_ROOT_FSTYPE, ML_ROOT_READONLY ? MS_RDONLY : 0, NULL) < 0) {
		say(LOG_ERR, "root: cannot mount %s (%s) on " NEW_ROOT ": %s", device,
		    ML_ROOT_FSTYPE, errno_name(errno));
		stop_machine("the root filesystem could not be mounted");
	}
	root_step("looking for the supervisor");
	int unresolved = 0;
	const char *supervisor = supervisor_in_new_root(&unresolved);
	if (!supervisor && !unresolved)
		stop_machine("no supervisor of the build is on the new root");
	root_step("switching to the new root");
	move_into_new_root("/dev");
	move_into_new_root("/proc");
	move_into_new_root("/sys");
	move_into_new_root("/run");
	if (stat("/", &initramfs) < 0 || chdir(NEW_ROOT) < 0)
		stop_machine("the new root could not be entered");
	int top = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top >= 0)
		delete_tree(top, initramfs.st_dev);
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		say(LOG_ERR, "root: cannot make " NEW_ROOT " the root: %s", errno_name(errno));
		stop_machine("the new root could not be entered");
	}
	if (unresolved && !(supervisor = supervisor_in(AT_FDCWD, &unresolved)))
		stop_machine("no supervisor of the build is on the new root");
	disarm_watch(&root_watch->watch);
	say(LOG_INFO, "root: %s (%s, %s) is / after %lldms; initramfs freed; next: %s", device,
	    ML_ROOT_FSTYPE, ML_ROOT_READONLY ? "ro" : "rw", (monotonic_us() - since + 500) / 1000,
	    supervisor);
}
