/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virqnet_dev.h - the receive device, host side: register state, the host's
 * own shadow of the ring (never re-read from the guest), the counters every
 * figure is derived from, and the mode table (virqnet_modes.c).
 *
 * The device model is one owner: from the moment the io_uring source hands
 * it a finished receive (virqnet_rx_complete) until the guest gives the
 * buffer back (RX_ACK, or its consumer index in memory), a datagram is the
 * device's, and so is every counter. The rule (virqnet.c, top) is one lock.
 *
 * The model needs no KVM: guest memory, interrupts and the end of the run
 * reach it through struct virqnet_host, which virqnet_kvm.c fills for a real
 * VM and tests/fuzz/ fills with a plain buffer and a callback.
 */
#ifndef VMM_VIRQNET_DEV_H
#define VMM_VIRQNET_DEV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "uapi/virqlab_payload.h"
#include "uapi/virqnet.h"

struct vm;
struct virqnet;
struct rx_buf;
struct virqnet_rxq;

/* Every count that ends up in a stats file; names match the columns. */
struct rx_counters {
	uint64_t arrivals;		/* datagrams the device received */
	uint64_t published;		/* descriptors handed to the guest */
	uint64_t consumed;		/* descriptors the guest gave back */
	uint64_t sink_delivered;	/* sink mode: received and discarded */
	uint64_t bytes;
	uint64_t drop_ring_full;	/* no free guest buffer */
	uint64_t drop_not_ready;	/* driver not enabled yet */
	uint64_t drop_too_big;		/* datagram larger than a buffer */
	uint64_t drop_seq_gap;		/* sequence numbers never seen */
	uint64_t sock_overflow;		/* SO_RXQ_OVFL: socket queue drops */
	uint64_t foreign;		/* not a virqlab payload of our flow */
	uint64_t reordered;		/* seq below the highest seen */
	uint64_t irqs_raised;
	uint64_t irqs_suppressed;	/* mask-direct: flag set while masked */
	uint64_t irqs_coalesced;	/* coalesce: shared a later one */
	uint64_t irqs_control;		/* stop requests: not arrivals */
	uint64_t guest_errors;		/* bad register values, bad indices */
	uint64_t recv_errors;
	uint64_t lat_overrun;		/* latency log entries lost */
	uint64_t lat_invalid;		/* latency outside 0..60 s: clock trouble */
	uint64_t no_timestamp;		/* kernel gave no SO_TIMESTAMPNS */
	/* Latency cross-checks against clocks other than the receive stamp. */
	uint64_t send_after_rx;		/* sender's stamp later than the kernel's */
	uint64_t lat_future;		/* consumed (guest TSC) after we read the entry */
	uint64_t lat_future_max_ns;	/* by how much, at most */
	/* Datagrams without a virqlab header (--accept-foreign; rx_foreign.c). */
	uint64_t foreign_published;	/* accepted and handed to the guest (also in published) */
	uint64_t foreign_dropped;	/* accepted, then no buffer, too big, or a reset */
	uint64_t foreign_discarded;	/* not accepted: no --accept-foreign, or another flow */
	uint64_t foreign_lat_unpaired;	/* log entries with no matching receive stamp */
};

#define LAT_SEQ_SLOTS (1u << 20)	/* rx timestamps kept per sequence number (KVM runs) */

/*
 * Every read of guest memory goes through these, naming the field it
 * fetches. A guest may change its memory between two reads, so the device
 * reads each field once per call into it and uses that copy. The fuzz
 * build (tests/fuzz/) checks exactly that: virqnet_fetch_hook() fails when
 * one call into the device fetches the same field at the same address twice
 * (a double fetch, as QEMU's device fuzzing found them); elsewhere it is
 * nothing.
 */
#ifdef VIRQNET_FUZZ
void virqnet_fetch_hook(const void *p, unsigned long len, const char *field);
#else
#define virqnet_fetch_hook(p, len, field) ((void)0)
#endif
#define gmem_load(p, order, field) ({						\
	virqnet_fetch_hook((p), sizeof(*(p)), field);				\
	__atomic_load_n((p), order);						\
})
#define gmem_xchg(p, v, field) ({						\
	virqnet_fetch_hook((p), sizeof(*(p)), field);				\
	__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST);			\
})
#define gmem_copy(dst, src, len, field) ({					\
	virqnet_fetch_hook((src), (len), field);				\
	memcpy((dst), (src), (len));						\
})

