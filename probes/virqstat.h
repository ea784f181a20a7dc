/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virqstat.h - what virqstat's BPF side and its loader share: the events it
 * counts, the histograms it keeps, and their layout.
 */
#ifndef VIRQSTAT_H
#define VIRQSTAT_H

/*
 * KVM tracepoints, in the order of the list; an event id is the
 * BPF cookie of its attachment, so one program serves them all.
 */
enum tp_id {
	TP_KVM_SET_IRQ,
	TP_KVM_MSI_SET_IRQ,
	TP_KVM_APIC_ACCEPT_IRQ,
	TP_KVM_INJ_VIRQ,
	TP_KVM_EOI,
	TP_KVM_EXIT,
	TP_KVM_ENTRY,
	TP_KVM_USERSPACE_EXIT,
	TP_KVM_PIO,
	TP_KVM_MMIO,
	TP_KVM_MSR,
	TP_KVM_VCPU_WAKEUP,
	TP_KVM_HALT_POLL_NS,
	TP_KVM_EMULATE_INSN,
	NR_TPS
};

/* vmm-mini's USDT probes (vmm-mini/include/vmm/usdt.h), counted after the tracepoints. */
enum usdt_id {
	U_RUN_START = NR_TPS,
	U_RUN_STOP,
	U_RX_BATCH,		/* probe hits */
	U_IRQ_RAISE,		/* kind 0: an arrival */
	U_LAT_BATCH,		/* probe hits */
	U_ARRIVALS,		/* sums of the batches' arguments */
	U_IRQ_SUPPRESS,
	U_LAT_SAMPLES,
	U_IRQ_CONTROL,		/* irq_raise kind 1: the stop request */
	NR_EVENTS
};

#define LAT_BATCH_MAX	64	/* USDT_LAT_BATCH_MAX in vmm-mini/include/vmm/usdt.h */

/* A tracepoint's key: up to two fields (offset, size) from its format file. */
#define NR_KEY_FIELDS	2
/* Key fields must lie in a record's first TP_RECORD_MAX bytes (a power of two). */
#define TP_RECORD_MAX	64

struct keyed {
	__u32 event;
	__u32 pad;
	__u64 key;		/* field 0 in the low half, field 1 in the high */
};

/*
 * Histograms of nanoseconds. log2: slot i holds [2^i, 2^(i+1)), slot 0 also
 * 0 and 1 (bcc's convention). fine: each log2 slot split into FINE_SUB
 * linear sub-slots, so percentiles resolve to 1/FINE_SUB of a power of two
 * wherever the mass is.
 */
#define MAX_SLOTS	42	/* 2^42 ns = 73 min */
#define FINE_SUB	16

enum hist_id {
	H_LATENCY,		/* host rx stamp -> guest consumption (lat_batch) */
	H_IRQ_GAP,		/* between arrival interrupts (probe clock) */
	H_EXIT_TIME,		/* kvm_exit -> kvm_entry, all reasons (probe clock) */
	NR_HISTS
};

struct hist {
	__u64 log2[MAX_SLOTS];
	__u64 fine[MAX_SLOTS * FINE_SUB];
};

/* Exit-handling time per exit reason: log2 slot counts. */
struct exit_slot {
	__u32 reason;
	__u32 slot;
};

#endif
