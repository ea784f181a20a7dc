// SPDX-License-Identifier: GPL-2.0
/*
 * virqnet.c - the receive device model: its registers, validation of
 * everything the driver programs, the buffers it lends the io_uring source,
 * every received datagram from completion to reclaim, and every counter.
 * What differs between modes (how the guest is told, how buffers come back)
 * is one entry of the mode table (virqnet_modes.c); nothing here tests the
 * mode. No KVM in this file: guest memory and interrupts come through
 * struct virqnet_host (virqnet_kvm.c for a VM, tests/fuzz/ for the fuzzer).
 *
 * Ownership, the one rule: every field of struct virqnet after `lock`, the
 * counters included, is read and written only with dev->lock held, by
 * whichever thread calls in (the receive thread, a vCPU thread's MMIO exit,
 * the ucall handler). There is no second writer and no unlocked reader,
 * with one exception stated where it happens: rx_stats reads the counters
 * after every thread that calls in has been joined. Mode hooks run under the
 * lock (the mode's finish excepted); the host callbacks called under it
 * (irq_raise: an eventfd write; gpa_to_hva and irq_route, at ENABLE) must
 * not call back into the device: the lock is an error-checking mutex, so
 * one that did would fail loudly rather than deadlock.
 *
 * Queues (--queues Q): Q rings, each with its own interrupt on its own
 * vCPU and that vCPU's flag area, under the same one lock: a datagram's
 * queue is picked on completion by the Toeplitz hash of its 4-tuple
 * (virqnet_rss.c), and its buffer comes from the one pool every queue
 * shares, so a receive is armed before its queue is known and costs no
 * copy. One lock for all queues is a simplification a NIC does not make
 * (its queues are independent); here the receive thread is one anyway, and
 * the vCPUs take it only on an MMIO exit (inject) or never (mask-direct).
 *
 * Trust: the ring, the flag area and the latency log live in guest memory,
 * which a hostile guest may scribble on at any time. The device keeps its own
 * shadow of every index and buffer id it hands out and reads each guest
 * word once, through validated, bounded pointers; a bad value is counted in
 * guest_errors, reported once, and ignored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "uapi/virqlab_payload.h"
#include "vmm/clock.h"
#include "vmm/usdt.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

/*
 * The lock is an error-checking mutex: a call into the device from inside
 * the device (a hook, or a host callback that calls back, as a DMA
 * re-entering its own device's registers does) fails here, loudly, instead
 * of deadlocking; the fuzzer hunts for that.
 */
static void lock(struct virqnet *dev)
{
	int err = pthread_mutex_lock(&dev->lock);

	if (err)
		die("virqnet: the device was re-entered while it held its lock: %s",
		    strerror(err));
}

static void unlock(struct virqnet *dev)
{
	int err = pthread_mutex_unlock(&dev->lock);

	if (err)
		die("virqnet: unlock: %s", strerror(err));
}

void virqnet_guest_error(struct virqnet *dev, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	/* The first few are printed, all are counted: a flood can't drown stderr. */
	if (dev->c.guest_errors++ < dev->host.error_lines) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		pr_err("virqnet: guest error: %s", why);
	}
}

#define guest_error virqnet_guest_error

void virqnet_raise_irq(struct virqnet *dev, struct virqnet_rxq *q)
{
	if (dev->host.irq_raise(dev->host.ctx, q->irq)) {
		dev->c.irqs_raised++;
		usdt1(irq_raise, USDT_IRQ_ARRIVAL);
	}
}

/*
 * A mode with a queue of its own (virtio): the packets are its, these
 * registers only give the latency log and the trace, checked as for a ring.
 */
static int virqnet_enable_log(struct virqnet *dev)
{
	const struct virqnet_host *h = &dev->host;

	if ((dev->latlog_gpa | dev->trace_gpa) & 63) {
		guest_error(dev, "log or trace address not 64-byte aligned");
		return -1;
	}
	dev->latlog = dev->latlog_gpa ?
		h->gpa_to_hva(h->ctx, dev->latlog_gpa, sizeof(struct virqnet_lat_log)) : NULL;
	dev->trace = dev->trace_gpa ?
		h->gpa_to_hva(h->ctx, dev->trace_gpa, sizeof(struct virqnet_trace)) : NULL;
	if ((dev->latlog_gpa && !dev->latlog) || (dev->trace_gpa && !dev->trace)) {
		guest_error(dev, "log 0x%llx or trace 0x%llx outside guest RAM",
			    (unsigned long long)dev->latlog_gpa, (unsigned long long)dev->trace_gpa);
		return -1;
	}
	dev->lat_tail = dev->latlog ? __atomic_load_n(&dev->latlog->head, __ATOMIC_ACQUIRE) : 0;
	dev->gen++;
	return 0;
}