struct rx_stamp {
	uint64_t seq;
	uint64_t rx_ns;
	uint64_t send_ns;	/* the sender's own stamp, from the payload */
};

/* A foreign datagram the device published, n-th of them (rx_foreign.c). */
struct rx_foreign_stamp {
	uint64_t n;
	uint64_t rx_ns;
	uint32_t len;
};

#define FOREIGN_SLOTS (1u << 16)	/* more than the ring, the guest's queue and its log hold */

/*
 * What the device needs from the machine it is plugged into. The KVM VMM's
 * are in virqnet_kvm.c; the fuzz harness's are a buffer and a counter.
 */
struct virqnet_host {
	void *ctx;
	unsigned int nr_vcpus;
	/* A host pointer to [gpa, gpa + len) of guest RAM, or NULL if outside. */
	void *(*gpa_to_hva)(void *ctx, uint64_t gpa, uint64_t len);
	/* A handle that raises vector on vCPU cpu (an irqfd), or -1. */
	int (*irq_route)(void *ctx, uint32_t cpu, uint32_t vector);
	/* Raise it; false (errno set) if the interrupt could not be sent. */
	bool (*irq_raise)(void *ctx, int handle);
	/* A mode without a guest driver (sink) ends the VM itself. */
	void (*end_run)(void *ctx);
	unsigned int error_lines;	/* guest errors printed (all are counted); 0: none, and
					 * no warning about a failed stop interrupt either */
};

/*
 * One receive mode: what the device does after it publishes a descriptor
 * (notify), how buffers come back (reclaim from memory, or ack through the
 * RX_ACK register), what its timer does (tick), and how the run ends. Like
 * kvmtool's net_dev_operations, the rest of the device calls these and never
 * tests the mode. Hooks run with dev->lock held, finish without it (it only
 * calls virqnet_request_stop or host.end_run); NULL means "nothing" (ack:
 * RX_ACK is refused in this mode as a guest error).
 */
/*
 * A mode whose packets go through a queue of its own in guest memory
 * (virtio: virtio_net.c) instead of the virqnet ring. It lends the buffers,
 * publishes into them (and tells the guest), says when its driver is up and
 * has taken everything, and prints its state; the virqnet registers then
 * carry only the latency log and the trace. attach plugs it into a VM
 * (virqnet_kvm.c) and returns its state, dev->queue. All but attach run
 * with dev->lock held.
 */
struct virqnet_queue_ops {
	void *(*attach)(struct virqnet *dev, struct vm *vm);
	bool (*lend)(struct virqnet *dev, struct rx_buf *b);
	void (*give_back)(struct virqnet *dev, const struct rx_buf *b);
	void (*publish)(struct virqnet *dev, const struct rx_buf *b, uint32_t len);
	bool (*ready)(struct virqnet *dev);
	bool (*drained)(struct virqnet *dev);
	void (*dump)(struct virqnet *dev, const char *why);
};

struct virqnet_mode_ops {
	const char *name;		/* --mode, workloads, the stats "mode" column */
	enum virqnet_mode driver;	/* the protocol REG_MODE tells the guest's driver */
	bool has_driver;		/* false: no guest consumer, the device discards */
	bool coalesce;			/* takes --coalesce-us (its window, default 100) */
	bool poll;			/* takes --poll-us (the guest's poll_us=, default 1000) */
	bool adaptive;			/* polls only at high arrival rates (--adaptive-up-pps, -down-pps) */
	const char *summary;		/* one line for --help */
	bool multiqueue;		/* takes --queues Q > 1 (a guest consumer per queue) */
	/* The queue hooks act on one queue, q, of dev. */
	void (*notify)(struct virqnet *dev, struct virqnet_rxq *q);
	void (*reclaim)(struct virqnet *dev, struct virqnet_rxq *q);
	void (*ack)(struct virqnet *dev, struct virqnet_rxq *q, uint32_t n);
	uint64_t (*tick)(struct virqnet *dev, struct virqnet_rxq *q, uint64_t now, bool flush);
	void (*finish)(struct virqnet *dev);
	/* --windows: the next window opens after finish (under the lock; NULL: nothing) */
	void (*reopen)(struct virqnet *dev);
	const struct virqnet_queue_ops *queue;	/* NULL: the virqnet ring */
};

