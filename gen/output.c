/* SPDX-License-Identifier: MIT */
#include "output.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errname.h"

FILE *output_open(struct output *o, const char *path)
{
	o->path = path;
	o->tmp = NULL;
	o->out = NULL;
	if (asprintf(&o->tmp, "%s.tmp.XXXXXX", path) < 0) {
		o->tmp = NULL;
		fprintf(stderr, "%s: cannot create: %s\n", path, errno_name(ENOMEM));
		return NULL;
	}
	int fd = mkstemp(o->tmp);
	o->out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!o->out) {
		fprintf(stderr, "%s: cannot create: %s\n", o->tmp, errno_name(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp); /* after a failed mkstemp it names no file of ours */
		o->tmp = NULL;
	}
	return o->out;
}

int output_close(struct output *o, int failed)
{
	bool io = ferror(o->out) || fchmod(fileno(o->out), 0644) < 0;

	io |= fclose(o->out) != 0;
	o->out = NULL;
	if (io) /* the writer's own failures it has named itself */
		fprintf(stderr, "%s: cannot write: %s\n", o->path, errno_name(errno));
	if (!io && !failed)
		return 0;
	output_discard(o);
	return -1;
}

int output_commit(struct output *o)
{
	if (rename(o->tmp, o->path) < 0) {
		fprintf(stderr, "%s: cannot write: %s\n", o->path, errno_name(errno));
		output_discard(o);
		return -1;
	}
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

void output_discard(struct output *o)
{
	if (o->out)
		fclose(o->out);
	o->out = NULL;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
}
