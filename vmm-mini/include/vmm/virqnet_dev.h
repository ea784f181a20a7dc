/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virqnet_dev.h - the receive device, host side: register state, the host's
 * own shadow of the ring (never re-read from the guest), the io_uring
 * source that feeds it, and the counters every figure is derived from.
 */
#ifndef VMM_VIRQNET_DEV_H
#define VMM_VIRQNET_DEV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "uapi/virqnet.h"

struct vm;
struct vcpu;

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
	uint64_t irqs_coalesced;	/* inject --coalesce-us: shared a later one */
	uint64_t irqs_control;		/* stop requests: not arrivals */
	uint64_t guest_errors;		/* bad register values, bad indices */
	uint64_t recv_errors;
	uint64_t lat_overrun;		/* latency log entries lost */
	uint64_t lat_invalid;		/* latency outside 0..60 s: clock trouble */
	uint64_t no_timestamp;		/* kernel gave no SO_TIMESTAMPNS */
};

#define LAT_SEQ_SLOTS (1u << 20)	/* rx timestamps kept per sequence number */

struct rx_stamp {
	uint64_t seq;
	uint64_t rx_ns;
};

struct clock_anchor;

struct virqnet {
	struct vm *vm;
	enum virqnet_mode mode;
	pthread_mutex_t lock;

	/* Guest-programmed registers, validated on ENABLE. */
	uint64_t ring_gpa, buf_gpa, flags_gpa, latlog_gpa, trace_gpa;
	uint32_t ring_size, buf_size, vector, irq_cpu;
	bool enabled, cfg_error;

	/* Host pointers derived from validated registers. */
	struct virqnet_ring *ring;
	uint8_t *bufs;
	struct virqnet_vcpu_flags *flags;
	struct virqnet_lat_log *latlog;
	struct virqnet_trace *trace;	/* read only to explain a stall */
	int irqfd;

	/* inject with --coalesce-us: arrivals since the last interrupt. */
	uint64_t coalesce_ns, coal_deadline_ns;
	uint32_t coal_pending;

	/* Host-owned shadow state. */
	uint32_t prod, cons, lat_tail;
	uint32_t *slot_buf;		/* slot -> buffer id */
	uint32_t *slot_len;		/* slot -> datagram length */
	uint32_t gen;			/* bumped on every (re)configuration */
	uint32_t *free_bufs, nr_free;
	atomic_bool stop_requested;

	/* Accounting. */
	struct rx_counters c;
	uint32_t flow;
	bool flow_known;
	uint64_t next_seq;		/* highest seq seen + 1 */
	struct rx_stamp *rx_stamps;	/* [seq % LAT_SEQ_SLOTS] */
	uint64_t guest_report[RX_REPORT_NR];
	uint32_t guest_reported;	/* bit per key received */
	uint64_t *lat_ns;		/* latency samples */
	uint64_t nr_lat, max_lat;
	int64_t tsc_offset;		/* guest TSC = host TSC + offset */
	bool tsc_offset_ok;
	uint64_t first_ns, last_ns;	/* first and last arrival, CLOCK_MONOTONIC */
};

int virqnet_init(struct vm *vm, enum virqnet_mode mode);
bool virqnet_take_buffer(struct virqnet *dev, uint32_t *buf_id, uint8_t **hva, uint32_t *cap,
			 uint32_t *gen);
void virqnet_return_buffer(struct virqnet *dev, uint32_t buf_id, uint32_t gen);
void virqnet_publish(struct virqnet *dev, uint32_t buf_id, uint32_t len, uint64_t rx_ns,
		     uint32_t gen);
uint64_t virqnet_coalesce_tick(struct virqnet *dev, bool flush);
void virqnet_reclaim(struct virqnet *dev, const struct clock_anchor *a);
bool virqnet_account(struct virqnet *dev, const void *payload, uint32_t len, uint64_t rx_ns);
const char *virqnet_mode_name(enum virqnet_mode mode);
int virqnet_mode_parse(const char *name);
void virqnet_request_stop(struct virqnet *dev);
bool virqnet_drained(struct virqnet *dev);
bool virqnet_ready(struct virqnet *dev);
void virqnet_guest_report(struct virqnet *dev, uint64_t key, uint64_t value);
void virqnet_dump(struct virqnet *dev, const char *why);
void virqnet_dump_trace(struct virqnet *dev, unsigned int last);

#endif
