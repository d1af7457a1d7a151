/* SPDX-License-Identifier: MIT */
/*
 * The module table: written by modlatch-gen at build time, compiled into the shim, read at boot.
 * Nothing in it is parsed at run time; every field is decided on the build host.
 */
#ifndef MODLATCH_TABLE_H
#define MODLATCH_TABLE_H

#include <stdint.h>

#include "sha256.h"

/* A kernel module name is at most MODULE_NAME_LEN - 1 bytes (include/linux/module.h). */
#define ML_MODULE_NAME_MAX 55
/* Our own bound on one entry's parameter string, so a table line stays auditable. */
#define ML_PARAMS_MAX 1023

/*
 * The flags and compressions, each listed once: X(C name, the word --print and the docs use), and
 * for a compression also the suffix of its files. The enums, the generator's C identifiers and the
 * shim's words are all made from these lists.
 */
#define ML_COMPRESSIONS(X)                                                                         \
	X(ML_COMP_NONE, "none", ".ko")                                                             \
	X(ML_COMP_GZIP, "gzip", ".ko.gz")                                                          \
	X(ML_COMP_XZ, "xz", ".ko.xz")                                                              \
	X(ML_COMP_ZSTD, "zstd", ".ko.zst")

#define ML_ENTRY_FLAGS(X)                                                                          \
	X(ML_OPTIONAL, "optional")     /* may be absent or fail with ENODEV/ENXIO uncounted */     \
	X(ML_BUILTIN, "builtin")       /* listed in modules.builtin: nothing to load */            \
	X(ML_ABSENT, "absent")	       /* optional and not in the modules tree at build time */    \
	X(ML_DEPENDENCY, "dependency") /* not listed: pulled in by pulled_by */                    \
	X(ML_SEQUENTIAL, "sequential") /* loaded alone, never beside another module */

#define ML_FLAG_BIT(name, word)		   name##_BIT,
#define ML_FLAG_VALUE(name, word)	   name = 1 << name##_BIT,
#define ML_C_NAME(name, word)		   #name,
#define ML_WORD(name, word)		   word,
#define ML_COMP_ENUM(name, word, suffix)   name,
#define ML_COMP_C_NAME(name, word, suffix) #name,
#define ML_COMP_WORD(name, word, suffix)   word,
#define ML_COMP_SUFFIX(name, word, suffix) suffix,

enum ml_compression { ML_COMPRESSIONS(ML_COMP_ENUM) ML_COMPRESSION_COUNT };
enum ml_entry_flag_bit { ML_ENTRY_FLAGS(ML_FLAG_BIT) ML_FLAG_COUNT };
enum ml_entry_flag { ML_ENTRY_FLAGS(ML_FLAG_VALUE) };

/*
 * One entry, 52 bytes with no padding: every string is an offset into ml_strings (each string
 * stored once, names and directories shared), and what it waits for is a run of ml_deps.
 * The file is TARGET_MODULES/<release>/<dir><file><suffix of its compression>.
 */
struct ml_entry {
	unsigned char sha256[SHA256_DIGEST_LEN];
	uint32_t size;
	uint16_t name;	    /* offset in ml_strings */
	uint16_t file;	    /* offset in ml_strings: the file name without its suffix */
	uint16_t dir;	    /* offset in ml_strings: the directory, ending in '/' */
	uint16_t params;    /* offset in ml_strings; 0 is "" */
	uint16_t deps;	    /* first index in ml_deps: ndeps it needs, then nafter it follows */
	uint16_t pulled_by; /* the listed entry that needs it; ML_LISTED when listed itself */
	uint16_t rank;	    /* place in the ready queue: 0 has the longest chain of load costs */
	uint8_t ndeps;	    /* earlier entries it needs: their failure is its failure */
	uint8_t nafter;	    /* earlier entries it loads after without needing them (softdep pre:) */
	uint8_t flags;
	uint8_t compression;
};

#define ML_LISTED 0xffff
/* What the 16- and 8-bit fields can hold; the generator refuses a table beyond them. */
#define ML_TABLE_MAX   0xfffe
#define ML_STRINGS_MAX 0xffff
#define ML_EDGES_MAX   0xff

extern const char ml_release[];
extern const struct ml_entry ml_table[];
extern const unsigned ml_table_len;
extern const char ml_strings[];
extern const uint16_t ml_deps[];

static inline const char *ml_string(uint16_t offset)
{
	return ml_strings + offset;
}

/* The file name's suffix for a compression: ".ko", ".ko.gz"...; "" when out of range. */
const char *ml_suffix(unsigned compression);
/* The word for a compression ("none", "gzip"...), "unknown" when out of range. */
const char *ml_compression_name(unsigned compression);
/* The word for a flag bit ("optional"...), "unknown" when out of range. */
const char *ml_flag_name(unsigned bit);

#endif
