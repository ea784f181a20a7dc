# SPDX-License-Identifier: GPL-2.0
# probes: build/virqstat, libbpf-tools style - name.bpf.c compiled by clang for
# BPF, a skeleton from `bpftool gen skeleton`, linked into the loader.
# Included by the top-level Makefile.

BPF_CLANG ?= clang
BPFTOOL ?= bpftool
# -mcpu=v3: atomic exchange for the interrupt-gap clock (kernel 5.12+).
# Recursive (=), so that $(CC) -dumpmachine runs when the recipe does: on a bare
# machine `make demo` installs the compiler (deps) after this file is parsed.
BPF_CFLAGS = -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_x86 -Wall -Werror \
	-Iprobes -I/usr/include/$(shell $(CC) -dumpmachine)

PROBE_SRCS := \
	probes/virqstat.c \
	probes/virqstat_out.c

PROBE_OBJS := $(PROBE_SRCS:%.c=$(BUILD)/obj/%.o)

$(BUILD)/probes/%.bpf.o: probes/%.bpf.c probes/%.h probes/vmlinux.h
	$(quiet) BPF $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(BPF_CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(BUILD)/probes/%.skel.h: $(BUILD)/probes/%.bpf.o
	$(quiet) GEN-SKEL $@
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(PROBE_OBJS): HOST_CFLAGS += -I$(BUILD)/probes -Iprobes
$(PROBE_OBJS): $(BUILD)/probes/virqstat.skel.h

# The one error helper every host program shares (vmm-mini/include/vmm/err.h).
$(BUILD)/virqstat: $(PROBE_OBJS) $(BUILD)/obj/vmm-mini/err.o
	$(quiet) LD $@
	$(Q)$(CC) -o $@ $^ -lbpf -lelf -lz
.SECONDARY: $(BUILD)/probes/virqstat.bpf.o
