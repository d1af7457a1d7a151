/*
 * One log line goes to /dev/kmsg with its level, and to the console unless the kernel prints it
 * there itself; both prefixed "modlatch: ".
 */
#ifndef MODLATCH_LOG_H
#define MODLATCH_LOG_H

#include <syslog.h>

/* Checks that /dev/kmsg opens; until then, and if it does not, lines go to the console only. */
void log_open_kmsg(void);

void say(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
