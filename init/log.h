/* SPDX-License-Identifier: MIT */
/*
 * One log line goes to /dev/kmsg with its level, and to the console unless the kernel prints it
 * there itself; both prefixed "modlatch: ".
 */
#ifndef MODLATCH_LOG_H
#define MODLATCH_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <syslog.h>

/*
 * Opens the log once /dev and the console are there: lines said before it waited, and are said
 * now; if /dev/kmsg does not open, lines go to the console only.
 */
void log_open_kmsg(void);

void say(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a small file (of /proc or /sys) whole into buf, NUL-terminated; its length, or -1. */
ssize_t read_text(const char *path, char *buf, size_t len);

/*
 * Formats one kmsg line, "<LEVEL>modlatch: TEXT\n", into line (cut to fit); returns its length.
 * For say() and for the module helper, which has no console.
 */
size_t log_line(char *line, size_t size, int level, const char *format, va_list ap);

#endif
