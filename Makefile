# SPDX-License-Identifier: GPL-2.0
#
# virqlab top-level build. `make` builds everything into build/; `make check`
# runs the TAP suite; `make demo` runs the main job. Quiet unless V=1.

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-7s %s\n'
endif

CC ?= cc
BUILD := build
CFLAGS_COMMON := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter
HOST_CFLAGS := $(CFLAGS_COMMON) -D_GNU_SOURCE -pthread -Ivmm-mini/include
HOST_LDLIBS := -pthread -lm -luring

# Guest kernel: freestanding, no SSE (we never save FPU state), no red zone
# (interrupts arrive on the same stack in ring 0).
GUEST_CFLAGS := $(CFLAGS_COMMON) -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-builtin -nostdinc -mno-red-zone -mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-Iguest-kernel-patch/include -Ivmm-mini/include
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-T,guest-kernel-patch/guest.lds

# The revision --version prints: this checkout's `git describe`, or "unknown"
# in a tree that is not its own git checkout (a copy, such as fresh-debian's,
# sitting inside another). build/version changes only when the revision does,
# so the programs that print it are rebuilt then and only then.
VIRQLAB_VERSION := $(shell [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$$(pwd -P)" ] && \
	git describe --always --dirty 2>/dev/null || echo unknown)

$(BUILD)/version: FORCE
	$(Q)mkdir -p $(BUILD)
	$(Q)echo '$(VIRQLAB_VERSION)' | cmp -s - $@ || echo '$(VIRQLAB_VERSION)' > $@

# Every object that includes virqlab_cli.h (which refuses to build without it).
CLI_OBJS := \
	$(BUILD)/asan/vmm-mini/main.o \
	$(BUILD)/obj/probes/virqstat.o \
	$(BUILD)/obj/vmm-mini/main.o \
	$(BUILD)/obj/workloads/udpgen.o \
	$(BUILD)/obj/workloads/udprecv.o

$(CLI_OBJS): $(BUILD)/version
$(CLI_OBJS): HOST_CFLAGS += -DVIRQLAB_VERSION='"$(VIRQLAB_VERSION)"'

include vmm-mini/build.mk
include guest-kernel-patch/build.mk
include workloads/build.mk
include probes/build.mk
include tests/fuzz/build.mk
.SECONDEXPANSION:
-include scripts/sandbox.mk
-include scripts/linux-guest.mk

all: $(BUILD)/guest.elf $(FUZZ_REPLAYS) $(BUILD)/tests/unit $(BUILD)/udpgen $(BUILD)/udprecv $(BUILD)/vmm-mini $(BUILD)/vmm-mini-asan $(BUILD)/virqstat

$(BUILD)/obj/%.o: %.c
	$(quiet) CC $@
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(HOST_CFLAGS) -MMD -MP -c -o $@ $<

deps:
	$(Q)scripts/deps.sh

check: deps all
	$(Q)scripts/check.sh

demo: deps all
	$(Q)scripts/demo.sh

# --one-file-system: never into what a running scripts/fresh-debian.sh has
# bound into its tree (the host's /dev, /sys).
clean:
	$(quiet) CLEAN $(BUILD)
	$(Q)rm -rf --one-file-system $(BUILD)

.PHONY: all check clean demo deps FORCE
FORCE:
.DEFAULT_GOAL := all

# Only where objects are built: build/fresh-debian/ holds a whole Debian tree
# (scripts/fresh-debian.sh), whose /etc/*.d directories are not makefiles.
-include $(shell find $(BUILD)/asan $(BUILD)/fuzz $(BUILD)/guest $(BUILD)/obj $(BUILD)/replay -name '*.d' -type f 2>/dev/null)

# Benchmarks: speed targets live here, never in timed tests.
bench: bench-costs bench-probes bench-rx

bench-costs: all
	$(Q)scripts/demo.sh --costs-only

bench-probes: all
	$(Q)scripts/bench-probes.sh

bench-queues: all
	$(Q)scripts/bench-queues.sh

# Debian's Linux receiving with virtio_net beside the virqlab guest's modes
# (workloads/linux.conf; in the SVM sandbox on nested PVM).
bench-linux: all linux-guest
	$(Q)scripts/run-experiment.sh linux

bench-linux-boot: all linux-guest
	$(Q)scripts/bench-linux-boot.sh

# The device model under libFuzzer: FUZZ_RUNS executions (default 10^6), at most
# FUZZ_SECONDS, each harness; new interesting inputs are merged into tests/fuzz-corpus/NAME/.
fuzz: deps $(FUZZ_BINS)
	$(Q)scripts/fuzz.sh

bench-rx: all
	$(Q)scripts/run-experiment.sh saturation; rc=$$?; \
		scripts/rx-targets.sh results/latest || rc=$$?; exit $$rc

# Regression verdicts: the newest run in results/history.sqlite against the
# last accepted run of its flavour, machine and workload (scripts/history.sh
# accept RUN), else the committed baseline of its flavour
# (results/baseline/<flavour>/); results/README.md, "History". Thresholds in
# scripts/compare.rules.
regress:
	$(Q)scripts/history.sh regress

# The figures of one run (scripts/plot.sh): PNG, SVG and PDF in RUN/plots/.
RUN ?= results/latest
plots:
	$(Q)scripts/plot.sh "$(RUN)"

# A/B of two revisions, each built in its own worktree, cells interleaved,
# then the verdict (results/README.md, "A/B of two revisions"):
# make ab A=HEAD~1 B=HEAD [WORKLOAD=smoke] [OUT=DIR]
ab:
	$(Q)scripts/ab.sh --workload '$(or $(WORKLOAD),smoke)' $(if $(OUT),--out '$(OUT)') -- '$(A)' '$(B)'

.PHONY: ab bench bench-costs bench-linux bench-linux-boot bench-probes bench-queues bench-rx fuzz plots regress
