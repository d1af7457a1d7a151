/* SPDX-License-Identifier: MIT */
/*
 * A module request after the latch (AFTER_LATCH=record). The kernel runs its module helper as
 * `HELPER -q -- NAME` whenever something asks it for a module; with loading closed nothing can be
 * loaded, so modlatch, as that helper, names the request in the kernel log and in a file for the
 * supervisor, and fails it.
 */
#ifndef MODLATCH_REQUEST_H
#define MODLATCH_REQUEST_H

#include <stdbool.h>

#include "request_name.h"

/* Where the names are kept: one per line, each once, on the tmpfs modlatch mounts at /run. */
#define ML_REQUEST_DIR	"/run/modlatch"
#define ML_REQUEST_FILE ML_REQUEST_DIR "/refused"
/* Enough for every module and alias of a kernel, small enough that no caller can fill /run. */
#define ML_REQUEST_FILE_MAX 65536

/* Logs the request and records its name; returns the helper's exit status, never 0. */
int refuse_module_request(const char *name);

/* The same for each of the names a program asked the helper for (tool_module_request); with
 * quiet, nothing goes to stderr. */
int refuse_tool_request(char *const names[], unsigned count, bool quiet);

#endif
