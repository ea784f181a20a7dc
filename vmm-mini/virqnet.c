// SPDX-License-Identifier: GPL-2.0
/*
 * virqnet.c - the receive device, host side: its registers, validation of
 * everything the driver programs, publishing descriptors into the guest's
 * ring, taking buffers back, and the two ways of telling the guest.
 *
 * Trust: the ring, the flag area and the latency log live in guest memory,
 * which a hostile guest may scribble on at any time. The device keeps its own
 * shadow of every index and buffer id it hands out and only ever reads guest
 * memory through validated, bounded pointers; a bad value is counted in
 * guest_errors, reported once, and ignored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uapi/virqlab_payload.h"
#include "vmm/clock.h"
#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/usdt.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

static void guest_error(struct virqnet *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void guest_error(struct virqnet *dev, const char *fmt, ...)
{
	va_list ap;

	/* The first few are printed, all are counted: a flood can't drown stderr. */
	if (dev->c.guest_errors++ < 8) {
		fprintf(stderr, "%s: virqnet: guest error: ", prog_name);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

static void raise_irq(struct virqnet *dev)
{
	uint64_t one = 1;

	if (write(dev->irqfd, &one, sizeof(one)) == sizeof(one)) {
		dev->c.irqs_raised++;
		usdt1(irq_raise, USDT_IRQ_ARRIVAL);
	}
}

/* Validate the programmed config and derive host pointers; 0 or -1. */
static int virqnet_enable(struct virqnet *dev)
{
	struct vm *vm = dev->vm;
	uint32_t n = dev->ring_size;

	if (n < 8 || n > 4096 || (n & (n - 1))) {
		guest_error(dev, "ring size %u is not a power of two in 8..4096", n);
		return -1;
	}
	if (dev->buf_size < 2048 || dev->buf_size > 16384 || dev->buf_size % 64) {
		guest_error(dev, "buffer size %u is not a multiple of 64 in 2048..16384",
			    dev->buf_size);
		return -1;
	}
	if ((dev->ring_gpa | dev->buf_gpa | dev->flags_gpa | dev->latlog_gpa | dev->trace_gpa) & 63) {
		guest_error(dev, "ring, buffer, flag or log address not 64-byte aligned");
		return -1;
	}
	dev->ring = gpa_to_hva(vm, dev->ring_gpa,
			       sizeof(struct virqnet_ring) + n * sizeof(struct virqnet_desc));
	dev->bufs = gpa_to_hva(vm, dev->buf_gpa, (uint64_t)n * dev->buf_size);
	dev->flags = gpa_to_hva(vm, dev->flags_gpa,
				vm->nr_vcpus * sizeof(struct virqnet_vcpu_flags));
	dev->latlog = dev->latlog_gpa ?
		gpa_to_hva(vm, dev->latlog_gpa, sizeof(struct virqnet_lat_log)) : NULL;
	dev->trace = dev->trace_gpa ?
		gpa_to_hva(vm, dev->trace_gpa, sizeof(struct virqnet_trace)) : NULL;
	if (!dev->ring || !dev->bufs || !dev->flags || (dev->latlog_gpa && !dev->latlog) ||
	    (dev->trace_gpa && !dev->trace)) {
		guest_error(dev, "ring 0x%llx, buffers 0x%llx, flags 0x%llx, log 0x%llx or trace "
			    "0x%llx outside guest RAM", (unsigned long long)dev->ring_gpa,
			    (unsigned long long)dev->buf_gpa, (unsigned long long)dev->flags_gpa,
			    (unsigned long long)dev->latlog_gpa, (unsigned long long)dev->trace_gpa);
		return -1;
	}
	if (dev->vector < 32 || dev->vector > 255 || dev->irq_cpu >= vm->nr_vcpus) {
		guest_error(dev, "interrupt vector %u or target vCPU %u invalid", dev->vector,
			    dev->irq_cpu);
		return -1;
	}

	free(dev->slot_buf);
	free(dev->free_bufs);
	free(dev->slot_len);
	dev->slot_buf = calloc(n, sizeof(uint32_t));
	dev->slot_len = calloc(n, sizeof(uint32_t));
	dev->free_bufs = calloc(n, sizeof(uint32_t));
	if (!dev->slot_buf || !dev->slot_len || !dev->free_bufs)
		die("out of memory for the virqnet ring shadow");
	for (uint32_t i = 0; i < n; i++)
		dev->free_bufs[i] = n - 1 - i;
	dev->nr_free = n;
	dev->prod = dev->cons = 0;
	__atomic_store_n(&dev->ring->prod, 0, __ATOMIC_RELEASE);
	dev->lat_tail = dev->latlog ? __atomic_load_n(&dev->latlog->head, __ATOMIC_ACQUIRE) : 0;
	dev->irqfd = irq__irqfd_get(vm, dev->irq_cpu, dev->vector);
	dev->gen++;
	return 0;
}

static uint32_t status(struct virqnet *dev)
{
	uint32_t s = 0;

	if (dev->enabled && dev->prod != dev->cons)
		s |= VIRQNET_STATUS_RX;
	if (dev->enabled)
		s |= VIRQNET_STATUS_ENABLED;
	if (atomic_load(&dev->stop_requested))
		s |= VIRQNET_STATUS_STOP;
	if (dev->cfg_error)
		s |= VIRQNET_STATUS_ERROR;
	return s;
}

static void free_slots(struct virqnet *dev, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		uint32_t slot = (dev->cons + i) & (dev->ring_size - 1);

		dev->free_bufs[dev->nr_free++] = dev->slot_buf[slot];
	}
	dev->cons += n;
	dev->c.consumed += n;
}

