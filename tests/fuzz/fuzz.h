/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets: how a target reports a broken invariant, and how it hands its
 * input to functions that only take a path.
 */
#ifndef MODLATCH_FUZZ_H
#define MODLATCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The targets' own stdout and stderr are closed while fuzzing (-close_fd_mask=3) and in the
 * replay, so a broken invariant is reported where the sanitizers report, then aborts.
 */
#define FUZZ_CHECK(cond) ((cond) ? (void)0 : fuzz_fail(#cond, __FILE__, __LINE__))
_Noreturn void fuzz_fail(const char *what, const char *file, int line);

/*
 * A path whose contents are data: list_read and kconfig_load take only paths. The file is a
 * memfd reached through /proc/self/fd, rewritten on every call.
 */
const char *fuzz_path_of(const uint8_t *data, size_t size);

/* An empty directory of this process, removed at exit; for targets that need names. */
const char *fuzz_tmpdir(void);

#endif