/* Validate the programmed config and derive host pointers; 0 or -1. */
static int virqnet_enable(struct virqnet *dev)
{
	const struct virqnet_host *h = &dev->host;
	uint32_t n = dev->ring_size, nbufs = n * dev->nr_queues;
	struct virqnet_ring *rings[VIRQNET_MAX_QUEUES];

	for (unsigned int i = 0; i < dev->nr_queues; i++)
		dev->rxq[i].irq_flags = NULL;
	if (dev->ops->queue)
		return virqnet_enable_log(dev);
	if (n < 8 || n > 4096 || (n & (n - 1))) {
		guest_error(dev, "ring size %u is not a power of two in 8..4096", n);
		return -1;
	}
	if (dev->buf_size < 2048 || dev->buf_size > 16384 || dev->buf_size % 64) {
		guest_error(dev, "buffer size %u is not a multiple of 64 in 2048..16384",
			    dev->buf_size);
		return -1;
	}
	if ((dev->buf_gpa | dev->flags_gpa | dev->latlog_gpa | dev->trace_gpa) & 63) {
		guest_error(dev, "buffer, flag or log address not 64-byte aligned");
		return -1;
	}
	dev->bufs = h->gpa_to_hva(h->ctx, dev->buf_gpa, (uint64_t)nbufs * dev->buf_size);
	dev->flags = h->gpa_to_hva(h->ctx, dev->flags_gpa,
				   h->nr_vcpus * sizeof(struct virqnet_vcpu_flags));
	dev->latlog = dev->latlog_gpa ?
		h->gpa_to_hva(h->ctx, dev->latlog_gpa, sizeof(struct virqnet_lat_log)) : NULL;
	dev->trace = dev->trace_gpa ?
		h->gpa_to_hva(h->ctx, dev->trace_gpa, sizeof(struct virqnet_trace)) : NULL;
	if (!dev->bufs || !dev->flags || (dev->latlog_gpa && !dev->latlog) ||
	    (dev->trace_gpa && !dev->trace)) {
		guest_error(dev, "buffers 0x%llx, flags 0x%llx, log 0x%llx or trace 0x%llx outside "
			    "guest RAM", (unsigned long long)dev->buf_gpa,
			    (unsigned long long)dev->flags_gpa, (unsigned long long)dev->latlog_gpa,
			    (unsigned long long)dev->trace_gpa);
		return -1;
	}
	/* The rings are taken only once every queue checks out: no half-applied ENABLE. */
	for (unsigned int i = 0; i < dev->nr_queues; i++) {
		struct virqnet_rxq *q = &dev->rxq[i];

		rings[i] = (q->ring_gpa & 63) ? NULL : h->gpa_to_hva(h->ctx, q->ring_gpa,
				sizeof(struct virqnet_ring) + n * sizeof(struct virqnet_desc));
		if (!rings[i]) {
			guest_error(dev, "queue %u: ring 0x%llx not 64-byte aligned or outside guest "
				    "RAM", i, (unsigned long long)q->ring_gpa);
			return -1;
		}
		if (q->vector < 32 || q->vector > 255 || q->irq_cpu >= h->nr_vcpus) {
			guest_error(dev, "queue %u: interrupt vector %u or target vCPU %u invalid",
				    i, q->vector, q->irq_cpu);
			return -1;
		}
		/*
		 * Two queues on one ring would have the device read one guest word
		 * twice in one call (reclaim visits every queue): the fuzzer's
		 * double-fetch rule (tests/fuzz-corpus/finding-two-queues-one-ring).
		 */
		for (unsigned int j = 0; j < i; j++) {
			uint64_t bytes = sizeof(struct virqnet_ring) + n * sizeof(struct virqnet_desc);

			if (q->ring_gpa < dev->rxq[j].ring_gpa + bytes &&
			    dev->rxq[j].ring_gpa < q->ring_gpa + bytes) {
				guest_error(dev, "queue %u: ring 0x%llx overlaps queue %u's", i,
					    (unsigned long long)q->ring_gpa, j);
				return -1;
			}
		}
	}

	free(dev->free_bufs);
	dev->free_bufs = calloc(nbufs, sizeof(uint32_t));
	if (!dev->free_bufs)
		die("out of memory for the virqnet buffer pool");
	for (uint32_t i = 0; i < nbufs; i++)
		dev->free_bufs[i] = nbufs - 1 - i;
	dev->nr_free = nbufs;
	for (unsigned int i = 0; i < dev->nr_queues; i++) {
		struct virqnet_rxq *q = &dev->rxq[i];

		free(q->slot_buf);
		free(q->slot_len);
		q->slot_buf = calloc(n, sizeof(uint32_t));
		q->slot_len = calloc(n, sizeof(uint32_t));
		if (!q->slot_buf || !q->slot_len)
			die("out of memory for the virqnet ring shadow");
		q->ring = rings[i];
		q->prod = q->cons = 0;
		q->coal_pending = 0;
		__atomic_store_n(&q->ring->prod, 0, __ATOMIC_RELEASE);
		q->irq_flags = &dev->flags[q->irq_cpu];
		q->irq_target_cpu = q->irq_cpu;
		q->irq_target_vector = q->vector;
		q->irq = h->irq_route(h->ctx, q->irq_cpu, q->vector);
	}
	dev->lat_tail = dev->latlog ?
		gmem_load(&dev->latlog->head, __ATOMIC_ACQUIRE, "latlog.head") : 0;
	dev->gen++;
	return 0;
}

static uint32_t status(struct virqnet *dev, struct virqnet_rxq *q)
{
	uint32_t s = 0;

	if (dev->enabled && q->prod != q->cons)
		s |= VIRQNET_STATUS_RX;
	if (dev->enabled)
		s |= VIRQNET_STATUS_ENABLED;
	if (dev->stop_requested)
		s |= VIRQNET_STATUS_STOP;
	if (dev->cfg_error)
		s |= VIRQNET_STATUS_ERROR;
	return s;
}

/* Give back the n oldest published slots' buffers (n <= prod - cons: the caller checks). */
void virqnet_free_slots(struct virqnet *dev, struct virqnet_rxq *q, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t slot = (q->cons + i) & (dev->ring_size - 1);

		dev->free_bufs[dev->nr_free++] = q->slot_buf[slot];
	}
	q->cons += n;
	dev->c.consumed += n;
}

