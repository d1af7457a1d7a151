/* SPDX-License-Identifier: MIT */
/* The shim's compile-time choices for the parts of init/ the unit tests link (init/deadline.c,
 * foreign.c): what `make` writes to build/config.h from the build's variables, here fixed for the
 * tests. */
#ifndef MODLATCH_UNIT_CONFIG_H
#define MODLATCH_UNIT_CONFIG_H

/* A deadline the tests can wait out. */
#define ML_LOAD_DEADLINE_S 1
/* No module is trusted to be in the kernel before modlatch. */
#define ML_ALLOW_FOREIGN ""

#endif