static uint32_t reg_read(struct virqnet *dev, uint32_t off)
{
	uint32_t slot = dev->cons & (dev->ring_size - 1);

	switch (off) {
	case VIRQNET_REG_ID:		return VIRQNET_ID;
	case VIRQNET_REG_MODE:		return dev->mode;
	case VIRQNET_REG_RING_LO:	return (uint32_t)dev->ring_gpa;
	case VIRQNET_REG_RING_HI:	return dev->ring_gpa >> 32;
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
	case VIRQNET_REG_IRQ_VECTOR:	return dev->vector;
	case VIRQNET_REG_IRQ_CPU:	return dev->irq_cpu;
	case VIRQNET_REG_STATUS:	return status(dev);
	case VIRQNET_REG_ERRORS:	return (uint32_t)dev->c.guest_errors;
	/* The head descriptor, from the host's shadow: what the device wrote. */
	case VIRQNET_REG_HEAD_BUF:
		return dev->enabled && dev->prod != dev->cons ? dev->slot_buf[slot] : ~0u;
	case VIRQNET_REG_HEAD_LEN:
		return dev->enabled && dev->prod != dev->cons ? dev->slot_len[slot] : 0;
	default:
		guest_error(dev, "read of undefined register 0x%x", off);
		return ~0u;
	}
}

static void set_lo(uint64_t *r, uint32_t v) { *r = (*r & ~0xffffffffull) | v; }
static void set_hi(uint64_t *r, uint32_t v) { *r = (*r & 0xffffffffull) | (uint64_t)v << 32; }

static void reg_write(struct virqnet *dev, uint32_t off, uint32_t v)
{
	if (dev->enabled && off < VIRQNET_REG_CTRL) {
		guest_error(dev, "write to config register 0x%x while enabled", off);
		return;
	}
	switch (off) {
	case VIRQNET_REG_RING_LO:	set_lo(&dev->ring_gpa, v); break;
	case VIRQNET_REG_RING_HI:	set_hi(&dev->ring_gpa, v); break;
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
	case VIRQNET_REG_IRQ_VECTOR:	dev->vector = v; break;
	case VIRQNET_REG_IRQ_CPU:	dev->irq_cpu = v; break;
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
		/* Inject mode's acknowledgement; mask-direct advances cons in memory. */
		if (dev->mode != VIRQNET_MODE_INJECT || !dev->enabled)
			guest_error(dev, "RX_ACK outside inject mode or before enable");
		else if (v == 0 || v > dev->prod - dev->cons)
			guest_error(dev, "RX_ACK of %u with only %u descriptors outstanding", v,
				    dev->prod - dev->cons);
		else
			free_slots(dev, v);
		break;
	default:
		guest_error(dev, "write 0x%x to read-only or undefined register 0x%x", v, off);
	}
}

