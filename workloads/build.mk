# SPDX-License-Identifier: GPL-2.0
# The traffic generator. Included by the top-level Makefile.

UDPGEN_SRCS := \
	vmm-mini/err.c \
	workloads/udpgen.c

$(BUILD)/udpgen: $(UDPGEN_SRCS:%.c=$(BUILD)/obj/%.o)
	$(quiet) LD $@
	$(Q)$(CC) -o $@ $^ -luring -lm

UDPRECV_SRCS := \
	vmm-mini/err.c \
	workloads/udprecv.c

$(BUILD)/udprecv: $(UDPRECV_SRCS:%.c=$(BUILD)/obj/%.o)
	$(quiet) LD $@
	$(Q)$(CC) -o $@ $^
