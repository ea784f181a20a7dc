# SPDX-License-Identifier: GPL-2.0
# The device model's fuzz harness. Included by the top-level Makefile.
#
# build/tests/fuzz-virqnet: libFuzzer (clang -fsanitize=fuzzer,address,
# undefined), run by `make fuzz` (scripts/fuzz.sh). build/tests/fuzz-replay:
# the same harness with a small main instead of libFuzzer, built by the
# ordinary compiler under ASan and UBSan, so that `make check` replays
# tests/fuzz-corpus/ anywhere (tests/host/fuzz-replay.t). Both define VIRQNET_FUZZ: every guest-memory
# fetch reports to the harness (vmm-mini/include/vmm/virqnet_dev.h).

FUZZ_CC ?= clang
FUZZ_SRCS := \
	tests/fuzz/virqnet_fuzz.c \
	vmm-mini/clock.c \
	vmm-mini/err.c \
	vmm-mini/util.c \
	vmm-mini/ioport.c \
	vmm-mini/pci.c \
	vmm-mini/rx_foreign.c \
	vmm-mini/virqnet.c \
	vmm-mini/virqnet_modes.c \
	vmm-mini/virtio_net.c \
	vmm-mini/virtio_pci.c \
	vmm-mini/virtio_ring.c
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS = $(HOST_CFLAGS) -DVIRQNET_FUZZ $(FUZZ_SAN)

$(BUILD)/fuzz/%.o: %.c
	$(quiet) FUZZCC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(BUILD)/tests/fuzz-virqnet: $(FUZZ_SRCS:%.c=$(BUILD)/fuzz/%.o)
	$(quiet) LD $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -pthread

$(BUILD)/replay/%.o: %.c
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/fuzz-replay: $(FUZZ_SRCS:%.c=$(BUILD)/replay/%.o) $(BUILD)/replay/tests/fuzz/replay.o
	$(quiet) LD $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(FUZZ_SAN) -o $@ $^ -pthread
