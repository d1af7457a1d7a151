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

enum ml_compression { ML_COMP_NONE, ML_COMP_GZIP, ML_COMP_XZ, ML_COMP_ZSTD };

enum ml_entry_flag {
	ML_OPTIONAL = 1 << 0,	/* may be absent or fail with ENODEV/ENXIO without counting */
	ML_BUILTIN = 1 << 1,	/* listed in modules.builtin: nothing to load */
	ML_ABSENT = 1 << 2,	/* optional and not in the modules tree at build time */
	ML_DEPENDENCY = 1 << 3, /* not listed: pulled in by pulled_by */
	ML_SEQUENTIAL = 1 << 4, /* loaded alone, never beside another module */
};

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

const char *ml_compression_name(unsigned compression);

#endif