static bool virqnet_mmio(struct vcpu *vcpu, uint64_t gpa, uint8_t *data, uint32_t len,
			 bool is_write, void *opaque)
{
	struct virqnet *dev = opaque;
	uint32_t off = gpa - VIRQNET_MMIO_GPA, v;

	/* Registers are 32-bit and aligned; anything else is a guest bug. */
	pthread_mutex_lock(&dev->lock);
	if (len != 4 || (off & 3)) {
		guest_error(dev, "%u-byte access at register offset 0x%x", len, off);
		if (!is_write)
			memset(data, 0xff, len);
	} else if (is_write) {
		memcpy(&v, data, 4);
		reg_write(dev, off, v);
	} else {
		v = reg_read(dev, off);
		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&dev->lock);
	return true;
}

/*
 * Device thread: a buffer for the next receive. Returns false when the
 * datagram must go to the host's scratch area and be dropped (driver not
 * ready, or every guest buffer is in the ring or in flight: ring full).
 */
bool virqnet_take_buffer(struct virqnet *dev, uint32_t *buf_id, uint8_t **hva, uint32_t *cap,
			 uint32_t *gen)
{
	bool ok = false;

	pthread_mutex_lock(&dev->lock);
	if (dev->mode != VIRQNET_MODE_SINK && dev->enabled && dev->nr_free) {
		*buf_id = dev->free_bufs[--dev->nr_free];
		*hva = dev->bufs + (uint64_t)*buf_id * dev->buf_size;
		*cap = dev->buf_size;
		*gen = dev->gen;
		ok = true;
	}
	pthread_mutex_unlock(&dev->lock);
	return ok;
}

/* A receive into a guest buffer ended without a datagram to publish. */
void virqnet_return_buffer(struct virqnet *dev, uint32_t buf_id, uint32_t gen)
{
	pthread_mutex_lock(&dev->lock);
	if (gen == dev->gen)
		dev->free_bufs[dev->nr_free++] = buf_id;
	pthread_mutex_unlock(&dev->lock);
}

/*
 * The method's handshake, device half. The guest's half is in the driver
 * (guest-kernel-patch), and the argument that no arrival is ever stranded
 * needs both:
 *
 *   device: store prod; xchg pending <- 1 (full barrier); load masked
 *   guest:  store pending <- 0; store masked <- 0; mfence; load prod
 *
 * This is Dekker's pattern. If the device reads masked == 1, the guest's
 * store of masked <- 0 is later in the global order, so the guest's load of
 * prod that follows its fence sees this descriptor and drains it. If the
 * device reads masked == 0 and pending was 0, it raises the interrupt. If
 * pending was already 1, an interrupt raised earlier is still unhandled (the
 * handler clears pending before the consumer reads prod), so that handler's
 * drain will see this descriptor. In every case someone looks at the ring
 * after this descriptor is visible.
 */
static void notify_mask_direct(struct virqnet *dev)
{
	struct virqnet_vcpu_flags *f = &dev->flags[dev->irq_cpu];

	if (__atomic_exchange_n(&f->pending, 1, __ATOMIC_SEQ_CST) == 0 &&
	    __atomic_load_n(&f->masked, __ATOMIC_SEQ_CST) == 0)
		raise_irq(dev);
	else
		dev->c.irqs_suppressed++;
}

