/* SPDX-License-Identifier: MIT */
/*
 * A module request after the latch, as both programs see it: the shim answers the kernel's
 * helper form and logs each request in the words below (init/request.c, AFTER_LATCH=record);
 * modlatch-gen --requests reads those words back and turns the names into list lines.
 */
#ifndef MODLATCH_REQUEST_NAME_H
#define MODLATCH_REQUEST_NAME_H

#include <stdbool.h>

/*
 * The kernel formats the name into MODULE_NAME_LEN bytes (64 less a pointer: at most 59
 * characters on 32-bit machines, 55 on 64-bit) and refuses longer ones itself.
 */
#define ML_REQUEST_NAME_MAX 63

/*
 * The log line of a refused request: ML_LOG_PREFIX ML_REFUSED_MODULE NAME ML_REFUSED_END, and of
 * a request whose name no request can have: ML_LOG_PREFIX ML_REFUSED_UNNAMED ": " and why.
 */
#define ML_LOG_PREFIX	   "modlatch: "
#define ML_REFUSED	   "refused "
#define ML_REFUSED_MODULE  ML_REFUSED "module="
#define ML_REFUSED_END	   " after latch"
#define ML_REFUSED_UNNAMED ML_REFUSED "a module request" ML_REFUSED_END

/* Whether argv is the kernel's helper form, `HELPER -q -- NAME`. */
bool is_module_request(int argc, char *const argv[]);

/*
 * A module helper run by a program rather than by the kernel, and what it asks for. Two forms:
 *   `HELPER NAME [-q]`        libxtables (iptables-legacy and its kin) runs kernel.modprobe
 *                             itself so, for a table module it finds missing;
 *   `.../modprobe ARGS`       a program that runs modprobe by name, where modprobe leads to the
 *                             helper: options -a -b -q -s -v (alone or joined, as -abq) and their
 *                             long names, `--` to end them, then names: with -a every word is a
 *                             module, without it the first is and the rest are its parameters.
 * The names are argv[first] to argv[first + count - 1]; quiet says whether -q was given. Returns
 * the count, 0 when argv is neither form (another option, such as modprobe -r, or no name).
 */
unsigned tool_module_request(int argc, char *const argv[], int *first, bool *quiet);

/*
 * What is wrong with NAME as a request's name, or NULL when nothing is: 1 to
 * ML_REQUEST_NAME_MAX printable ASCII characters, no space. The name comes from whoever made the
 * kernel ask (`ip link add type X` asks for rtnl-link-X), so it is checked, never trusted.
 */
const char *request_name_error(const char *name);

#endif
