/* SPDX-License-Identifier: MIT */
/*
 * A small formatter for the shim, in place of the C library's printf family, which would more
 * than double the binary (floating point, wide characters, locale). It knows the conversions
 * the shim uses: %s (with precision .*), %c, %d, %u, %x, %lld, %llu, %ld, %lu, %zu, %%, with an
 * optional '0' flag and width.
 */
#ifndef MODLATCH_FMT_H
#define MODLATCH_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Like vsnprintf: always terminates, and returns the length the whole output would have. */
size_t vfmt(char *buf, size_t size, const char *format, va_list ap);
size_t fmt(char *buf, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* Formats and writes to fd in full; lines up to 1 KiB. */
void fdprint(int fd, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Writes all of buf to fd, again after EINTR; gives up quietly on any other failure. */
void write_all(int fd, const char *buf, size_t len);

#endif
