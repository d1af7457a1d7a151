# SPDX-License-Identifier: MIT
# modlatch: `make` builds build/modlatch-gen (host) and build/modlatch (target).
# Every variable below is documented in doc/build.md, "Build variables".

VERSION := 0.1.0

# What goes into the table.
LIST ?= etc/demo.list
MODULES_DIR ?=
KCONFIG ?= $(wildcard $(MODULES_DIR)/../../../boot/config-$(notdir $(MODULES_DIR)))
# A saved boot report (dmesg, a serial log) whose finit_us rank parallel loading; default: sizes.
COSTS ?=

# How the shim behaves (init/mkconfig.sh checks the values).
SUPERVISOR ?= /sbin/init
FALLBACK_SHELL ?= no
ON_FATAL ?= poweroff
ON_MODULE_FAILURE ?= continue
ON_INTEGRITY_FAILURE ?= halt
ON_FOREIGN_MODULE ?= continue
ALLOW_FOREIGN ?=
KILL_OTHERS ?= no
HANDOFF ?= exec
ON_EXIT ?= poweroff
STOP_TIMEOUT ?= 5
LOAD_DEADLINE ?= 120
LOAD ?= parallel
MAX_THREADS ?= 8
SHA256 ?= portable
ALSO_LATCH ?=
AFTER_LATCH ?= blank
AFTER_LATCH_HELPER ?= /init
TARGET_MODULES ?= /lib/modules
# The real root, for an initramfs that switches to a disk (doc/build.md, "Booting from disk").
ROOT ?=
ROOT_FSTYPE ?=
ROOT_MODE ?= ro
ROOT_WAIT ?= 30
VERITY ?=
VERITY_ON_CORRUPTION ?= eio

# Toolchains. CC builds the target shim, HOSTCC the generator and the unit tests.
# CROSS=aarch64 cross-builds the shim with Debian's cross gcc and Debian's musl for that
# architecture, fetched into the cache by scripts/cross.sh.
CROSS ?=
ifneq ($(CROSS),)
CROSS_SPECS := $(shell sh scripts/cross.sh specs '$(CROSS)')
ifeq ($(CROSS_SPECS),)
$(error CROSS='$(CROSS)': expected aarch64)
endif
ifeq ($(origin CC),default)
CC := $(CROSS)-linux-gnu-gcc -specs=$(CROSS_SPECS)
OWN_TOOLCHAIN := yes
endif
endif
# Natively, Debian's musl-gcc: its gcc and its musl, through a copy of its specs file that can
# also link a static PIE (scripts/musl-specs.sh; musl-gcc itself would give -static-pie an
# interpreter).
ifeq ($(origin CC),default)
MUSL_GCC_SPECS := $(shell sed -n 's/.*-specs "\([^"]*\)".*/\1/p' "$$(command -v musl-gcc)" 2>/dev/null)
NATIVE_SPECS := $(B)/musl-gcc.specs
CC := gcc -specs=$(NATIVE_SPECS)
OWN_TOOLCHAIN := yes
endif
HOSTCC ?= cc
PKG_CONFIG ?= pkg-config
CFLAGS ?= -Os
HOST_CFLAGS ?= -O2 -g
HOST_LDFLAGS ?=
# The shim is static so that it needs nothing from the image; STATIC= links it dynamically
# (only for a copy that runs on the build machine, such as the Buildroot package's check).
STATIC ?= -static
# PIE=yes links the static shim as a static PIE, loaded at a random address at each boot; the
# build fails if CC links it with an interpreter instead. By default yes with the toolchains
# this tree sets up (Debian's musl, natively and with CROSS=aarch64), no with a CC given from
# outside, which may not know -static-pie. Every build has the stack protector.
PIE ?= $(if $(OWN_TOOLCHAIN),yes,no)
READELF ?= readelf
WERROR ?= $(if $(CI),-Werror)
WARN := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes $(WERROR)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DESTDIR ?=

