# SPDX-License-Identifier: GPL-2.0
# The Linux guest vmm-mini --kernel boots: Debian's kernel package (the
# sandbox's, fetched by scripts/sandbox-fetch.sh, never installed), a
# busybox initramfs with the package's virtio-net modules, and the guest's
# receiver (guest-kernel-patch/linux/virqlab-rx.c, static). Built, never committed.
# Included by the top-level Makefile.

LINUX_GUEST_DIR := $(BUILD)/linux-guest
LINUX_GUEST_RX := $(LINUX_GUEST_DIR)/virqlab-rx
LINUX_GUEST_INPUTS := \
	scripts/linux-guest-init.sh \
	scripts/linux-guest.sh

# Static: the initramfs has no libc. The same payload and report ABI headers
# as vmm-mini and the virqlab guest.
$(LINUX_GUEST_RX): guest-kernel-patch/linux/virqlab-rx.c vmm-mini/include/uapi/virqlab_abi.h \
		vmm-mini/include/uapi/virqlab_payload.h vmm-mini/include/uapi/virqnet.h
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -static -O2 -std=gnu11 -Wall -Wextra -Werror -Ivmm-mini/include -o $@ $<

$(LINUX_GUEST_DIR)/initramfs.cpio.gz: $(LINUX_GUEST_INPUTS) $(LINUX_GUEST_RX) $$(SANDBOX_DEB)
	$(quiet) GEN $@
	$(Q)scripts/linux-guest.sh --rx $(LINUX_GUEST_RX) $(SANDBOX_DEB) $(LINUX_GUEST_DIR)

$(LINUX_GUEST_DIR)/bzImage: $(LINUX_GUEST_DIR)/initramfs.cpio.gz

linux-guest: $(LINUX_GUEST_DIR)/bzImage $(LINUX_GUEST_DIR)/initramfs.cpio.gz

.PHONY: linux-guest
