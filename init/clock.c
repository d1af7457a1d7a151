/* SPDX-License-Identifier: MIT */
/* The one clock of the report's timings. */
#include <time.h>

#include "clock.h"

long long monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