/*
 * Interrupt moderation for inject (--coalesce-us), like a NIC's rx-usecs:
 * the first arrival after an interrupt starts a timer, and the arrivals
 * until it expires share one interrupt, which the receive thread raises
 * (virqnet_coalesce_tick). The conventional driver's handler already pulls
 * every descriptor the device holds, so no arrival waits for an interrupt
 * of its own. A quarter of the ring pending raises it at once: moderation
 * alone must never fill the ring. Called with dev->lock held.
 */
static void coalesce_fire(struct virqnet *dev)
{
	if (dev->coal_pending) {
		dev->coal_pending = 0;
		raise_irq(dev);
	}
}

static void coalesce_arrival(struct virqnet *dev)
{
	if (dev->coal_pending++ == 0)
		dev->coal_deadline_ns = now_ns() + dev->coalesce_ns;
	else
		dev->c.irqs_coalesced++;
	if (dev->coal_pending >= dev->ring_size / 4)
		coalesce_fire(dev);
}

/*
 * Receive thread: raise the moderated interrupt if its time has come (or at
 * once with FLUSH). Returns the ns until the next one is due, UINT64_MAX if
 * none is pending.
 */
uint64_t virqnet_coalesce_tick(struct virqnet *dev, bool flush)
{
	uint64_t left = UINT64_MAX, now;

	if (!dev->coalesce_ns)
		return left;
	pthread_mutex_lock(&dev->lock);
	if (dev->coal_pending) {
		now = now_ns();
		if (flush || now >= dev->coal_deadline_ns)
			coalesce_fire(dev);
		else
			left = dev->coal_deadline_ns - now;
	}
	pthread_mutex_unlock(&dev->lock);
	return left;
}

void virqnet_publish(struct virqnet *dev, uint32_t buf_id, uint32_t len, uint64_t rx_ns,
		     uint32_t gen)
{
	struct virqnet_desc *d;
	uint32_t slot;

	pthread_mutex_lock(&dev->lock);
	if (gen != dev->gen || !dev->enabled) {
		/* Reconfigured under an in-flight receive: the buffer is gone. */
		dev->c.drop_not_ready++;
		pthread_mutex_unlock(&dev->lock);
		return;
	}
	slot = dev->prod & (dev->ring_size - 1);
	d = &dev->ring->desc[slot];
	d->buf_id = buf_id;
	d->len = len;
	d->rx_ns = rx_ns;
	d->consume_tsc = 0;
	dev->slot_buf[slot] = buf_id;
	dev->slot_len[slot] = len;
	dev->prod++;
	__atomic_store_n(&dev->ring->prod, dev->prod, __ATOMIC_RELEASE);
	dev->c.published++;

	if (dev->mode == VIRQNET_MODE_INJECT && dev->coalesce_ns)
		coalesce_arrival(dev);
	else if (dev->mode == VIRQNET_MODE_INJECT)
		raise_irq(dev);
	else
		notify_mask_direct(dev);
	pthread_mutex_unlock(&dev->lock);
}

