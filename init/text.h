/* SPDX-License-Identifier: MIT */
/*
 * strcspn and strchr for the shim's few scans of short text (/proc files, its own log lines):
 * byte at a time. The C library's word-at-a-time versions cost 450 bytes of a 32 KiB budget.
 */
#ifndef MODLATCH_TEXT_H
#define MODLATCH_TEXT_H

#include <stddef.h>

/* How many bytes of s come before its end or the first byte that is in stop (strcspn). */
size_t span(const char *s, const char *stop);

/* The first c in s, or NULL (strchr; c is not '\0'). */
char *find(const char *s, char c);

#endif