extern const struct virqnet_mode_ops virqnet_modes[];
extern const unsigned int virqnet_nr_modes;
const struct virqnet_mode_ops *virqnet_mode_find(const char *name);
/* "sink, inject, ..." in table order, for usage errors and --help. */
const char *virqnet_mode_names(void);

struct clock_anchor;

/*
 * One receive queue (--queues): its ring, its interrupt and its vCPU's flag
 * area, and the device's shadow of what it published there. Every ring has
 * the device's ring_size; the buffers are the device's one pool.
 */
struct virqnet_rxq {
	/* Guest-programmed registers (queue q's window), validated on ENABLE. */
	uint64_t ring_gpa;
	uint32_t vector, irq_cpu;
	struct virqnet_ring *ring;
	/*
	 * The target vCPU's flags and the interrupt route, as validated by the
	 * last ENABLE. irq_cpu and vector are the registers, which the guest may
	 * rewrite while disabled: nothing indexes with them.
	 */
	struct virqnet_vcpu_flags *irq_flags;
	uint32_t irq_target_cpu, irq_target_vector;
	int irq;			/* host.irq_route's handle */
	/* coalesce: arrivals since the last interrupt. */
	uint64_t coal_deadline_ns;
	uint32_t coal_pending;
	uint32_t prod, cons;
	uint32_t *slot_buf;		/* slot -> buffer id */
	uint32_t *slot_len;		/* slot -> datagram length */
	uint64_t published;		/* descriptors this queue was given */
};

/* Per flow of the generator run (udpgen --flows): order and gaps are per flow. */
struct virqnet_flow {
	uint64_t next_seq;		/* highest seq seen + 1 */
};

struct virqnet {
	const struct virqnet_mode_ops *ops;
	struct virqnet_host host;
	void *queue;			/* ops->queue's state (struct virtio_net) */
	unsigned int nr_queues;		/* --queues: set at create, never changed */
	pthread_mutex_t lock;		/* the one rule: see the top of virqnet.c */

	/* Guest-programmed registers, validated on ENABLE. */
	uint64_t buf_gpa, flags_gpa, latlog_gpa, trace_gpa;
	uint32_t ring_size, buf_size;
	bool enabled, cfg_error;

	/* Host pointers derived from validated registers. */
	uint8_t *bufs;
	struct virqnet_vcpu_flags *flags;
	struct virqnet_lat_log *latlog;
	struct virqnet_trace *trace;	/* read only to explain a stall */
	struct virqnet_rxq rxq[VIRQNET_MAX_QUEUES];

	uint64_t coalesce_ns;

	/* Host-owned shadow state. */
	uint32_t lat_tail;
	uint32_t gen;			/* bumped on every (re)configuration */
	uint32_t *free_bufs, nr_free;	/* the pool: nr_queues * ring_size */
	bool stop_requested;

	/* Accounting. */
	struct rx_counters c;
	uint32_t flow;			/* the run's (virqlab_flow_run), once known */
	bool flow_known;
	struct virqnet_flow flows[VIRQLAB_MAX_FLOWS];
	uint64_t next_seq;		/* the flows' next_seq summed: seqs accounted for */
	struct rx_stamp *rx_stamps;	/* [virqnet_stamp_slot()] */
	uint32_t seq_slots;
	uint64_t guest_report[RX_REPORT_NR];
	uint32_t guest_reported;	/* bit per key received */
	bool hold_ready;		/* a Linux guest's receiver has not said it is bound yet */
	uint64_t windows_reported;	/* --windows: the Linux receiver's last window whose counts are in */
	uint64_t sock_drops_base;	/* the socket's drops before this window (virqnet_window_close) */
	uint64_t *lat_ns;		/* latency samples */
	uint64_t *send_lat_ns;		/* the same packets from the sender's stamp */
	uint64_t nr_lat, max_lat;
	int64_t tsc_offset;		/* guest TSC = host TSC + offset */
	bool tsc_offset_ok;

	/* --accept-foreign (rx_foreign.c): publish datagrams without a virqlab header. */
	bool accept_foreign;
	struct rx_foreign_stamp *foreign_stamps;	/* [n % FOREIGN_SLOTS] */
	uint64_t *foreign_lat_ns, nr_foreign_lat;
};

/*
 * A receive buffer the device lends the source: one of the guest's (guest),
 * or the source's own scratch area when the device has none to lend.
 */
struct rx_buf {
	uint8_t *data;
	uint32_t cap, id, gen;
	bool guest;
};

