/* SPDX-License-Identifier: MIT */
/*
 * An output file written beside its name and renamed over it only once it is complete: a failed
 * run leaves the old file, or none, never a part of a new one.
 */
#ifndef MODLATCH_OUTPUT_H
#define MODLATCH_OUTPUT_H

#include <stdio.h>

struct output {
	const char *path; /* the name it gets */
	char *tmp;	  /* the file being written beside it; NULL once renamed or removed */
	FILE *out;
};

/* Creates the temporary file and returns its stream; NULL after saying why. */
FILE *output_open(struct output *o, const char *path);
/* Closes the stream as a 0644 file. failed: the writer failed and has said why. 0, or -1 after
 * saying why (a write error) and removing the temporary file. */
int output_close(struct output *o, int failed);
/* Renames the temporary file over path; 0, or -1 after saying why and removing it. */
int output_commit(struct output *o);
/* Removes what is left of an output that will not be committed; safe to call twice. */
void output_discard(struct output *o);

#endif
