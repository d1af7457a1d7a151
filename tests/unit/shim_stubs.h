/* SPDX-License-Identifier: MIT */
/* The stand-ins of shim_stubs.c that a test reads. */
#ifndef MODLATCH_SHIM_STUBS_H
#define MODLATCH_SHIM_STUBS_H

/* The last line the shim said, without its level and prefix. */
extern char last_said[512];

#endif
