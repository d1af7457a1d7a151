################################################################################
#
# modlatch
#
################################################################################

# The external tree lives in the project's buildroot/ directory: the
# source is the project itself.
MODLATCH_SITE = $(BR2_EXTERNAL_MODLATCH_PATH)/..
MODLATCH_SITE_METHOD = local
MODLATCH_LICENSE = MIT
MODLATCH_LICENSE_FILES = LICENSE
# The project's own build directory holds test fixtures, not sources.
MODLATCH_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = --exclude=/build
MODLATCH_DEPENDENCIES = linux host-kmod host-pkgconf
# When modlatch takes /sbin/init it must come after BusyBox's link there.
MODLATCH_DEPENDENCIES += $(if $(BR2_PACKAGE_BUSYBOX),busybox)

# The commands live in build.sh, which tests/buildroot.bats runs too.
MODLATCH_SCRIPT = $(MODLATCH_DIR)/buildroot/package/modlatch/build.sh
MODLATCH_OUT = $(MODLATCH_DIR)/br-build

ifeq ($(BR2_PACKAGE_MODLATCH_INSTALL_INIT),y)
MODLATCH_INIT_PATH = /init
MODLATCH_BUSYBOX_INIT = busybox-init
else
MODLATCH_INIT_PATH = /sbin/init
# /sbin/init is modlatch itself, so BusyBox init is reached by its
# applet name.
MODLATCH_BUSYBOX_INIT = /bin/busybox init
endif

ifeq ($(BR2_PACKAGE_MODLATCH_SUPERVISOR_BUSYBOX_INIT),y)
MODLATCH_SUPERVISOR = $(MODLATCH_BUSYBOX_INIT)
else ifeq ($(BR2_PACKAGE_MODLATCH_SUPERVISOR_SHELL),y)
MODLATCH_SUPERVISOR = /bin/sh
else
MODLATCH_SUPERVISOR = $(call qstrip,$(BR2_PACKAGE_MODLATCH_SUPERVISOR_CUSTOM_VALUE))
endif

# The generator links host-kmod's libkmod, found through the rpath of
# HOST_LDFLAGS. WERROR: a newer compiler's new warning must not stop
# the build when CI is set in the environment.
MODLATCH_MAKE_OPTS = \
	CC="$(TARGET_CC)" \
	WERROR= \
	CFLAGS="$(TARGET_CFLAGS)" \
	LDFLAGS="$(TARGET_LDFLAGS) $(if $(BR2_TOOLCHAIN_HAS_LIBATOMIC),-latomic)" \
	HOSTCC="$(HOSTCC)" \
	HOST_CFLAGS="$(HOST_CFLAGS)" \
	HOST_LDFLAGS="$(HOST_LDFLAGS)" \
	PKG_CONFIG="$(PKG_CONFIG_HOST_BINARY)" \
	LIST="$(call qstrip,$(BR2_PACKAGE_MODLATCH_LIST))" \
	KCONFIG="$(LINUX_DIR)/.config" \
	SUPERVISOR="$(MODLATCH_SUPERVISOR)" \
	$(if $(BR2_PACKAGE_MODLATCH_AFTER_LATCH_RECORD),AFTER_LATCH=record \
		AFTER_LATCH_HELPER=$(MODLATCH_INIT_PATH)) \
	$(call qstrip,$(BR2_PACKAGE_MODLATCH_MAKE_OPTS))

# HOST_MAKE_ENV: pkg-config must find host-kmod's libkmod, not the
# target's.
define MODLATCH_BUILD_CMDS
	$(HOST_MAKE_ENV) MAKE="$(MAKE)" DEPMOD="$(HOST_DIR)/sbin/depmod" \
		HOSTCC="$(HOSTCC)" \
		$(MODLATCH_SCRIPT) build $(MODLATCH_OUT) $(TARGET_DIR) \
		"$(LINUX_VERSION_PROBED)" $(MODLATCH_MAKE_OPTS)
endef

ifeq ($(BR2_PACKAGE_MODLATCH_SUPERVISOR_BUSYBOX_INIT),y)
define MODLATCH_INSTALL_INITTAB
	test -e $(TARGET_DIR)/etc/inittab || \
		$(INSTALL) -D -m 0644 $(@D)/rootfs-overlay/etc/inittab \
			$(TARGET_DIR)/etc/inittab
endef
endif

define MODLATCH_INSTALL_TARGET_CMDS
	$(MODLATCH_SCRIPT) install $(MODLATCH_OUT) $(TARGET_DIR) \
		$(MODLATCH_INIT_PATH)
	$(MODLATCH_INSTALL_INITTAB)
endef

# BusyBox's config may leave out init when another init system is
# chosen; modlatch execs it, so it must be there.
define MODLATCH_BUSYBOX_CONFIG_FIXUPS
	$(if $(BR2_PACKAGE_MODLATCH_SUPERVISOR_BUSYBOX_INIT),
		$(call KCONFIG_ENABLE_OPT,CONFIG_INIT))
	$(if $(BR2_PACKAGE_MODLATCH_BUSYBOX_NO_MODPROBE),
		$(call KCONFIG_DISABLE_OPT,CONFIG_MODPROBE))
endef

# Before each filesystem image is made, on its copy of the target:
# overlays and post-build scripts have run by then, and depmod too.
define MODLATCH_CHECK_IMAGE
	$(MODLATCH_SCRIPT) check $(MODLATCH_OUT) $(TARGET_DIR) \
		$(LINUX_DIR)/.config \
		$(if $(BR2_PACKAGE_MODLATCH_AUDIT_FATAL),fail,warn)
endef
MODLATCH_ROOTFS_PRE_CMD_HOOKS += MODLATCH_CHECK_IMAGE

$(eval $(generic-package))
