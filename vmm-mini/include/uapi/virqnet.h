/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virqnet.h - the receive device's ABI, shared by vmm-mini (the device) and
 * the guest kernel (its driver): registers, ring and descriptor layout, and
 * the per-vCPU flag area of the masked direct-read method.
 *
 * The device receives UDP datagrams from a real host socket straight into
 * buffers in guest memory (its DMA area) and publishes one descriptor per
 * datagram in a ring, also in guest memory. Two ways to hear about it:
 *
 *   inject       one MSI per arrival; the driver reads STATUS and the head
 *                descriptor through registers (exits), copies the datagram
 *                into a kernel queue and acknowledges through RX_ACK.
 *   mask-direct  the device sets `pending` in the target vCPU's flag area and
 *                raises an MSI only while `masked` is clear; the driver masks,
 *                and the consumer reads the ring in place (no exits, no
 *                copies), advancing `cons` itself, then unmasks and re-checks.
 *
 * Buffers and ring slots are decoupled: a descriptor names its buffer, and a
 * buffer returns to the device when the guest consumes that descriptor.
 */
#ifndef VIRQNET_H
#define VIRQNET_H

#include <stdint.h>

#define VIRQNET_ABI_VERSION	1
#define VIRQNET_ID		(0x76710000u | VIRQNET_ABI_VERSION)	/* "vq" + version */

/* MMIO window: one page in the device window (see virqlab_abi.h). */
#define VIRQNET_MMIO_GPA	0xc0001000ULL
#define VIRQNET_MMIO_SIZE	0x1000

/* 32-bit registers. RO: read-only, WO: write-only, RW: read/write. */
#define VIRQNET_REG_ID		0x00	/* RO VIRQNET_ID: the driver checks it at probe */
#define VIRQNET_REG_MODE	0x04	/* RO enum virqnet_mode the VMM runs */
#define VIRQNET_REG_RING_LO	0x08	/* RW GPA of struct virqnet_ring */
#define VIRQNET_REG_RING_HI	0x0c
#define VIRQNET_REG_RING_SIZE	0x10	/* RW descriptors: power of 2, 8..4096 */
#define VIRQNET_REG_BUF_LO	0x14	/* RW GPA of the buffer area */
#define VIRQNET_REG_BUF_HI	0x18
#define VIRQNET_REG_BUF_SIZE	0x1c	/* RW bytes per buffer: 2048..16384, x64 */
#define VIRQNET_REG_FLAGS_LO	0x20	/* RW GPA of struct virqnet_vcpu_flags[nr_vcpus] */
#define VIRQNET_REG_FLAGS_HI	0x24
#define VIRQNET_REG_IRQ_VECTOR	0x28	/* RW vector, 32..255 */
#define VIRQNET_REG_IRQ_CPU	0x2c	/* RW target vCPU (= APIC ID) */
#define VIRQNET_REG_CTRL	0x30	/* WO VIRQNET_CTRL_* */
#define VIRQNET_REG_STATUS	0x34	/* RO VIRQNET_STATUS_* */
#define VIRQNET_REG_HEAD_BUF	0x38	/* RO buffer id of the head descriptor */
#define VIRQNET_REG_HEAD_LEN	0x3c	/* RO length of the head descriptor */
#define VIRQNET_REG_RX_ACK	0x40	/* WO consume N descriptors (inject mode) */
#define VIRQNET_REG_ERRORS	0x44	/* RO bad accesses and configs rejected */
#define VIRQNET_REG_LATLOG_LO	0x48	/* RW GPA of struct virqnet_lat_log (optional) */
#define VIRQNET_REG_LATLOG_HI	0x4c
#define VIRQNET_REG_TRACE_LO	0x50	/* RW GPA of struct virqnet_trace (optional) */
#define VIRQNET_REG_TRACE_HI	0x54
#define VIRQNET_REG_NR_QUEUES	0x58	/* RO receive queues the VMM offers (--queues) */

/*
 * Several receive queues (vmm-mini --queues Q), as a multi-queue NIC has:
 * queue q's registers are the page's q-th window of VIRQNET_QUEUE_STRIDE
 * bytes, at the offsets above, and window 0 is queue 0 plus everything the
 * queues share. Per queue: RING_LO/HI, IRQ_VECTOR, IRQ_CPU, STATUS (RX for
 * that queue; STOP and ERROR for the device), HEAD_BUF, HEAD_LEN, RX_ACK.
 * Shared, window 0 only: RING_SIZE (every ring's), BUF_LO/HI and BUF_SIZE
 * (one pool of NR_QUEUES * RING_SIZE buffers, which any queue's descriptor
 * may name, as a NIC's shared buffer pool), FLAGS (one area per vCPU: a
 * queue's is its IRQ_CPU's), LATLOG, TRACE, CTRL (enables every queue at
 * once), ERRORS. The device picks a datagram's queue by the Toeplitz hash of
 * its UDP 4-tuple (vmm-mini/virqnet_rss.c).
 */
#define VIRQNET_QUEUE_STRIDE	0x100
#define VIRQNET_MAX_QUEUES	(VIRQNET_MMIO_SIZE / VIRQNET_QUEUE_STRIDE)

#define VIRQNET_CTRL_ENABLE	(1u << 0)	/* validate the config and start */
#define VIRQNET_CTRL_DISABLE	(1u << 1)

#define VIRQNET_STATUS_RX	(1u << 0)	/* a descriptor is waiting */
#define VIRQNET_STATUS_ENABLED	(1u << 1)
#define VIRQNET_STATUS_STOP	(1u << 2)	/* the run is over: drain, report, finish */
#define VIRQNET_STATUS_ERROR	(1u << 31)	/* last ENABLE was rejected */

