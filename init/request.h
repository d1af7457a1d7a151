/*
 * A module request after the latch (AFTER_LATCH=record). The kernel runs its module helper as
 * `HELPER -q -- NAME` whenever something asks it for a module; with loading closed nothing can be
 * loaded, so modlatch, as that helper, names the request in the kernel log and in a file for the
 * supervisor, and fails it.
 */
#ifndef MODLATCH_REQUEST_H
#define MODLATCH_REQUEST_H

#include <stdbool.h>

/* Where the names are kept: one per line, each once, on the tmpfs modlatch mounts at /run. */
#define ML_REQUEST_DIR	"/run/modlatch"
#define ML_REQUEST_FILE ML_REQUEST_DIR "/refused"
/* Enough for every module and alias of a kernel, small enough that no caller can fill /run. */
#define ML_REQUEST_FILE_MAX 65536
/*
 * The kernel formats the name into MODULE_NAME_LEN bytes (64 less a pointer: at most 59
 * characters on 32-bit machines, 55 on 64-bit) and refuses longer ones itself.
 */
#define ML_REQUEST_NAME_MAX 63

/* Whether argv is the kernel's helper form, `HELPER -q -- NAME`. */
bool is_module_request(int argc, char *const argv[]);

/*
 * What is wrong with NAME as a request's name, or NULL when nothing is. The name comes from
 * whoever made the kernel ask (`ip link add type X` asks for rtnl-link-X), so it is checked,
 * never trusted.
 */
const char *request_name_error(const char *name);

/* Logs the request and records its name; returns the helper's exit status, never 0. */
int refuse_module_request(const char *name);

#endif