B ?= build
# The generator that writes the table and the archive: by default the one this tree builds; an
# installed copy of the build (make install-initramfs-tool) names the installed one.
GEN ?= $(B)/modlatch-gen

# Two programs and their contract: gen/ is modlatch-gen (build host), init/ is modlatch (the
# target's PID 1), common/ is what both compile (the table's layout, the pin check, SHA-256, errno
# names, the module-request name rule).
COMMON_SRC := $(wildcard common/*.c)
COMMON_HDR := $(wildcard common/*.h)
GEN_SRC := $(wildcard gen/*.c) $(COMMON_SRC)
GEN_HDR := $(wildcard gen/*.h) $(COMMON_HDR)
INIT_SRC := $(wildcard init/*.c)
INIT_HDR := $(wildcard init/*.h) $(COMMON_HDR)
# The unit tests link the generator's parsers and emitter, not its libkmod code.
UNIT_SRC := $(wildcard tests/unit/*.c) gen/list.c gen/plan.c gen/modfile.c gen/kconfig.c gen/costs.c \
	gen/emit.c gen/util.c init/fmt.c init/text.c init/clock.c init/deadline.c init/foreign.c \
	$(COMMON_SRC)
UNIT_HDR := $(GEN_HDR) $(wildcard tests/unit/*.h) init/fmt.h init/kernel.h init/boot.h

TARGET_CPPFLAGS := -D_GNU_SOURCE -Icommon -Iinit -I$(B)
PIE_ON := $(if $(STATIC),$(filter yes,$(PIE)))
TARGET_CFLAGS := $(WARN) -fstack-protector-strong $(if $(PIE_ON),-fPIE) $(CFLAGS) \
	-ffunction-sections -fdata-sections -fno-ident -fno-asynchronous-unwind-tables \
	-fno-unwind-tables
# noseparate-code: one text segment instead of page-padded ones saves 4 KiB of a 40 KiB file.
# A static program has no loader to apply RELRO, whose alignment only pads the file (up to a
# page: 4 KiB on x86-64, 64 KiB on aarch64); without it, a small common page size lets the data
# follow the code in the file with no padding at all, so the file grows by bytes, not pages.
STATIC_LAYOUT := -Wl,-z,norelro -Wl,-z,common-page-size=64
TARGET_LDFLAGS := $(if $(PIE_ON),-static-pie,$(STATIC)) -s -Wl,--gc-sections \
	-Wl,-z,noseparate-code $(if $(STATIC),$(STATIC_LAYOUT)) $(LDFLAGS)
HOST_CPPFLAGS := -D_GNU_SOURCE -Igen -Icommon -DMODLATCH_VERSION='"$(VERSION)"'
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all install setup check demo bench bench-systemd unit deps kernel guest-root format lint man-lint clean \
	verity-image FORCE
.DELETE_ON_ERROR:

all: $(B)/modlatch-gen $(B)/modlatch

$(B):
	mkdir -p $@

$(B)/modlatch-gen: $(GEN_SRC) $(GEN_HDR) | $(B)
	$(HOSTCC) $(WARN) $(HOST_CFLAGS) $(HOST_CPPFLAGS) \
		$$($(PKG_CONFIG) --cflags libkmod) -o $@ $(GEN_SRC) $(HOST_LDFLAGS) \
		$$($(PKG_CONFIG) --libs libkmod)

# The shim's configuration: every variable above that init/mkconfig.sh turns into config.h.
CONFIG_VARS := VERSION SUPERVISOR FALLBACK_SHELL ON_FATAL ON_MODULE_FAILURE ON_INTEGRITY_FAILURE \
	ON_FOREIGN_MODULE ALLOW_FOREIGN KILL_OTHERS HANDOFF ON_EXIT STOP_TIMEOUT LOAD_DEADLINE LOAD \
	MAX_THREADS SHA256 ALSO_LATCH AFTER_LATCH AFTER_LATCH_HELPER TARGET_MODULES ROOT ROOT_FSTYPE \
	ROOT_MODE ROOT_WAIT VERITY VERITY_ON_CORRUPTION
CONFIG_ENV = $(foreach v,$(CONFIG_VARS),$(v)='$($(v))')

# Rebuild what depends on a variable only when its value changes.
$(B)/config.vars: FORCE | $(B)
	@printf '%s\n' $(CONFIG_ENV) > $@.new
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@
# The compiler and its flags too: a build directory made before a change of CC, CFLAGS or PIE
# (or of the hardening this Makefile adds) must not keep a shim built the old way.
$(B)/flags.vars: FORCE | $(B)
	@printf '%s\n' '$(CC)' '$(TARGET_CFLAGS)' '$(TARGET_LDFLAGS)' > $@.new
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@
$(B)/table.vars: FORCE | $(B)
	@printf '%s\n' '$(abspath $(LIST))' '$(abspath $(MODULES_DIR))' '$(KCONFIG)' \
		'$(abspath $(COSTS))' > $@.new
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@

$(B)/config.h: init/mkconfig.sh $(B)/config.vars $(VERITY)
	$(CONFIG_ENV) sh init/mkconfig.sh > $@.tmp && mv $@.tmp $@

$(B)/table.c: $(GEN) $(LIST) $(B)/table.vars $(COSTS) $(if $(MODULES_DIR),$(MODULES_DIR)/modules.dep $(MODULES_DIR)/modules.dep.bin)
	@test -n '$(MODULES_DIR)' || { echo 'MODULES_DIR is not set: point it at the target'"'"'s <root>/lib/modules/<release> (after depmod), e.g. make MODULES_DIR=$$(scripts/kernel.sh modules-dir)' >&2; exit 1; }
	$(GEN) $(if $(KCONFIG),-k $(KCONFIG) )$(if $(COSTS),--costs $(COSTS) )-o $@ --files $(B)/table.files $(LIST) $(MODULES_DIR)

# A static shim must have no interpreter: an initramfs has no loader to run it with.
$(B)/modlatch: $(INIT_SRC) $(INIT_HDR) $(COMMON_SRC) $(B)/table.c $(B)/config.h $(B)/flags.vars \
		$(CROSS_SPECS) $(NATIVE_SPECS)
	$(CC) $(TARGET_CPPFLAGS) $(TARGET_CFLAGS) -o $@ $(INIT_SRC) $(COMMON_SRC) $(B)/table.c \
		$(TARGET_LDFLAGS)
	@if [ -n '$(STATIC)' ] && $(READELF) -lW $@ | grep -q INTERP; then \
		echo "$@: $(CC) linked it with an interpreter ($(if $(PIE_ON),PIE=yes: set PIE=no,STATIC='$(STATIC)'))" >&2; \
		rm -f $@; exit 1; fi

$(NATIVE_SPECS): scripts/musl-specs.sh | $(B)
	sh scripts/musl-specs.sh '$(MUSL_GCC_SPECS)' > $@.tmp && mv $@.tmp $@

# The aarch64 musl: for CROSS=aarch64, and for the SHA-256 test and speed run on aarch64 (an
# installed copy of the build, which makes native images only, has no cross.sh).
AARCH64_SPECS := $(if $(wildcard scripts/cross.sh),$(shell sh scripts/cross.sh specs aarch64))
$(sort $(CROSS_SPECS) $(AARCH64_SPECS)): scripts/musl-specs.sh
	sh scripts/cross.sh fetch aarch64

$(B)/unit-tests: $(UNIT_SRC) $(UNIT_HDR) | $(B)
	$(HOSTCC) $(WARN) $(HOST_CFLAGS) $(HOST_CPPFLAGS) -Iinit -Itests/unit -o $@ $(UNIT_SRC)

$(B)/unit-tests-san: $(UNIT_SRC) $(UNIT_HDR) | $(B)
	$(HOSTCC) $(WARN) $(HOST_CFLAGS) $(SANITIZE) $(HOST_CPPFLAGS) -Iinit -Itests/unit -o $@ \
		$(UNIT_SRC)

# SHA-256 on CPUs this machine is not, run under QEMU's user mode: the SHA-256 tests alone,
# for arm64 (cross-built against musl, run where the crypto extensions are) and for an x86-64
# without the SHA extensions.
SHA256_TEST_SRC := tests/unit/main.c tests/unit/test_sha256.c common/sha256.c \
	common/sha256_fast.c common/filehash.c
$(B)/unit-sha256-aarch64: $(SHA256_TEST_SRC) $(COMMON_HDR) tests/unit/check.h $(AARCH64_SPECS) | $(B)
	aarch64-linux-gnu-gcc -specs=$(AARCH64_SPECS) -static $(WARN) -O2 \
		-D_GNU_SOURCE -Icommon -Itests/unit -o $@ $(SHA256_TEST_SRC)
$(B)/unit-sha256: $(SHA256_TEST_SRC) $(COMMON_HDR) tests/unit/check.h | $(B)
	$(HOSTCC) $(WARN) $(HOST_CFLAGS) -D_GNU_SOURCE -Icommon -Itests/unit -o $@ $(SHA256_TEST_SRC)

# The SHA-256 speed of each path, as the shim's compiler and flags build it (make bench runs it).
SHA256_SPEED_SRC := tests/speed/sha256_speed.c common/sha256.c common/sha256_fast.c
$(B)/sha256-speed: $(SHA256_SPEED_SRC) $(COMMON_HDR) $(NATIVE_SPECS) | $(B)
	$(CC) $(WARN) $(CFLAGS) -static -D_GNU_SOURCE -Icommon -o $@ $(SHA256_SPEED_SRC)
$(B)/sha256-speed-aarch64: $(SHA256_SPEED_SRC) $(COMMON_HDR) $(AARCH64_SPECS) | $(B)
	aarch64-linux-gnu-gcc -specs=$(AARCH64_SPECS) -static $(WARN) \
		$(CFLAGS) -D_GNU_SOURCE -Icommon -o $@ $(SHA256_SPEED_SRC)

unit: $(B)/unit-tests $(B)/unit-tests-san $(B)/unit-sha256-aarch64 $(B)/unit-sha256
	$(B)/unit-tests
	$(B)/unit-tests-san
	MODLATCH_EXPECT_SHA256=armv8-ce qemu-aarch64 -cpu max $(B)/unit-sha256-aarch64
	MODLATCH_EXPECT_SHA256=portable qemu-x86_64 -cpu qemu64 $(B)/unit-sha256

# The man pages; make install puts each in $(MANDIR)/man<section>.
MAN_PAGES := man/modlatch-gen.1 man/modlatch.list.5 man/modlatch.8 \
	man/modlatch-update-initramfs.8 man/modlatch.conf.5

install: all
	install -D -m 0755 $(B)/modlatch-gen $(DESTDIR)$(BINDIR)/modlatch-gen
	install -D -m 0755 $(B)/modlatch $(DESTDIR)$(SBINDIR)/modlatch
	install -D -m 0644 man/modlatch-gen.1 $(DESTDIR)$(MANDIR)/man1/modlatch-gen.1
	install -D -m 0644 man/modlatch.list.5 $(DESTDIR)$(MANDIR)/man5/modlatch.list.5
	install -D -m 0644 man/modlatch.8 $(DESTDIR)$(MANDIR)/man8/modlatch.8

# What a host needs to build the boot images of its own kernels (doc/debian.md; the Debian
# package is this): modlatch-gen; modlatch-update-initramfs and the kernel hooks that call it;
# the part of this tree that builds an image (this Makefile, init/, common/ and the scripts it
# runs) as DATADIR/modlatch/src; the shipped lists; the settings and the list in
# SYSCONFDIR/modlatch; the systemd units that report refused module requests; the man pages.
# The shim itself is built on the host, for each kernel, by modlatch-update-initramfs.
DATADIR ?= $(PREFIX)/share
# /etc whatever PREFIX is: the kernel packages run hooks from /etc/kernel only.
SYSCONFDIR ?= /etc
# The units that report module requests refused after the latch (rootfs-overlay/etc/systemd).
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
TOOL_SRC := Makefile init/mkconfig.sh scripts/initramfs.sh scripts/musl-specs.sh $(INIT_SRC) \
	$(wildcard init/*.h) $(COMMON_SRC) $(COMMON_HDR)
TOOL_PATHS := -e 's|@datadir@|$(DATADIR)|g' -e 's|@bindir@|$(BINDIR)|g' \
	-e 's|@sbindir@|$(SBINDIR)|g' -e 's|@sysconfdir@|$(SYSCONFDIR)|g'
.PHONY: install-initramfs-tool
install-initramfs-tool: $(B)/modlatch-gen
	install -D -m 0755 $(B)/modlatch-gen $(DESTDIR)$(BINDIR)/modlatch-gen
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postrm.d
	sed $(TOOL_PATHS) scripts/update-initramfs.sh > $(DESTDIR)$(SBINDIR)/modlatch-update-initramfs
	sed $(TOOL_PATHS) scripts/kernel-hook.sh > $(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/modlatch
	sed $(TOOL_PATHS) scripts/kernel-hook.sh > $(DESTDIR)$(SYSCONFDIR)/kernel/postrm.d/modlatch
	chmod 0755 $(DESTDIR)$(SBINDIR)/modlatch-update-initramfs \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/modlatch \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postrm.d/modlatch
	for f in $(sort $(TOOL_SRC)); do \
		install -D -m $$(case $$f in *.sh) echo 0755 ;; *) echo 0644 ;; esac) $$f \
			$(DESTDIR)$(DATADIR)/modlatch/src/$$f || exit 1; \
	done
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/modlatch/lists $(wildcard etc/*.list)
	install -D -m 0644 etc/modlatch.conf $(DESTDIR)$(SYSCONFDIR)/modlatch/modlatch.conf
	install -D -m 0644 rootfs-overlay/etc/modlatch/expected-refusals \
		$(DESTDIR)$(SYSCONFDIR)/modlatch/expected-refusals
	install -D -m 0644 -t $(DESTDIR)$(SYSTEMDUNITDIR) \
		rootfs-overlay/etc/systemd/system/modlatch-refused.service \
		rootfs-overlay/etc/systemd/system/modlatch-refused.path
	install -D -m 0644 etc/debian-host.list $(DESTDIR)$(SYSCONFDIR)/modlatch/modules.list
	for page in $(MAN_PAGES); do \
		s=$${page##*.}; install -D -m 0644 $$page $(DESTDIR)$(MANDIR)/man$$s/$${page#man/} || exit 1; \
	done

# Installs the Debian packages that the build and the tests need (as root).
deps:
	sh scripts/deps.sh

# The kernels the boot tests run: Debian's 6.1 (bookworm) and 6.12 (trixie) cloud kernels, for
# amd64 and arm64, and Debian's musl and BusyBox for aarch64 (the cross-built images).
kernel:
	sh scripts/kernel.sh fetch bookworm
	sh scripts/kernel.sh fetch trixie
	sh scripts/kernel.sh fetch bookworm arm64
	sh scripts/kernel.sh fetch trixie arm64
	sh scripts/cross.sh fetch aarch64

# The Debian roots of the guests (scripts/guestroot.sh), cached like the kernels: the workload
# guests' (a container engine and an appliance's network tools), the roots tests/systemd/
# boots with their own systemd (Debian 12 with podman and nftables, Debian 13), and the roots
# tests/debian/ installs the package and the kernels into (Debian 12 and 13).
guest-root:
	sh scripts/guestroot.sh fetch
	sh scripts/guestroot.sh fetch systemd-bookworm
	sh scripts/guestroot.sh fetch systemd-trixie
	sh scripts/guestroot.sh fetch package-bookworm
	sh scripts/guestroot.sh fetch package-trixie

# What the tests need on a fresh Debian 12 machine: packages (installed as root, else named),
# the kernels and the guest root (fetched once into ~/.cache/modlatch). Each part does nothing
# when it is already there.
setup: deps kernel guest-root

# The README's test command. Its prerequisites set up; the recipe only checks: the style first,
# then every suite (tests/run.sh), none of which may be skipped.
check: setup
	$(MAKE) lint
	$(MAKE) $(B)/unit-tests $(B)/unit-tests-san $(B)/unit-sha256-aarch64 $(B)/unit-sha256 \
		$(B)/modlatch-gen
	B=$(B) tests/run.sh

# A root filesystem image pinned for VERITY=: $(B)/root.verity.img is ROOT_IMAGE followed by its
# dm-verity hash tree, $(B)/root.verity the parameters the build pins (scripts/verity.sh).
ROOT_IMAGE ?=
verity-image: | $(B)
	@test -n '$(ROOT_IMAGE)' || { echo 'verity-image: set ROOT_IMAGE to the root filesystem image' >&2; exit 1; }
	sh scripts/verity.sh '$(ROOT_IMAGE)' '$(B)/root.verity.img' '$(B)/root.verity'

# The initramfs: make initramfs packs $(B)/modlatch as /init, the module files the table pins (at
# TARGET_MODULES/<release>/<path>, where the shim opens them), /dev/console and the tree
# INITRAMFS_OVERLAY into $(B)/initramfs.cpio, and compresses that with INITRAMFS_COMPRESSION (gzip,
# zstd, xz or none) into $(B)/initramfs.cpio.gz (.zst, .xz), refusing one that KCONFIG cannot
# unpack. The same inputs give the same bytes, dated SOURCE_DATE_EPOCH (default: the last commit's
# time). scripts/initramfs.sh says what goes in and why (and prints one line per file it writes);
# gen/cpio.c writes the archive.
INITRAMFS_OVERLAY ?=
INITRAMFS_COMPRESSION ?= gzip
INITRAMFS_SUFFIX = $(patsubst $(INITRAMFS_COMPRESSION):%,%,$(filter $(INITRAMFS_COMPRESSION):%, \
	gzip:.gz zstd:.zst xz:.xz))
INITRAMFS_ENV = B='$(B)' GEN='$(GEN)' MODULES_DIR='$(MODULES_DIR)' KCONFIG='$(KCONFIG)' \
	TARGET_MODULES='$(TARGET_MODULES)' INITRAMFS_OVERLAY='$(INITRAMFS_OVERLAY)' \
	INITRAMFS_COMPRESSION='$(INITRAMFS_COMPRESSION)' SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)'
.PHONY: initramfs
initramfs: $(B)/initramfs.cpio$(INITRAMFS_SUFFIX)

# The table's files, listed by the modlatch-gen run that writes the table (--files). A build
# directory from before the list existed gets both again.
$(B)/table.files: $(B)/table.c
	@test -f $@ || { rm -f $<; $(MAKE) --no-print-directory $<; }

# What the archive depends on beyond its files: the variables, and the overlay as a listing.
$(B)/initramfs.vars: FORCE | $(B)
	@$(INITRAMFS_ENV) sh scripts/initramfs.sh vars > $@.new || { rm -f $@.new; exit 1; }
	@cmp -s $@.new $@ && rm $@.new || mv $@.new $@

$(B)/initramfs.cpio: $(B)/table.files $(B)/modlatch $(GEN) $(B)/initramfs.vars \
		scripts/initramfs.sh
	@$(INITRAMFS_ENV) sh scripts/initramfs.sh cpio $@

$(B)/initramfs.cpio.gz $(B)/initramfs.cpio.zst $(B)/initramfs.cpio.xz: $(B)/initramfs.cpio
	@$(INITRAMFS_ENV) sh scripts/initramfs.sh compress $< $@

# Boots four ways of loading the same modules and compares them (see tests/bench.sh).
bench:
	bash tests/bench.sh

# Boots a Debian root under its systemd four ways (Debian's initrd with a late latch unit, with
# the latch in sysctl.d, with modlatch, with no latch) and compares them (tests/bench-systemd.sh).
bench-systemd:
	bash tests/bench-systemd.sh

# Boots the demo appliance in QEMU and shows the result.
demo:
	bash tests/demo.sh

# Rewrites the C sources in the layout of .clang-format.
format:
	clang-format -i gen/*.[ch] common/*.[ch] init/*.[ch] tests/unit/*.[ch] tests/fuzz/*.[ch]

# The C sources in the layout of .clang-format, every shell script shellcheck-clean (settings in
# .shellcheckrc; bats files are read as bash), and the man pages free of mandoc warnings.
C_SOURCES = $(shell git ls-files -- '*.c' '*.h' 2>/dev/null)
SHELL_SCRIPTS = $(shell git ls-files -- '*.sh' '.ci/run' 'rootfs-overlay/etc/s6/boot' \
	'rootfs-overlay/etc/s6/service/*/run' 'rootfs-overlay/etc/s6/service/*/log/run' \
	'rootfs-overlay/etc/init.d/rcS' 'debian/postinst' 2>/dev/null)
BASH_SCRIPTS = $(shell git ls-files -- '*.bats' '*.bash' 2>/dev/null)
lint: man-lint
	clang-format --dry-run -Werror $(C_SOURCES)
	shellcheck $(SHELL_SCRIPTS)
	shellcheck -s bash $(BASH_SCRIPTS)

# mandoc (Debian package mandoc) checks the man(7) macros; -W warning ignores style notes.
man-lint:
	mandoc -T lint -W warning $(MAN_PAGES)

clean:
	rm -rf $(B)

# An installed copy of the build (make install-initramfs-tool) carries no tests.
-include tests/fuzz/fuzz.mk

# The release: make dist writes $(B)/modlatch-$(VERSION).tar.gz, the files git tracks under
# modlatch-$(VERSION)/, and its .sha256 (sha256sum -c format). The same commit gives the same
# bytes whatever the checkout, the clock or the umask (scripts/dist.sh says how, and what it
# needs: GNU tar and gzip). Tracked files that differ from the last commit stop it, unless
# DIST_DIRTY=yes.
DIST_DIRTY ?= no
.PHONY: dist git-work-tree
dist:
	DIST_DIRTY='$(DIST_DIRTY)' sh scripts/dist.sh tarball '$(VERSION)' '$(abspath $(B))'

# make lint checks the files git tracks. In an unpacked release, which has no .git, it stops
# and says so rather than checking nothing (the build and make unit need no git).
lint: git-work-tree
git-work-tree:
	@sh scripts/dist.sh work-tree 'make lint'

# A real Buildroot image of the external tree (buildroot/), built offline from Debian's archive
# and booted in QEMU/TCG: scripts/buildroot-image.sh, doc/buildroot.md "A real image, offline".
# Not part of check: it builds a kernel and some twenty packages. BUILDROOT: a Buildroot tree;
# BUILDROOT_STAGES picks stages (toolchain sources configure build boot tamper; all by default).
# The script reads WORK, JOBS, TIMEOUT and PATCHELF_SRC from the environment or make's command line.
.PHONY: buildroot-image
buildroot-image:
	BUILDROOT='$(BUILDROOT)' sh scripts/buildroot-image.sh $(BUILDROOT_STAGES)
SHELL_SCRIPTS += buildroot/board/qemu-x86_64/check-overlay/etc/init.d/S99modlatch-check
