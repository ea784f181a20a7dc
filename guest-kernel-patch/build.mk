# SPDX-License-Identifier: GPL-2.0
# The guest kernel, build/guest.elf. Included by the top-level Makefile; it
# needs only guest-kernel-patch/ and the ABI header, so `make build/guest.elf`
# works whatever state vmm-mini is in.

GUEST_SRCS := \
	guest-kernel-patch/arch/acpi.c \
	guest-kernel-patch/arch/apic.c \
	guest-kernel-patch/arch/entry.S \
	guest-kernel-patch/arch/gdt.c \
	guest-kernel-patch/arch/head.S \
	guest-kernel-patch/arch/irq.c \
	guest-kernel-patch/arch/paging.c \
	guest-kernel-patch/arch/pvh.c \
	guest-kernel-patch/arch/smp_qemu.c \
	guest-kernel-patch/drivers/pci.c \
	guest-kernel-patch/drivers/virqnet.c \
	guest-kernel-patch/drivers/virqnet_adaptive.c \
	guest-kernel-patch/drivers/virqnet_mask_direct.c \
	guest-kernel-patch/drivers/virtio_net_napi.c \
	guest-kernel-patch/drivers/virtio_pci.c \
	guest-kernel-patch/kernel/lib.c \
	guest-kernel-patch/kernel/main.c \
	guest-kernel-patch/kernel/printf.c \
	guest-kernel-patch/kernel/ucall.c \
	guest-kernel-patch/kernel/ucall_qemu.c \
	guest-kernel-patch/kernel/user.c \
	$(sort $(wildcard guest-kernel-patch/tests/*.c))

GUEST_OBJS := $(patsubst %,$(BUILD)/guest/%.o,$(basename $(GUEST_SRCS)))
# __FILE__ relative to the guest tree: asserts read "tests/assert.c:12".
GUEST_CFLAGS += -fmacro-prefix-map=guest-kernel-patch/=

$(BUILD)/guest/%.o: %.c
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/guest/%.o: %.S
	$(quiet) AS $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/guest.elf: $(GUEST_OBJS) guest-kernel-patch/guest.lds
	$(quiet) LD $@
	$(Q)$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_OBJS)
