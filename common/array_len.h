/* SPDX-License-Identifier: MIT */
/* The number of elements of an array (not of a pointer). */
#ifndef MODLATCH_ARRAY_LEN_H
#define MODLATCH_ARRAY_LEN_H

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
