/* SPDX-License-Identifier: MIT */
/* Small helpers the generator's parsers share. */
#ifndef MODLATCH_UTIL_H
#define MODLATCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Room for one more element after the len of size bytes at *array (a pointer to the array's
 * pointer); -1 when out of memory, with *array unchanged. */
int grow(void *array, size_t len, size_t size);
/* Appends a copy of s to the *len strings at *array; -1 when out of memory, nothing appended. */
int append_copy(char ***array, size_t *len, const char *s);
bool ends_with(const char *s, const char *suffix);
/* A relative path that stays below where it starts: not empty, no leading '/', and no
 * component that is empty, "." or ".." (so no "//" and no trailing '/' either). */
bool plain_relative(const char *path);

#endif
