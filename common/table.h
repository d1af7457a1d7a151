/* SPDX-License-Identifier: MIT */
/*
 * The module table: written by modlatch-gen at build time, compiled into the shim, read at boot.
 * Nothing in it is parsed at run time; every field is decided on the build host.
 */
#ifndef MODLATCH_TABLE_H
#define MODLATCH_TABLE_H

#include "sha256.h"

/* A kernel module name is at most MODULE_NAME_LEN - 1 bytes (include/linux/module.h). */
#define ML_MODULE_NAME_MAX 55
/* Our own bound on one entry's parameter string, so a table line stays auditable. */
#define ML_PARAMS_MAX 1023

/*
 * The flags and compressions, each listed once: X(C name, the word --print and the docs use).
 * The enums, the generator's C identifiers and the shim's words are all made from these lists.
 */
#define ML_COMPRESSIONS(X)                                                                         \
	X(ML_COMP_NONE, "none")                                                                    \
	X(ML_COMP_GZIP, "gzip")                                                                    \
	X(ML_COMP_XZ, "xz")                                                                        \
	X(ML_COMP_ZSTD, "zstd")

#define ML_ENTRY_FLAGS(X)                                                                          \
	X(ML_OPTIONAL, "optional")     /* may be absent or fail with ENODEV/ENXIO uncounted */     \
	X(ML_BUILTIN, "builtin")       /* listed in modules.builtin: nothing to load */            \
	X(ML_ABSENT, "absent")	       /* optional and not in the modules tree at build time */    \
	X(ML_DEPENDENCY, "dependency") /* not listed: pulled in by pulled_by */                    \
	X(ML_SEQUENTIAL, "sequential") /* loaded alone, never beside another module */

#define ML_ENUM_NAME(name, word)  name,
#define ML_FLAG_BIT(name, word)	  name##_BIT,
#define ML_FLAG_VALUE(name, word) name = 1 << name##_BIT,
#define ML_C_NAME(name, word)	  #name,
#define ML_WORD(name, word)	  word,

enum ml_compression { ML_COMPRESSIONS(ML_ENUM_NAME) ML_COMPRESSION_COUNT };
enum ml_entry_flag_bit { ML_ENTRY_FLAGS(ML_FLAG_BIT) ML_FLAG_COUNT };
enum ml_entry_flag { ML_ENTRY_FLAGS(ML_FLAG_VALUE) };

struct ml_entry {
	const char *name;
	const char *path;      /* relative to /lib/modules/<release>; "" when built in or absent */
	const char *params;    /* "" when none */
	const char *pulled_by; /* the listed module that needs it; "" when listed itself */
	const unsigned short *deps; /* indices of earlier entries this one needs */
	unsigned long long size;
	unsigned char sha256[SHA256_DIGEST_LEN];
	unsigned short ndeps;
	unsigned char flags;
	unsigned char compression;
	unsigned char level; /* 0: needs nothing; else 1 + the highest level among deps */
};

extern const char ml_release[];
extern const struct ml_entry ml_table[];
extern const unsigned ml_table_len;

/* The word for a compression ("none", "gzip"...), "unknown" when out of range. */
const char *ml_compression_name(unsigned compression);
/* The word for a flag bit ("optional"...), "unknown" when out of range. */
const char *ml_flag_name(unsigned bit);

#endif
