/* SPDX-License-Identifier: MIT */
/* The one clock of the report's timings, and of the deadlines. The system call itself: the C
 * library's clock_gettime looks the vDSO up first, some 800 bytes for a clock read a few times
 * per module. */
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

long long monotonic_us(void)
{
	struct timespec ts;

	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
