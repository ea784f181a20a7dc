# SPDX-License-Identifier: GPL-2.0
# The Linux guest vmm-mini --kernel boots: Debian's kernel package (the
# sandbox's, fetched by scripts/sandbox-fetch.sh, never installed) and a
# busybox initramfs. Built, never committed. Included by the top-level Makefile.

LINUX_GUEST_DIR := $(BUILD)/linux-guest
LINUX_GUEST_INPUTS := \
	scripts/linux-guest-init.sh \
	scripts/linux-guest.sh

$(LINUX_GUEST_DIR)/initramfs.cpio.gz: $(LINUX_GUEST_INPUTS) $$(SANDBOX_DEB)
	$(quiet) GEN $@
	$(Q)scripts/linux-guest.sh $(SANDBOX_DEB) $(LINUX_GUEST_DIR)

$(LINUX_GUEST_DIR)/bzImage: $(LINUX_GUEST_DIR)/initramfs.cpio.gz

linux-guest: $(LINUX_GUEST_DIR)/bzImage $(LINUX_GUEST_DIR)/initramfs.cpio.gz

.PHONY: linux-guest
