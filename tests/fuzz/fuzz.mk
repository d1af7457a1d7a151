# SPDX-License-Identifier: MIT
# Fuzzing the generator's inputs; included from the Makefile.
#
# make fuzz            builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS,
#                      growing $(B)/fuzz/corpus-<target> from tests/fuzz/seeds/<target>
# make fuzz-<target>   the same for one target (list, kconfig, audit, modfile, learn, request)
# make fuzz-regress    replays the seeds and tests/fuzz/regress/<target> through each target,
#                      built with HOSTCC and the sanitizers only (no clang needed)
#
# A failure is saved as $(B)/fuzz/<target>-crash-<sha1> (or -leak-, -timeout-, -oom-). Minimize:
#   $(B)/fuzz/fuzz_<target> -minimize_crash=1 -runs=100000 -close_fd_mask=3 CRASH
# and keep the result as tests/fuzz/regress/<target>/<short-name>.

FUZZ_TARGETS := list kconfig audit modfile learn request
FUZZ_SECONDS ?= 60
# Debian 12 installs clang as clang-14; a plain clang on PATH wins.
FUZZ_CC ?= $(if $(shell command -v clang),clang,clang-14)
# libFuzzer grows inputs to at most max_len; lines past 4095 bytes need room beyond its default.
FUZZ_MAX_LEN ?= 16384
FUZZ_ARGS ?=
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# Every target links the same parsing sources: none of them needs libkmod. The shim's one parser
# of untrusted input, the module helper's argv after the latch, is a shared source.
FUZZ_LIB_SRC := gen/list.c gen/modfile.c gen/kconfig.c gen/audit.c gen/learn.c gen/util.c $(COMMON_SRC)
FUZZ_DEPS := $(FUZZ_LIB_SRC) $(GEN_HDR) tests/fuzz/fuzz.h tests/fuzz/fuzz.c

.PHONY: fuzz fuzz-regress $(addprefix fuzz-,$(FUZZ_TARGETS))

$(B)/fuzz:
	mkdir -p $@

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS) | $(B)/fuzz
	$(FUZZ_CC) $(WARN) -O1 -g $(FUZZ_SAN) $(HOST_CPPFLAGS) -Itests/fuzz -o $@ $< \
		tests/fuzz/fuzz.c $(FUZZ_LIB_SRC)

$(B)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_DEPS) | $(B)/fuzz
	$(HOSTCC) $(WARN) $(HOST_CFLAGS) $(SANITIZE) $(HOST_CPPFLAGS) -Itests/fuzz -o $@ $< \
		tests/fuzz/replay.c tests/fuzz/fuzz.c $(FUZZ_LIB_SRC) $(HOST_LDFLAGS)

fuzz: $(addprefix fuzz-,$(FUZZ_TARGETS))

# -close_fd_mask=3: the targets print a line per bad input; libFuzzer and the sanitizers keep
# reporting on a copy of stderr. New inputs go to the first directory only. The regression
# inputs are left out: one not fixed yet would stop the run before it starts. TMPDIR: a target
# that crashes cannot remove its scratch directory, so it stays in $(B), not in /tmp.
$(addprefix fuzz-,$(FUZZ_TARGETS)): fuzz-%: $(B)/fuzz/fuzz_%
	mkdir -p $(B)/fuzz/corpus-$* $(B)/fuzz/tmp
	TMPDIR=$(abspath $(B)/fuzz/tmp) $(B)/fuzz/fuzz_$* -max_total_time=$(FUZZ_SECONDS) \
		-max_len=$(FUZZ_MAX_LEN) -close_fd_mask=3 -print_final_stats=1 -artifact_prefix=$(B)/fuzz/$*- \
		$(addprefix -dict=,$(wildcard tests/fuzz/$*.dict)) $(FUZZ_ARGS) \
		$(B)/fuzz/corpus-$* $(wildcard tests/fuzz/seeds/$*)

# One "fuzz-regress: <target>" line and one "N passed, N failed" line per target.
fuzz-regress: $(addprefix $(B)/fuzz/replay_,$(FUZZ_TARGETS))
	@mkdir -p $(B)/fuzz/tmp; \
	export TMPDIR=$(abspath $(B)/fuzz/tmp); \
	status=0; \
	for t in $(FUZZ_TARGETS); do \
		echo "fuzz-regress: $$t"; \
		dirs=$$(for d in tests/fuzz/seeds/$$t tests/fuzz/regress/$$t; do \
			[ ! -d $$d ] || echo $$d; done); \
		$(B)/fuzz/replay_$$t $$dirs || status=1; \
	done; \
	exit $$status