/* A finished receive, as the source hands it over. */
struct rx_done {
	struct rx_buf buf;		/* where the datagram landed */
	int res;			/* length (may exceed cap: MSG_TRUNC) or -errno */
	uint64_t rx_ns;			/* kernel receive stamp, 0 if none came */
	int64_t sock_drops;		/* SO_RXQ_OVFL / SO_MEMINFO count, -1 if none */
	uint32_t rss_hash;		/* virqnet_rss_hash of its 4-tuple (0: queue 0) */
};

/*
 * What a batch of completions did, for the source's loop and its probe: the
 * device fills it under the lock it holds anyway, so the receive loop takes
 * the lock no more often than it completes receives.
 */
struct rx_batch {
	uint64_t arrivals, suppressed;	/* this batch's */
	uint64_t next_seq;		/* the device's highest seq + 1, after it */
};

/* The model (virqnet.c): no KVM in here. */
struct virqnet *virqnet_create(const struct virqnet_host *host, const struct virqnet_mode_ops *ops,
			       uint64_t coalesce_ns, uint64_t max_lat, uint32_t seq_slots);
/* Before any vCPU runs: Q receive queues (1..VIRQNET_MAX_QUEUES; 1 at create). */
void virqnet_set_queues(struct virqnet *dev, unsigned int nr_queues);
void virqnet_destroy(struct virqnet *dev);
void virqnet_mmio_access(struct virqnet *dev, uint32_t off, uint8_t *data, uint32_t len,
			 bool is_write);
bool virqnet_rx_buffer(struct virqnet *dev, struct rx_buf *b);
void virqnet_rx_complete(struct virqnet *dev, struct rx_done *d, struct rx_batch *batch);
void virqnet_rx_cancel(struct virqnet *dev, const struct rx_buf *b);
void virqnet_sock_drops(struct virqnet *dev, uint64_t drops);
uint64_t virqnet_tick(struct virqnet *dev, bool flush);
void virqnet_reclaim(struct virqnet *dev, const struct clock_anchor *a);
void virqnet_finish(struct virqnet *dev);
void virqnet_request_stop(struct virqnet *dev);
bool virqnet_drained(struct virqnet *dev);
bool virqnet_ready(struct virqnet *dev);
void virqnet_progress(struct virqnet *dev, uint64_t *arrivals, uint64_t *suppressed,
		      uint64_t *next_seq, uint64_t *published);
void virqnet_irq_target(struct virqnet *dev, uint32_t *cpu, uint32_t *vector);
uint32_t virqnet_ring_cons(struct virqnet *dev);
void virqnet_guest_report(struct virqnet *dev, uint64_t key, uint64_t value);
/* --windows (a Linux guest): close the window into a view, open the next. */
void virqnet_window_close(struct virqnet *dev, struct virqnet *view);
void virqnet_reopen(struct virqnet *dev);
uint64_t virqnet_windows_reported(struct virqnet *dev);
void virqnet_dump(struct virqnet *dev, const char *why);
void virqnet_dump_trace(struct virqnet *dev, unsigned int last);

/* Foreign datagrams (rx_foreign.c), called with dev->lock held but init. */
void rx_foreign_init(struct virqnet *dev, bool accept);
void rx_foreign_published(struct virqnet *dev, uint32_t len, uint64_t rx_ns, bool ok);
void rx_foreign_sample(struct virqnet *dev, const struct virqnet_lat_entry *e, int64_t consumed,
		       int64_t now);

/* Mode hooks' shared pieces (virqnet.c), for virqnet_modes.c. */
void virqnet_raise_irq(struct virqnet *dev, struct virqnet_rxq *q);
void virqnet_free_slots(struct virqnet *dev, struct virqnet_rxq *q, uint32_t n);

/* Receive-side scaling (virqnet_rss.c): the Toeplitz hash, then the queue. */
uint32_t virqnet_toeplitz(const uint8_t *in, unsigned int len);
uint32_t virqnet_rss_hash(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport);
unsigned int virqnet_rss_queue(uint32_t hash, unsigned int nr_queues);
void virqnet_guest_error(struct virqnet *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The KVM side (virqnet_kvm.c). */
int virqnet_init(struct vm *vm, const struct virqnet_mode_ops *ops);
void virqnet_report_stuck(struct vm *vm, struct virqnet *dev, struct clock_anchor *anchor);

#endif
