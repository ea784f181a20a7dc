# SPDX-License-Identifier: GPL-2.0
# vmm-mini: the host VMM. Included by the top-level Makefile.

VMM_SRCS := \
	vmm-mini/clock.c \
	vmm-mini/console.c \
	vmm-mini/costs.c \
	vmm-mini/err.c \
	vmm-mini/i8042.c \
	vmm-mini/ioport.c \
	vmm-mini/irq.c \
	vmm-mini/kvm-cpu.c \
	vmm-mini/kvm.c \
	vmm-mini/kvm_stats.c \
	vmm-mini/linux_boot.c \
	vmm-mini/linux_rx.c \
	vmm-mini/loader.c \
	vmm-mini/main.c \
	vmm-mini/mptable.c \
	vmm-mini/pci.c \
	vmm-mini/rtc.c \
	vmm-mini/rx_foreign.c \
	vmm-mini/rx_source.c \
	vmm-mini/rx_stats.c \
	vmm-mini/serial.c \
	vmm-mini/test_dev.c \
	vmm-mini/timeline.c \
	vmm-mini/ucall.c \
	vmm-mini/util.c \
	vmm-mini/virqnet.c \
	vmm-mini/virqnet_kvm.c \
	vmm-mini/virqnet_modes.c \
	vmm-mini/virqnet_rss.c \
	vmm-mini/virtio_net.c \
	vmm-mini/virtio_pci.c \
	vmm-mini/virtio_ring.c

VMM_OBJS := $(VMM_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/vmm-mini: $(VMM_OBJS)
	$(quiet) LD $@
	$(Q)$(CC) -o $@ $^ $(HOST_LDLIBS)

# The same VMM under AddressSanitizer, for the hostile-guest test: any read or
# write outside what vmm-mini owns (guest RAM included) aborts the run.
ASAN_CFLAGS := -fsanitize=address -fno-omit-frame-pointer
VMM_ASAN_OBJS := $(VMM_SRCS:%.c=$(BUILD)/asan/%.o)

$(BUILD)/asan/%.o: %.c
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_CFLAGS) $(ASAN_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/vmm-mini-asan: $(VMM_ASAN_OBJS)
	$(quiet) LD $@
	$(Q)$(CC) $(ASAN_CFLAGS) -o $@ $^ $(HOST_LDLIBS)

# C unit tests of the host-side pieces (TAP via tests/lib/tap.h).
$(BUILD)/tests/unit: $(BUILD)/obj/tests/host/unit.o $(BUILD)/obj/vmm-mini/clock.o \
		$(BUILD)/obj/vmm-mini/err.o $(BUILD)/obj/vmm-mini/util.o \
		$(BUILD)/obj/vmm-mini/virqnet_rss.o
	$(quiet) LD $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -o $@ $^ $(HOST_LDLIBS)