/* Pair each consumption-log entry with the receive timestamp of its seq. */
static void reclaim_latency(struct virqnet *dev, const struct clock_anchor *a)
{
	uint32_t head = __atomic_load_n(&dev->latlog->head, __ATOMIC_ACQUIRE);
	uint32_t n = head - dev->lat_tail;
	uint64_t first = dev->nr_lat;

	if (n > VIRQNET_LAT_LOG_SIZE) {
		dev->c.lat_overrun += n - VIRQNET_LAT_LOG_SIZE;
		dev->lat_tail = head - VIRQNET_LAT_LOG_SIZE;
	}
	for (; dev->lat_tail != head; dev->lat_tail++) {
		struct virqnet_lat_entry e = dev->latlog->ent[dev->lat_tail % VIRQNET_LAT_LOG_SIZE];
		struct rx_stamp *s = &dev->rx_stamps[e.seq % LAT_SEQ_SLOTS];
		int64_t lat;

		if (s->seq != e.seq || !s->rx_ns || !dev->tsc_offset_ok)
			continue;
		lat = clock_guest_tsc_to_realtime(a, e.tsc, dev->tsc_offset) - (int64_t)s->rx_ns;
		s->rx_ns = 0;	/* one sample per packet, even if the guest logs twice */
		if (lat < 0 || lat > 60 * 1000000000ll) {
			dev->c.lat_invalid++;
			continue;
		}
		if (dev->nr_lat < dev->max_lat)
			dev->lat_ns[dev->nr_lat++] = lat;
	}
	/* The new samples, to tracers: one probe hit per 64, not one per packet. */
	for (uint64_t i = first; i < dev->nr_lat; i += USDT_LAT_BATCH_MAX) {
		uint64_t cnt = dev->nr_lat - i < USDT_LAT_BATCH_MAX ? dev->nr_lat - i :
								       USDT_LAT_BATCH_MAX;

		usdt2(lat_batch, cnt, &dev->lat_ns[i]);
	}
}

/* Device thread: take back what the guest consumed (mask-direct: from memory). */
void virqnet_reclaim(struct virqnet *dev, const struct clock_anchor *a)
{
	pthread_mutex_lock(&dev->lock);
	if (dev->enabled && dev->mode == VIRQNET_MODE_MASK_DIRECT) {
		uint32_t c = __atomic_load_n(&dev->ring->cons, __ATOMIC_ACQUIRE);
		uint32_t n = c - dev->cons;

		if (n > dev->prod - dev->cons)
			guest_error(dev, "consumer index %u beyond producer %u (host cons %u)", c,
				    dev->prod, dev->cons);
		else if (n)
			free_slots(dev, n);
	}
	if (dev->enabled && dev->latlog)
		reclaim_latency(dev, a);
	pthread_mutex_unlock(&dev->lock);
}

/*
 * Sequence accounting from the payload header (copied out first: the guest
 * could change it under us). A seq above the next expected one means the
 * ones between never reached the device: counted as dropped until they turn
 * up late, which moves them back, so sent = delivered + dropped stays exact.
 */
bool virqnet_account(struct virqnet *dev, const void *payload, uint32_t len, uint64_t rx_ns)
{
	struct virqlab_payload h;

	if (len < sizeof(h)) {
		dev->c.foreign++;
		return false;
	}
	memcpy(&h, payload, sizeof(h));
	if (h.magic != VIRQLAB_PAYLOAD_MAGIC || (dev->flow_known && h.flow != dev->flow)) {
		dev->c.foreign++;
		return false;
	}
	if (!dev->flow_known) {
		dev->flow = h.flow;
		dev->flow_known = true;
	}
	if (h.seq >= dev->next_seq) {
		dev->c.drop_seq_gap += h.seq - dev->next_seq;
		dev->next_seq = h.seq + 1;
	} else {
		dev->c.reordered++;
		if (dev->c.drop_seq_gap)
			dev->c.drop_seq_gap--;
	}
	dev->rx_stamps[h.seq % LAT_SEQ_SLOTS] = (struct rx_stamp){ h.seq, rx_ns };
	return true;
}

void virqnet_request_stop(struct virqnet *dev)
{
	pthread_mutex_lock(&dev->lock);
	atomic_store(&dev->stop_requested, true);
	if (dev->enabled) {
		__atomic_store_n(&dev->ring->stop, 1, __ATOMIC_RELEASE);
		/*
		 * Wake a halted guest whatever its mask says: it must report. A
		 * control interrupt, not an arrival: kept out of irqs_raised.
		 */
		uint64_t one = 1;

		if (write(dev->irqfd, &one, sizeof(one)) != sizeof(one)) {
			pr_warn("virqnet: stop interrupt: %s", strerror(errno));
		} else {
			dev->c.irqs_control++;
			usdt1(irq_raise, USDT_IRQ_CONTROL);
		}
	}
	pthread_mutex_unlock(&dev->lock);
}