/* Queue q's window: its own registers; window 0 also the shared ones (uapi/virqnet.h). */
static bool queue_reg(uint32_t off)
{
	switch (off) {
	case VIRQNET_REG_RING_LO: case VIRQNET_REG_RING_HI: case VIRQNET_REG_IRQ_VECTOR:
	case VIRQNET_REG_IRQ_CPU: case VIRQNET_REG_STATUS: case VIRQNET_REG_HEAD_BUF:
	case VIRQNET_REG_HEAD_LEN: case VIRQNET_REG_RX_ACK:
		return true;
	}
	return false;
}

static uint32_t reg_read(struct virqnet *dev, struct virqnet_rxq *q, uint32_t off)
{
	uint32_t slot = q->cons & (dev->ring_size - 1);

	switch (off) {
	case VIRQNET_REG_ID:		return VIRQNET_ID;
	case VIRQNET_REG_MODE:		return dev->ops->driver;
	case VIRQNET_REG_RING_LO:	return (uint32_t)q->ring_gpa;
	case VIRQNET_REG_RING_HI:	return q->ring_gpa >> 32;
	case VIRQNET_REG_RING_SIZE:	return dev->ring_size;
	case VIRQNET_REG_BUF_LO:	return (uint32_t)dev->buf_gpa;
	case VIRQNET_REG_BUF_HI:	return dev->buf_gpa >> 32;
	case VIRQNET_REG_BUF_SIZE:	return dev->buf_size;
	case VIRQNET_REG_FLAGS_LO:	return (uint32_t)dev->flags_gpa;
	case VIRQNET_REG_FLAGS_HI:	return dev->flags_gpa >> 32;
	case VIRQNET_REG_LATLOG_LO:	return (uint32_t)dev->latlog_gpa;
	case VIRQNET_REG_LATLOG_HI:	return dev->latlog_gpa >> 32;
	case VIRQNET_REG_TRACE_LO:	return (uint32_t)dev->trace_gpa;
	case VIRQNET_REG_TRACE_HI:	return dev->trace_gpa >> 32;
	case VIRQNET_REG_IRQ_VECTOR:	return q->vector;
	case VIRQNET_REG_IRQ_CPU:	return q->irq_cpu;
	case VIRQNET_REG_STATUS:	return status(dev, q);
	case VIRQNET_REG_ERRORS:	return (uint32_t)dev->c.guest_errors;
	case VIRQNET_REG_NR_QUEUES:	return dev->nr_queues;
	/* The head descriptor, from the host's shadow: what the device wrote. */
	case VIRQNET_REG_HEAD_BUF:
		return dev->enabled && q->prod != q->cons ? q->slot_buf[slot] : ~0u;
	case VIRQNET_REG_HEAD_LEN:
		return dev->enabled && q->prod != q->cons ? q->slot_len[slot] : 0;
	default:
		guest_error(dev, "read of undefined register 0x%x", off);
		return ~0u;
	}
}

static void set_lo(uint64_t *r, uint32_t v) { *r = (*r & ~0xffffffffull) | v; }
static void set_hi(uint64_t *r, uint32_t v) { *r = (*r & 0xffffffffull) | (uint64_t)v << 32; }

static void reg_write(struct virqnet *dev, struct virqnet_rxq *q, uint32_t off, uint32_t v)
{
	if (dev->enabled && off < VIRQNET_REG_CTRL) {
		guest_error(dev, "write to config register 0x%x while enabled", off);
		return;
	}
	switch (off) {
	case VIRQNET_REG_RING_LO:	set_lo(&q->ring_gpa, v); break;
	case VIRQNET_REG_RING_HI:	set_hi(&q->ring_gpa, v); break;
	case VIRQNET_REG_RING_SIZE:	dev->ring_size = v; break;
	case VIRQNET_REG_BUF_LO:	set_lo(&dev->buf_gpa, v); break;
	case VIRQNET_REG_BUF_HI:	set_hi(&dev->buf_gpa, v); break;
	case VIRQNET_REG_BUF_SIZE:	dev->buf_size = v; break;
	case VIRQNET_REG_FLAGS_LO:	set_lo(&dev->flags_gpa, v); break;
	case VIRQNET_REG_FLAGS_HI:	set_hi(&dev->flags_gpa, v); break;
	case VIRQNET_REG_LATLOG_LO:	set_lo(&dev->latlog_gpa, v); break;
	case VIRQNET_REG_LATLOG_HI:	set_hi(&dev->latlog_gpa, v); break;
	case VIRQNET_REG_TRACE_LO:	set_lo(&dev->trace_gpa, v); break;
	case VIRQNET_REG_TRACE_HI:	set_hi(&dev->trace_gpa, v); break;
	case VIRQNET_REG_IRQ_VECTOR:	q->vector = v; break;
	case VIRQNET_REG_IRQ_CPU:	q->irq_cpu = v; break;
	case VIRQNET_REG_CTRL:
		if (v & VIRQNET_CTRL_ENABLE) {
			dev->cfg_error = virqnet_enable(dev) < 0;
			dev->enabled = !dev->cfg_error;
		} else if (v & VIRQNET_CTRL_DISABLE) {
			dev->enabled = false;
			dev->gen++;
		} else {
			guest_error(dev, "CTRL value 0x%x has no defined bit", v);
		}
		break;
	case VIRQNET_REG_RX_ACK:
		/* The register-acknowledging modes' way back; others advance cons in memory. */
		if (!dev->ops->ack || !dev->enabled)
			guest_error(dev, "RX_ACK in mode %s or before enable", dev->ops->name);
		else if (v == 0 || v > q->prod - q->cons)
			guest_error(dev, "RX_ACK of %u with only %u descriptors outstanding", v,
				    q->prod - q->cons);
		else
			dev->ops->ack(dev, q, v);
		break;
	default:
		guest_error(dev, "write 0x%x to read-only or undefined register 0x%x", v, off);
	}
}