enum virqnet_mode {
	VIRQNET_MODE_INJECT = 0,
	VIRQNET_MODE_MASK_DIRECT = 1,
	VIRQNET_MODE_SINK = 2,		/* the device discards; no guest consumer */
	VIRQNET_MODE_VIRTIO = 3,	/* a virtio-net device instead (uapi/virtio.h); these
				 * registers only carry the latency log */
	VIRQNET_MODE_NR
};

/* One per datagram, written by the device; consume_tsc by the guest. */
struct virqnet_desc {
	uint32_t buf_id;
	uint32_t len;
	uint64_t rx_ns;		/* host kernel receive timestamp, CLOCK_REALTIME */
	uint64_t consume_tsc;	/* guest TSC when the consumer took it (latency) */
	uint64_t reserved;
};

/*
 * Free-running indices: slot = index & (ring_size - 1). prod is written only
 * by the device, cons only by the guest; each on its own cache line. `stop`
 * asks the guest to drain and report.
 */
struct virqnet_ring {
	uint32_t prod;
	uint32_t stop;
	uint32_t pad0[14];
	uint32_t cons;
	uint32_t pad1[15];
	struct virqnet_desc desc[];
};

/*
 * The "interrupt flag in the virtual CPU" of the method, one per vCPU:
 * `pending` is set by the device on every arrival for that vCPU; `masked` is
 * set by the guest while it drains (the device then raises no interrupt).
 */
struct virqnet_vcpu_flags {
	uint32_t pending;
	uint32_t masked;
	uint32_t pad[14];
};

/*
 * Consumption log, written by the guest consumer (ring 3, no exit) and read
 * by the device: for each packet taken, its sequence number and the guest TSC
 * at that moment. The device pairs it with the host receive timestamp of the
 * same sequence number: latency = host kernel receive -> guest application.
 * If the log fills, the guest overwrites it; the device counts the overrun.
 */
#define VIRQNET_LAT_LOG_SIZE	4096

struct virqnet_lat_entry {
	uint64_t seq;
	uint64_t tsc;
};

/*
 * A datagram without virqlab's payload header (vmm-mini --accept-foreign, the
 * guest's foreign=1) has no sequence number: its entry's seq is
 * VIRQNET_LAT_FOREIGN | len << 32 | n, n its place (mod 2^32) among the foreign
 * datagrams the guest consumed, len its length. One receive queue delivers
 * in order, so the device, which numbers them as it publishes them, pairs
 * entry n with the receive stamp of its n-th, and refuses the pair when the
 * lengths differ.
 */
#define VIRQNET_LAT_FOREIGN	(1ull << 63)

struct virqnet_lat_log {
	uint32_t head;		/* entries written, free-running */
	uint32_t pad[15];
	struct virqnet_lat_entry ent[VIRQNET_LAT_LOG_SIZE];
};

/*
 * Handshake trace (mask-direct, optional): the driver's handler and consumer
 * append one entry per step of the handshake; the device reads it only to
 * explain a guest that stopped consuming (vmm-mini prints the last entries
 * with its undrained-ring report). A ring of the newest entries; `head` is
 * free-running. Nothing in it is trusted: the device only prints it.
 */
#define VIRQNET_TRACE_SIZE	64

enum virqnet_trace_event {
	VIRQNET_TR_ISR = 1,	/* a: flags at entry (pending | masked << 1 | CPL << 8), b: RIP, c: RFLAGS */
	VIRQNET_TR_LOOK,	/* consumer's look after unmasking; a: cons, b: prod seen */
	VIRQNET_TR_SLEEP,	/* consumer calls rx_wait; a: cons */
	VIRQNET_TR_WAKE,	/* rx_wait's HLT returned; a: kicked */
};

struct virqnet_trace_entry {
	uint64_t tsc;
	uint32_t event;
	uint32_t a;
	uint64_t b;
	uint64_t c;
};

struct virqnet_trace {
	uint32_t head;
	uint32_t pad[15];
	struct virqnet_trace_entry ent[VIRQNET_TRACE_SIZE];
};

/* Guest-side verification counters, reported with SYNC_REPORT at the end. */
enum virqnet_report_key {
	RX_REPORT_DELIVERED = 0x100,	/* verified intact, in order, exactly once */
	RX_REPORT_BYTES,
	RX_REPORT_OUT_OF_ORDER,
	RX_REPORT_DUPLICATE,
	RX_REPORT_CORRUPT,		/* bad magic, checksum, length or filler */
	RX_REPORT_DRAIN_PASSES,		/* mask-direct: masked drain loops */
	RX_REPORT_IRQS,			/* device interrupts the guest handled */
	RX_REPORT_FOREIGN,		/* valid packets of another flow */
	RX_REPORT_SHADOW_IRQS,		/* interrupts the platform delivered inside STI's shadow */
	RX_REPORT_POLL_UP,		/* adaptive: switches from interrupts to polling */
	RX_REPORT_POLL_DOWN,		/* adaptive: switches back */
	RX_REPORT_FOREIGN_DELIVERED,	/* foreign=1: datagrams without a virqlab header, counted, not judged */
	RX_REPORT_FLOWS,		/* flows of the run that delivered a packet */
	RX_REPORT_END
};

#define RX_REPORT_NR (RX_REPORT_END - RX_REPORT_DELIVERED)

_Static_assert(sizeof(struct virqnet_desc) == 32, "descriptor is 32 bytes");
_Static_assert(sizeof(struct virqnet_ring) == 128, "ring header is two cache lines");
_Static_assert(sizeof(struct virqnet_vcpu_flags) == 64, "flags are one cache line");

#endif /* VIRQNET_H */
