/* SPDX-License-Identifier: MIT */
/* Benchmark helper: prints CLOCK_MONOTONIC in microseconds, the clock modlatch's summary uses. */
#include <stdio.h>
#include <time.h>

int main(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 1;
	printf("%lld\n", (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	return 0;
}