/* A vCPU's access at offset off of the register page. */
void virqnet_mmio_access(struct virqnet *dev, uint32_t off, uint8_t *data, uint32_t len,
			 bool is_write)
{
	uint32_t v, qi = off / VIRQNET_QUEUE_STRIDE, reg = off % VIRQNET_QUEUE_STRIDE;

	/* Registers are 32-bit and aligned; anything else is a guest bug. */
	lock(dev);
	if (len != 4 || (off & 3) || qi >= dev->nr_queues || (qi && !queue_reg(reg))) {
		guest_error(dev, "%u-byte access at register offset 0x%x (%u queues)", len, off,
			    dev->nr_queues);
		if (!is_write)
			memset(data, 0xff, len);
	} else if (is_write) {
		memcpy(&v, data, 4);
		reg_write(dev, &dev->rxq[qi], reg, v);
	} else {
		v = reg_read(dev, &dev->rxq[qi], reg);
		memcpy(data, &v, 4);
	}
	unlock(dev);
}

static bool take_buffer(struct virqnet *dev, struct rx_buf *b)
{
	if (dev->ops->queue)
		return dev->ops->queue->lend(dev, b);
	if (!dev->ops->has_driver || !dev->enabled || !dev->nr_free)
		return false;
	b->id = dev->free_bufs[--dev->nr_free];
	b->data = dev->bufs + (uint64_t)b->id * dev->buf_size;
	b->cap = dev->buf_size;
	b->gen = dev->gen;
	b->guest = true;
	return true;
}

/* A buffer lent and not published comes back, unless the ring was reset meanwhile. */
static void return_buffer(struct virqnet *dev, const struct rx_buf *b)
{
	if (dev->ops->queue) {
		if (b->guest)
			dev->ops->queue->give_back(dev, b);
		return;
	}
	if (b->guest && b->gen == dev->gen)
		dev->free_bufs[dev->nr_free++] = b->id;
}

/*
 * Where a receive stamp of (flow, seq) is kept: flow k's run of slots
 * starts a sixteenth of the table further on, so one flow uses the table as
 * before and several flows do not overwrite each other's recent stamps.
 */
static struct rx_stamp *stamp_slot(struct virqnet *dev, uint64_t key)
{
	uint64_t seq = key & ((1ull << 56) - 1), k = key >> 56;

	return &dev->rx_stamps[(seq + k * (dev->seq_slots / VIRQLAB_MAX_FLOWS)) &
			       (dev->seq_slots - 1)];
}

/*
 * Receive thread: a buffer for the next receive. False when the datagram
 * must go to the source's scratch area (driver not ready, sink, or every
 * guest buffer is in the ring or in flight: ring full).
 */
bool virqnet_rx_buffer(struct virqnet *dev, struct rx_buf *b)
{
	bool ok;

	lock(dev);
	ok = take_buffer(dev, b);
	if (!ok) {
		b->guest = false;
		b->gen = dev->gen;	/* the scratch receive belongs to this configuration */
	}
	unlock(dev);
	return ok;
}

/* A lent buffer whose receive was never completed (cancelled at the end). */
void virqnet_rx_cancel(struct virqnet *dev, const struct rx_buf *b)
{
	lock(dev);
	return_buffer(dev, b);
	unlock(dev);
}

static void publish(struct virqnet *dev, struct virqnet_rxq *q, const struct rx_buf *b,
		    uint32_t len, uint64_t rx_ns)
{
	struct virqnet_desc *d;
	uint32_t slot;

	if (dev->ops->queue) {
		dev->ops->queue->publish(dev, b, len);
		return;
	}
	if (b->gen != dev->gen || !dev->enabled) {
		/* Reconfigured under an in-flight receive: the buffer is gone. */
		dev->c.drop_not_ready++;
		return;
	}
	if (q->prod - q->cons == dev->ring_size) {
		/*
		 * This queue's ring is full though the pool had a buffer (several
		 * queues share it; one queue alone never gets here): a NIC's
		 * queue overflow, a drop.
		 */
		dev->c.drop_ring_full++;
		return_buffer(dev, b);
		return;
	}
	slot = q->prod & (dev->ring_size - 1);
	d = &q->ring->desc[slot];
	d->buf_id = b->id;
	d->len = len;
	d->rx_ns = rx_ns;
	d->consume_tsc = 0;
	q->slot_buf[slot] = b->id;
	q->slot_len[slot] = len;
	q->prod++;
	__atomic_store_n(&q->ring->prod, q->prod, __ATOMIC_RELEASE);
	dev->c.published++;
	q->published++;
	if (dev->ops->notify)
		dev->ops->notify(dev, q);
}

/* What an arrival is: virqlab's, foreign and delivered anyway, or discarded. */
enum arrival { ARRIVAL_OURS, ARRIVAL_FOREIGN, ARRIVAL_DISCARD };

/*
 * Not ours. One without virqlab's header goes to the guest with
 * --accept-foreign (rx_foreign.c); virqlab's of another flow (a stale
 * generator) never does: the guest would judge it as ours.
 */
