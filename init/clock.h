/* SPDX-License-Identifier: MIT */
/* The one clock of the report's timings (clock.c). */
#ifndef MODLATCH_CLOCK_H
#define MODLATCH_CLOCK_H

/* Monotonic time in microseconds: CLOCK_MONOTONIC, which counts from boot. */
long long monotonic_us(void);

#endif
