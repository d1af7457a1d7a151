/* SPDX-License-Identifier: MIT */
/*
 * The verified root (VERITY=): a dm-verity device over the root device, set up through the
 * device-mapper ioctls from what the build pinned (root hash, salt, block sizes, where the hash
 * tree starts), with no libdevmapper and no veritysetup on the target. Every block read through
 * it is checked against the hash tree up to the pinned root hash; a block that does not match
 * is never returned: the read fails with EIO, or the kernel restarts or panics when built so.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "boot.h"
#include "config.h"
#include "errname.h"
#include "fmt.h"
#include "kernel.h"
#include "log.h"

struct dm_request {
	struct dm_ioctl header;
	struct dm_target_spec target;
	char params[512];
};

static void dm_header(struct dm_request *rq, unsigned size)
{
	memset(rq, 0, sizeof(*rq));
	rq->header.version[0] = DM_VERSION_MAJOR;
	rq->header.data_size = size;
	rq->header.data_start = sizeof(struct dm_ioctl);
	memcpy(rq->header.name, ML_VERITY_NAME, sizeof(ML_VERITY_NAME));
}

static bool dm_call(int control, unsigned long request, struct dm_request *rq, const char *what)
{
	if (ioctl(control, request, rq) == 0)
		return true;
	say(LOG_ERR, "verity: cannot %s %s: %s (the kernel log says why)", what, ML_VERITY_NAME,
	    errno_name(errno));
	return false;
}

/* The verity table: data and hash tree on the one device, the tree after the data. */
static bool load_table(int control, struct dm_request *rq, const char *device)
{
	dm_header(rq, sizeof(*rq));
	rq->header.target_count = 1;
	rq->header.flags = DM_READONLY_FLAG;
	rq->target.length = ML_VERITY_DATA_BLOCKS * (ML_VERITY_DATA_BLOCK_SIZE / 512);
	memcpy(rq->target.target_type, "verity", sizeof("verity"));
	if (fmt(rq->params, sizeof(rq->params), "1 %s %s %u %u %llu %llu %s %s %s%s", device,
		device, ML_VERITY_DATA_BLOCK_SIZE, ML_VERITY_HASH_BLOCK_SIZE, ML_VERITY_DATA_BLOCKS,
		ML_VERITY_HASH_START, ML_VERITY_ALGORITHM, ML_VERITY_ROOT_HASH, ML_VERITY_SALT,
		ML_VERITY_OPTIONS) >= sizeof(rq->params)) {
		say(LOG_ERR, "verity: the table for %s does not fit", device);
		return false;
	}
	return dm_call(control, DM_TABLE_LOAD, rq, "load the table of");
}

/* huge_encode_dev(): the minor's low byte, the major, then the rest of the minor. */
static unsigned minor_of(unsigned long long dev)
{
	return (unsigned)((dev & 0xff) | ((dev >> 12) & 0xfff00));
}

bool open_verity(const char *device, char *mapped, size_t len)
{
	struct dm_request rq;
	int control = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);

	if (control < 0) {
		say(LOG_ERR,
		    "verity: cannot open /dev/mapper/control: %s (is dm_mod in the table?)",
		    errno_name(errno));
		return false;
	}
	dm_header(&rq, sizeof(rq.header));
	bool ok = dm_call(control, DM_DEV_CREATE, &rq, "create");
	unsigned minor = minor_of(rq.header.dev);
	ok = ok && load_table(control, &rq, device);
	if (ok) {
		dm_header(&rq, sizeof(rq.header));
		ok = dm_call(control, DM_DEV_SUSPEND, &rq, "resume");
	}
	close(control);
	fmt(mapped, len, "/dev/dm-%u", minor);
	return ok;
}

/*
 * Reads the first block through the verity device: a root hash that is not the disk's fails
 * here, before anything on the disk is mounted, let alone run.
 */
bool verity_first_block_matches(const char *mapped)
{
	static char block[4096];
	int fd = open(mapped, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, block, sizeof(block));
	int err = errno;

	if (fd >= 0)
		close(fd);
	if (n == (ssize_t)sizeof(block))
		return true;
	say(LOG_ERR, "verity: the disk does not match the pinned root hash (reading %s: %s)",
	    mapped, n < 0 ? errno_name(err) : "short read");
	return false;
}