static enum arrival not_ours(struct virqnet *dev, bool has_header)
{
	dev->c.foreign++;
	if (dev->accept_foreign && !has_header)
		return ARRIVAL_FOREIGN;
	dev->c.foreign_discarded++;
	return ARRIVAL_DISCARD;
}

/*
 * Sequence accounting from the payload header (copied out first: the guest
 * could change it under us). A seq above the next expected one means the
 * ones between never reached the device: counted as dropped until they turn
 * up late, which moves them back, so sent = delivered + dropped stays exact.
 */
static enum arrival account(struct virqnet *dev, const void *payload, uint32_t len,
			    uint64_t rx_ns)
{
	struct virqlab_payload h;
	struct virqnet_flow *fl;
	uint64_t key;

	if (len < sizeof(h))
		return not_ours(dev, false);
	gmem_copy(&h, payload, sizeof(h), "payload.header");
	if (h.magic != VIRQLAB_PAYLOAD_MAGIC)
		return not_ours(dev, false);
	if (dev->flow_known && virqlab_flow_run(h.flow) != dev->flow)
		return not_ours(dev, true);
	if (!dev->flow_known) {
		dev->flow = virqlab_flow_run(h.flow);
		dev->flow_known = true;
	}
	/* Per flow (virqlab_payload.h): each has its own sequence. */
	fl = &dev->flows[virqlab_flow_index(h.flow)];
	if (h.seq >= fl->next_seq) {
		dev->c.drop_seq_gap += h.seq - fl->next_seq;
		dev->next_seq += h.seq + 1 - fl->next_seq;
		fl->next_seq = h.seq + 1;
	} else {
		dev->c.reordered++;
		if (dev->c.drop_seq_gap)
			dev->c.drop_seq_gap--;
	}
	key = virqlab_seq_key(h.flow, h.seq);
	*stamp_slot(dev, key) = (struct rx_stamp){ key, rx_ns, h.send_ns };
	return ARRIVAL_OURS;
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void note_sock_drops(struct virqnet *dev, int64_t drops)
{
	/*
	 * The kernel's count only grows; an older report must not lower ours.
	 * It counts from the socket's creation: a window's are those past the
	 * count when it opened (virqnet_window_close).
	 */
	if (drops >= 0 && (uint64_t)drops >= dev->sock_drops_base &&
	    (uint64_t)drops - dev->sock_drops_base > dev->c.sock_overflow)
		dev->c.sock_overflow = drops - dev->sock_drops_base;
}

/* Publish; a foreign datagram's drops and stamp are its own (rx_foreign.c). */
static void deliver(struct virqnet *dev, struct virqnet_rxq *q, const struct rx_buf *b,
		    uint32_t len, uint64_t rx_ns, bool foreign)
{
	uint64_t published = dev->c.published, ring_full = dev->c.drop_ring_full;

	if (!foreign)
		dev->c.bytes += len;
	publish(dev, q, b, len, rx_ns);
	if (!foreign)
		return;
	if (dev->c.drop_ring_full != ring_full) {
		/* Its queue's ring was full (several queues): a foreign drop, not virqlab's. */
		dev->c.drop_ring_full--;
		dev->c.foreign_dropped++;
		return;
	}
	rx_foreign_published(dev, len, rx_ns, dev->c.published != published);
}

/*
 * Receive thread: one finished receive, from here on the device's. The
 * order of the checks is the order of the columns' meaning: an arrival is
 * counted first, then what kind it was (foreign, too big), then where it
 * went (published, discarded by sink, or dropped for want of a buffer).
 * A scratch receive (no guest buffer was free when it was armed) still
 * delivers if buffers came back while it waited. A foreign datagram that is
 * delivered anyway (--accept-foreign) takes the same way, its drops counted
 * as its own: virqlab's sent = delivered + dropped never sees it.
 */
void virqnet_rx_complete(struct virqnet *dev, struct rx_done *d, struct rx_batch *batch)
{
	struct rx_buf *b = &d->buf;
	uint64_t arrivals, suppressed, *too_big, *ring_full;
	struct virqnet_rxq *q;
	enum arrival kind;
	uint32_t len;

	lock(dev);
	q = &dev->rxq[virqnet_rss_queue(d->rss_hash, dev->nr_queues)];
	arrivals = dev->c.arrivals;
	suppressed = dev->c.irqs_suppressed;
	note_sock_drops(dev, d->sock_drops);
	if (d->res < 0) {
		return_buffer(dev, b);
		if (d->res != -EAGAIN && d->res != -EINTR && d->res != -ECANCELED)
			dev->c.recv_errors++;
		goto out;
	}
	len = d->res;
	if (!d->rx_ns) {
		dev->c.no_timestamp++;
		d->rx_ns = realtime_ns();
	}
	dev->c.arrivals++;
	kind = account(dev, b->data, len < b->cap ? len : b->cap, d->rx_ns);
	if (kind == ARRIVAL_DISCARD) {
		return_buffer(dev, b);
		goto out;
	}
	too_big = kind == ARRIVAL_FOREIGN ? &dev->c.foreign_dropped : &dev->c.drop_too_big;
	ring_full = kind == ARRIVAL_FOREIGN ? &dev->c.foreign_dropped : &dev->c.drop_ring_full;
	if (len > b->cap) {
		(*too_big)++;
		return_buffer(dev, b);
	} else if (b->guest) {
		deliver(dev, q, b, len, d->rx_ns, kind == ARRIVAL_FOREIGN);
	} else if (!dev->ops->has_driver) {
		dev->c.bytes += len;
		dev->c.sink_delivered++;
	} else {
		const uint8_t *scratch = b->data;

		if (b->gen != dev->gen) {
			/*
			 * Armed before the driver reset or reconfigured the device:
			 * its datagram belongs to the state the reset forgot (virtio
			 * 1.2, 2.4), as a guest buffer lent then does (publish), and
			 * must not land in a buffer the driver posted after it.
			 */
			if (kind == ARRIVAL_FOREIGN)
				dev->c.foreign_dropped++;
			else
				dev->c.drop_not_ready++;
		} else if (!take_buffer(dev, b)) {
			(*ring_full)++;
		} else if (len > b->cap) {
			(*too_big)++;
			return_buffer(dev, b);
		} else {
			/* Buffers came back while this receive waited: not a drop. */
			memcpy(b->data, scratch, len);
			deliver(dev, q, b, len, d->rx_ns, kind == ARRIVAL_FOREIGN);
		}
	}
out:
	if (batch) {
		batch->arrivals += dev->c.arrivals - arrivals;
		batch->suppressed += dev->c.irqs_suppressed - suppressed;
		batch->next_seq = dev->next_seq;
	}
	unlock(dev);
}

void virqnet_sock_drops(struct virqnet *dev, uint64_t drops)
{
	lock(dev);
	note_sock_drops(dev, drops > INT64_MAX ? INT64_MAX : (int64_t)drops);
	unlock(dev);
}

/*
 * Receive thread: the mode's timer (coalesce's moderated interrupt), or at
 * once with FLUSH. Returns the ns until it is next due, UINT64_MAX if never.
 */
uint64_t virqnet_tick(struct virqnet *dev, bool flush)
{
	uint64_t left = UINT64_MAX, now;

	if (!dev->ops->tick)
		return left;
	lock(dev);
	now = now_ns();
	for (unsigned int i = 0; i < dev->nr_queues; i++) {
		uint64_t l = dev->ops->tick(dev, &dev->rxq[i], now, flush);

		if (l < left)
			left = l;
	}
	unlock(dev);
	return left;
}

/*
 * Pair each consumption-log entry with the receive timestamp of its seq. Two
 * other clocks bound each sample (tests/kvm/latency-clock.t): the sender's
 * stamp in the payload comes before the kernel's, and the guest wrote the
 * entry before we read head, so its consumption time, carried onto the host
 * clock through the TSC relation, is not later than `now`.
 */
static void reclaim_latency(struct virqnet *dev, const struct clock_anchor *a)
{
	uint32_t head = gmem_load(&dev->latlog->head, __ATOMIC_ACQUIRE, "latlog.head");
	uint32_t n = head - dev->lat_tail;
	uint64_t first = dev->nr_lat;
	int64_t now = (int64_t)realtime_ns();

	if (n > VIRQNET_LAT_LOG_SIZE) {
		dev->c.lat_overrun += n - VIRQNET_LAT_LOG_SIZE;
		dev->lat_tail = head - VIRQNET_LAT_LOG_SIZE;
	}
	for (; dev->lat_tail != head; dev->lat_tail++) {
		struct virqnet_lat_entry e;
		struct rx_stamp *s;
		int64_t lat, consumed;
		uint64_t rx;

		gmem_copy(&e, &dev->latlog->ent[dev->lat_tail % VIRQNET_LAT_LOG_SIZE], sizeof(e),
			   "latlog.ent");
		if (e.seq & VIRQNET_LAT_FOREIGN) {
			if (dev->tsc_offset_ok)
				rx_foreign_sample(dev, &e, clock_guest_tsc_to_realtime(a, e.tsc,
							dev->tsc_offset), now);
			continue;
		}
		s = stamp_slot(dev, e.seq);
		if (s->seq != e.seq || !s->rx_ns || !dev->tsc_offset_ok)
			continue;
		consumed = clock_guest_tsc_to_realtime(a, e.tsc, dev->tsc_offset);
		rx = s->rx_ns;
		lat = consumed - (int64_t)rx;
		s->rx_ns = 0;	/* one sample per packet, even if the guest logs twice */
		if (lat < 0 || lat > 60 * 1000000000ll) {
			dev->c.lat_invalid++;
			continue;
		}
		if (s->send_ns > rx)
			dev->c.send_after_rx++;
		if (consumed > now) {
			dev->c.lat_future++;
			if ((uint64_t)(consumed - now) > dev->c.lat_future_max_ns)
				dev->c.lat_future_max_ns = consumed - now;
		}
		if (dev->nr_lat < dev->max_lat) {
			dev->send_lat_ns[dev->nr_lat] = consumed - (int64_t)s->send_ns;
			dev->lat_ns[dev->nr_lat++] = lat;
		}
	}
	/* The new samples, to tracers: one probe hit per 64, not one per packet. */
	for (uint64_t i = first; i < dev->nr_lat; i += USDT_LAT_BATCH_MAX) {
		uint64_t cnt = dev->nr_lat - i < USDT_LAT_BATCH_MAX ? dev->nr_lat - i :
								       USDT_LAT_BATCH_MAX;

		usdt2(lat_batch, cnt, &dev->lat_ns[i]);
	}
}

/* Receive thread: take back what the guest consumed in memory, and its latency log. */
void virqnet_reclaim(struct virqnet *dev, const struct clock_anchor *a)
{
	lock(dev);
	if (dev->enabled && dev->ops->reclaim)
		for (unsigned int i = 0; i < dev->nr_queues; i++)
			dev->ops->reclaim(dev, &dev->rxq[i]);
	if (dev->enabled && dev->latlog)
		reclaim_latency(dev, a);
	unlock(dev);
}

/* The receive window is over: the mode ends the run (ask the guest, or end the VM). */
void virqnet_finish(struct virqnet *dev)
{
	/* Not under the lock: the hooks take it themselves (request_stop) or need none. */
	dev->ops->finish(dev);
}

void virqnet_request_stop(struct virqnet *dev)
{
	lock(dev);
	dev->stop_requested = true;
	for (unsigned int i = 0; dev->enabled && i < dev->nr_queues; i++) {
		struct virqnet_rxq *q = &dev->rxq[i];

		__atomic_store_n(&q->ring->stop, 1, __ATOMIC_RELEASE);
		/*
		 * Wake a halted guest whatever its mask says: it must report. A
		 * control interrupt, not an arrival: kept out of irqs_raised.
		 */
		if (!dev->host.irq_raise(dev->host.ctx, q->irq)) {
			if (dev->host.error_lines)
				pr_warn("virqnet: stop interrupt: %s", strerror(errno));
		} else {
			dev->c.irqs_control++;
			usdt1(irq_raise, USDT_IRQ_CONTROL);
		}
	}
	unlock(dev);
}

bool virqnet_drained(struct virqnet *dev)
{
	bool drained = true;

	lock(dev);
	if (dev->ops->queue)
		drained = dev->ops->queue->drained(dev);
	else
		for (unsigned int i = 0; i < dev->nr_queues; i++)
			if (dev->enabled && dev->rxq[i].prod != dev->rxq[i].cons)
				drained = false;
	unlock(dev);
	return drained;
}

/* The driver has enabled the device (a mode without a driver needs none). */
bool virqnet_ready(struct virqnet *dev)
{
	bool ready;

	lock(dev);
	if (dev->ops->queue)
		ready = dev->ops->queue->ready(dev);	/* the log is optional */
	else
		ready = dev->enabled || !dev->ops->has_driver;
	if (dev->hold_ready)
		ready = false;	/* linux_rx.c: not before the guest's socket exists */
	unlock(dev);
	return ready;
}

/* A consistent copy of what the receive loop and its probes look at. */
void virqnet_progress(struct virqnet *dev, uint64_t *arrivals, uint64_t *suppressed,
		      uint64_t *next_seq, uint64_t *published)
{
	lock(dev);
	if (arrivals)
		*arrivals = dev->c.arrivals;
	if (suppressed)
		*suppressed = dev->c.irqs_suppressed;
	if (next_seq)
		*next_seq = dev->next_seq;
	if (published)
		*published = dev->c.published;
	unlock(dev);
}

void virqnet_irq_target(struct virqnet *dev, uint32_t *cpu, uint32_t *vector)
{
	lock(dev);
	*cpu = dev->rxq[0].irq_target_cpu;
	*vector = dev->rxq[0].irq_target_vector;
	unlock(dev);
}

/* The guest's consumer indices as they are in memory now, summed (0 before enable). */
uint32_t virqnet_ring_cons(struct virqnet *dev)
{
	uint32_t c = 0;

	lock(dev);
	for (unsigned int i = 0; i < dev->nr_queues; i++)
		if (dev->rxq[i].ring)
			c += gmem_load(&dev->rxq[i].ring->cons, __ATOMIC_ACQUIRE, "ring.cons");
	unlock(dev);
	return c;
}

void virqnet_guest_report(struct virqnet *dev, uint64_t key, uint64_t value)
{
	lock(dev);
	if (key >= RX_REPORT_DELIVERED && key < RX_REPORT_DELIVERED + RX_REPORT_NR) {
		dev->guest_report[key - RX_REPORT_DELIVERED] = value;
		dev->guest_reported |= 1u << (key - RX_REPORT_DELIVERED);
	}
	unlock(dev);
}

/*
 * --windows: the receive window that just ended, whole, into *view (what
 * rx_stats_report reads: counters, the guest's reports, the latency
 * samples), and the device's accounting afresh for the next one, in one
 * step under the lock, so that whatever the guest writes from here on (a
 * late report, an error) lands in the next window, never in neither. The
 * view shares the sample arrays with the device: only the receive thread
 * fills them (reclaim_latency), and it reports the view before it opens
 * the next window. What is configuration or the guest's shared memory
 * (the latency log's tail, the TSC offset, the queue) carries on; the
 * socket's drop count carries on in the kernel, so the window's base
 * moves up by what this window counted.
 */
void virqnet_window_close(struct virqnet *dev, struct virqnet *view)
{
	lock(dev);
	*view = *dev;		/* the copy's lock is never taken */
	dev->sock_drops_base += dev->c.sock_overflow;
	memset(&dev->c, 0, sizeof(dev->c));
	dev->flow_known = false;
	memset(dev->flows, 0, sizeof(dev->flows));
	dev->next_seq = 0;
	memset(dev->rx_stamps, 0, dev->seq_slots * sizeof(*dev->rx_stamps));
	memset(dev->guest_report, 0, sizeof(dev->guest_report));
	dev->guest_reported = 0;
	dev->nr_lat = 0;
	dev->nr_foreign_lat = 0;
	for (unsigned int i = 0; i < dev->nr_queues; i++)
		dev->rxq[i].published = 0;
	dev->hold_ready = true;	/* until the guest's receiver says it is ready again */
	unlock(dev);
}

/* --windows: the next receive window may start (the mode's reopen, under the lock). */
void virqnet_reopen(struct virqnet *dev)
{
	lock(dev);
	dev->stop_requested = false;
	if (dev->ops->reopen)
		dev->ops->reopen(dev);
	unlock(dev);
}

uint64_t virqnet_windows_reported(struct virqnet *dev)
{
	uint64_t w;

	lock(dev);
	w = dev->windows_reported;
	unlock(dev);
	return w;
}

/* seq_slots: receive stamps kept for latency pairing, a power of two. */
struct virqnet *virqnet_create(const struct virqnet_host *host, const struct virqnet_mode_ops *ops,
			       uint64_t coalesce_ns, uint64_t max_lat, uint32_t seq_slots)
{
	struct virqnet *dev = calloc(1, sizeof(*dev));
	pthread_mutexattr_t attr;

	if (!dev || !seq_slots || (seq_slots & (seq_slots - 1)))
		die("virqnet_create: out of memory or %u receive stamps (not a power of two)",
		    seq_slots);
	dev->ops = ops;
	dev->host = *host;
	dev->nr_queues = 1;
	for (unsigned int i = 0; i < VIRQNET_MAX_QUEUES; i++)
		dev->rxq[i].irq = -1;
	dev->coalesce_ns = ops->coalesce ? coalesce_ns : 0;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&dev->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	dev->seq_slots = seq_slots;
	dev->rx_stamps = calloc(seq_slots, sizeof(*dev->rx_stamps));
	dev->max_lat = max_lat;
	dev->lat_ns = malloc((max_lat ? max_lat : 1) * sizeof(uint64_t));
	dev->send_lat_ns = malloc((max_lat ? max_lat : 1) * sizeof(uint64_t));
	if (!dev->rx_stamps || !dev->lat_ns || !dev->send_lat_ns)
		die("out of memory for receive timestamps");
	return dev;
}

void virqnet_set_queues(struct virqnet *dev, unsigned int nr_queues)
{
	if (!nr_queues || nr_queues > VIRQNET_MAX_QUEUES)
		die("virqnet_set_queues: %u queues (1..%u)", nr_queues, VIRQNET_MAX_QUEUES);
	dev->nr_queues = nr_queues;
}

void virqnet_destroy(struct virqnet *dev)
{
	pthread_mutex_destroy(&dev->lock);
	for (unsigned int i = 0; i < VIRQNET_MAX_QUEUES; i++) {
		free(dev->rxq[i].slot_buf);
		free(dev->rxq[i].slot_len);
	}
	free(dev->free_bufs);
	free(dev->rx_stamps);
	free(dev->lat_ns);
	free(dev->send_lat_ns);
	free(dev->foreign_stamps);
	free(dev->foreign_lat_ns);
	free(dev);
}

/* Diagnostics for a stalled run: the device's view and the guest's flags. */
void virqnet_dump(struct virqnet *dev, const char *why)
{
	lock(dev);
	if (dev->ops->queue) {
		dev->ops->queue->dump(dev, why);
		unlock(dev);
		return;
	}
	for (unsigned int i = 0; i < dev->nr_queues; i++) {
		struct virqnet_rxq *q = &dev->rxq[i];
		char name[24] = "";

		if (dev->nr_queues > 1)
			snprintf(name, sizeof(name), "queue %u: ", i);
		pr_warn("virqnet: %s: %sprod %u, host cons %u, ring cons %u, pending %u, masked %u, "
			"irqs raised %llu, suppressed %llu", why, name, q->prod, q->cons,
			q->ring ? gmem_load(&q->ring->cons, __ATOMIC_ACQUIRE, "ring.cons") : 0,
			q->irq_flags ? q->irq_flags->pending : 0,
			q->irq_flags ? q->irq_flags->masked : 0,
			(unsigned long long)dev->c.irqs_raised,
			(unsigned long long)dev->c.irqs_suppressed);
	}
	unlock(dev);
}

/*
 * The guest's handshake trace, newest last, as one line per entry. A copy
 * is taken first: the guest may still be writing, and nothing in it is
 * used but to print (an unknown event prints as a number).
 */
void virqnet_dump_trace(struct virqnet *dev, unsigned int last)
{
	static const char *const names[] = {
		[VIRQNET_TR_ISR] = "isr", [VIRQNET_TR_LOOK] = "look",
		[VIRQNET_TR_SLEEP] = "sleep", [VIRQNET_TR_WAKE] = "wake",
	};
	struct virqnet_trace_entry ent[VIRQNET_TRACE_SIZE];
	uint32_t head;
	uint64_t t0;

	lock(dev);
	if (!dev->trace) {
		unlock(dev);
		return;
	}
	head = gmem_load(&dev->trace->head, __ATOMIC_ACQUIRE, "trace.head");
	gmem_copy(ent, dev->trace->ent, sizeof(ent), "trace.ent");
	unlock(dev);
	if (last > VIRQNET_TRACE_SIZE)
		last = VIRQNET_TRACE_SIZE;
	if (last > head)
		last = head;
	t0 = ent[(head - last) % VIRQNET_TRACE_SIZE].tsc;
	pr_warn("virqnet: the guest's last %u handshake steps (of %u; a b c as in uapi/virqnet.h):",
		last, head);
	for (uint32_t i = head - last; i != head; i++) {
		const struct virqnet_trace_entry *e = &ent[i % VIRQNET_TRACE_SIZE];
		char name[16];

		if (e->event < ARRAY_SIZE(names) && names[e->event])
			snprintf(name, sizeof(name), "%s", names[e->event]);
		else
			snprintf(name, sizeof(name), "event %u", e->event);
		pr_warn("  %u +%llu %s a 0x%x b 0x%llx c 0x%llx", i,
			(unsigned long long)(e->tsc - t0), name, e->a,
			(unsigned long long)e->b, (unsigned long long)e->c);
	}
}
