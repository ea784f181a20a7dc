# SPDX-License-Identifier: GPL-2.0
# The device model's fuzz harnesses. Included by the top-level Makefile.
#
# One harness per device: tests/fuzz/virqnet_fuzz.c (the virqnet ring and
# every mode of the table but virtio) and tests/fuzz/virtio_fuzz.c (the
# virtio-net device: PCI, virtio-pci, the split virtqueues). For each NAME,
# build/tests/fuzz-NAME: libFuzzer (clang -fsanitize=fuzzer,address,
# undefined), run by `make fuzz` (scripts/fuzz.sh); build/tests/
# fuzz-replay-NAME: the same harness with a small main instead of
# libFuzzer, built by the ordinary compiler under ASan and UBSan, so that
# `make check` replays tests/fuzz-corpus/NAME/ anywhere (tests/host/
# fuzz-replay.t). All define VIRQNET_FUZZ: every guest-memory fetch reports
# to the double-fetch check (tests/fuzz/fetch.c, vmm/virqnet_dev.h).

FUZZ_CC ?= clang
FUZZ_HARNESSES := virqnet virtio
FUZZ_MODEL_SRCS := \
	tests/fuzz/fetch.c \
	vmm-mini/clock.c \
	vmm-mini/err.c \
	vmm-mini/ioport.c \
	vmm-mini/pci.c \
	vmm-mini/rx_foreign.c \
	vmm-mini/util.c \
	vmm-mini/virqnet.c \
	vmm-mini/virqnet_modes.c \
	vmm-mini/virqnet_rss.c \
	vmm-mini/virtio_net.c \
	vmm-mini/virtio_pci.c \
	vmm-mini/virtio_ring.c
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS = $(HOST_CFLAGS) -DVIRQNET_FUZZ $(FUZZ_SAN)
FUZZ_BINS := $(FUZZ_HARNESSES:%=$(BUILD)/tests/fuzz-%)
FUZZ_REPLAYS := $(FUZZ_HARNESSES:%=$(BUILD)/tests/fuzz-replay-%)

$(BUILD)/fuzz/%.o: %.c
	$(quiet) FUZZCC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_BINS): $(BUILD)/tests/fuzz-%: $(BUILD)/fuzz/tests/fuzz/%_fuzz.o \
		$(FUZZ_MODEL_SRCS:%.c=$(BUILD)/fuzz/%.o)
	$(quiet) LD $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -pthread

$(BUILD)/replay/%.o: %.c
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_REPLAYS): $(BUILD)/tests/fuzz-replay-%: $(BUILD)/replay/tests/fuzz/%_fuzz.o \
		$(FUZZ_MODEL_SRCS:%.c=$(BUILD)/replay/%.o) $(BUILD)/replay/tests/fuzz/replay.o
	$(quiet) LD $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(FUZZ_SAN) -o $@ $^ -pthread