bool virqnet_drained(struct virqnet *dev)
{
	bool drained;

	pthread_mutex_lock(&dev->lock);
	drained = !dev->enabled || dev->prod == dev->cons;
	pthread_mutex_unlock(&dev->lock);
	return drained;
}

void virqnet_guest_report(struct virqnet *dev, uint64_t key, uint64_t value)
{
	if (key >= RX_REPORT_DELIVERED && key < RX_REPORT_DELIVERED + RX_REPORT_NR) {
		dev->guest_report[key - RX_REPORT_DELIVERED] = value;
		dev->guest_reported |= 1u << (key - RX_REPORT_DELIVERED);
	}
}

int virqnet_init(struct vm *vm, enum virqnet_mode mode)
{
	struct virqnet *dev = calloc(1, sizeof(*dev));

	if (!dev)
		die("out of memory");
	dev->vm = vm;
	dev->mode = mode;
	dev->irqfd = -1;
	if (mode == VIRQNET_MODE_INJECT)
		dev->coalesce_ns = vm->cfg.coalesce_us * 1000;
	pthread_mutex_init(&dev->lock, NULL);
	dev->rx_stamps = calloc(LAT_SEQ_SLOTS, sizeof(*dev->rx_stamps));
	dev->max_lat = 1u << 22;
	dev->lat_ns = malloc(dev->max_lat * sizeof(uint64_t));
	if (!dev->rx_stamps || !dev->lat_ns)
		die("out of memory for receive timestamps");
	dev->tsc_offset_ok = vcpu_get_tsc_offset(&vm->vcpus[0], &dev->tsc_offset) == 0;
	vm->virqnet = dev;
	mmio__register(VIRQNET_MMIO_GPA, VIRQNET_MMIO_SIZE, virqnet_mmio, dev, "virqnet");
	return 0;
}

static const char *const mode_names[VIRQNET_MODE_NR] = {
	[VIRQNET_MODE_INJECT] = "inject",
	[VIRQNET_MODE_MASK_DIRECT] = "mask-direct",
	[VIRQNET_MODE_SINK] = "sink",
};

const char *virqnet_mode_name(enum virqnet_mode mode)
{
	return mode < VIRQNET_MODE_NR ? mode_names[mode] : "?";
}

int virqnet_mode_parse(const char *name)
{
	for (int i = 0; i < VIRQNET_MODE_NR; i++)
		if (!strcmp(name, mode_names[i]))
			return i;
	return -1;
}

/* Diagnostics for a stalled run: the device's view and the guest's flags. */
void virqnet_dump(struct virqnet *dev, const char *why)
{
	pthread_mutex_lock(&dev->lock);
	pr_warn("virqnet: %s: prod %u, host cons %u, ring cons %u, pending %u, masked %u, "
		"irqs raised %llu, suppressed %llu", why, dev->prod, dev->cons,
		dev->ring ? __atomic_load_n(&dev->ring->cons, __ATOMIC_ACQUIRE) : 0,
		dev->flags ? dev->flags[dev->irq_cpu].pending : 0,
		dev->flags ? dev->flags[dev->irq_cpu].masked : 0,
		(unsigned long long)dev->c.irqs_raised, (unsigned long long)dev->c.irqs_suppressed);
	pthread_mutex_unlock(&dev->lock);
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

	if (!dev->trace)
		return;
	head = __atomic_load_n(&dev->trace->head, __ATOMIC_ACQUIRE);
	memcpy(ent, dev->trace->ent, sizeof(ent));
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

/* The driver has enabled the device (sink mode needs no driver). */
bool virqnet_ready(struct virqnet *dev)
{
	bool ready;

	pthread_mutex_lock(&dev->lock);
	ready = dev->enabled || dev->mode == VIRQNET_MODE_SINK;
	pthread_mutex_unlock(&dev->lock);
	return ready;
}
