// SPDX-License-Identifier: GPL-2.0
/*
 * virqnet_fuzz.c - the receive device model (vmm-mini/virqnet.c and its
 * mode table) driven by random input, without KVM: guest RAM is a heap
 * buffer, the interrupt a counter, the io_uring source a few receive slots.
 * Cloud Hypervisor's fuzz/fuzz_targets/net.rs and QEMU's generic device
 * fuzzer are the model: the input is a program of operations, each through
 * one of the device's entry points, in every mode of the table:
 *
 *   register reads and writes (valid, unaligned, odd sizes, any value), a
 *   valid configuration perturbed field by field, a hostile guest writing
 *   anywhere in its RAM or at the ring's indices, flags and logs, receives
 *   lent, completed (valid, foreign, short, oversize, failed) and
 *   cancelled, the timer, reclaim, the end of the run, a guest consumer
 *   acknowledging (RX_ACK) or advancing its index in memory, reports.
 *
 * After every operation the device's own invariants are checked: every
 * guest buffer of the current configuration is in exactly one place (free,
 * in the ring, or lent to a receive), every arrival is counted once by
 * where it went, the shadow indices stay within the ring. Any failure, any
 * sanitizer report, a field of guest memory fetched twice within one call
 * into the device (a double fetch: virqnet_fetch_hook) or the device
 * re-entered while it holds its lock (an error-checking mutex: die) is a
 * finding: its input goes under tests/fuzz-corpus/ and the bug is fixed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "uapi/virqlab_payload.h"
#include "vmm/clock.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

const char *prog_name = "virqnet-fuzz";

#define RAM_SIZE	(512u << 10)
#define NR_SLOTS	4
#define SCRATCH_SIZE	(VIRQLAB_PAYLOAD_MAX + 64)
#define MAX_OPS		512
#define IRQ_HANDLE	7

struct slot {
	bool busy;
	struct rx_buf buf;
	uint8_t scratch[SCRATCH_SIZE];
};

struct machine {
	uint8_t *ram;			/* ram_buf: a global, so ASan fences it too */
	struct virqnet *dev;
	struct slot slots[NR_SLOTS];
	uint64_t irqs, ends;
	bool irq_fails;
	struct rx_batch batch;
	uint32_t flow;
	uint64_t seq;
};

static uint8_t ram_buf[RAM_SIZE] __attribute__((aligned(4096)));

static void fail(const char *what)
{
	fuzz_fail("%s", what);
}

/* ---- the host the device is plugged into ------------------------------ */

static void *fz_gpa_to_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	struct machine *m = ctx;

	if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return m->ram + gpa;
}

static int fz_irq_route(void *ctx, uint32_t cpu, uint32_t vector)
{
	return IRQ_HANDLE;
}

static bool fz_irq_raise(void *ctx, int handle)
{
	struct machine *m = ctx;

	return fuzz_irq_raise(&m->dev->lock, handle, IRQ_HANDLE, m->irq_fails, &m->irqs);
}

static void fz_end_run(void *ctx)
{
	((struct machine *)ctx)->ends++;
}

/* ---- invariants ------------------------------------------------------- */

static void check(struct machine *m)
{
	struct virqnet *d = m->dev;
	const struct rx_counters *c = &d->c;
	static uint8_t seen[VIRQNET_MAX_QUEUES * 4096];
	uint32_t nbufs = d->nr_queues * d->ring_size;

	/* A foreign datagram delivered anyway (--accept-foreign) is in foreign and published. */
	if (c->arrivals != c->foreign + c->drop_too_big + c->published - c->foreign_published +
			   c->drop_not_ready + c->sink_delivered + c->drop_ring_full)
		fail("an arrival was not counted exactly once by where it went");
	if (c->foreign != c->foreign_published + c->foreign_dropped + c->foreign_discarded)
		fail("a foreign arrival was not counted exactly once by where it went");
	if (c->foreign_published > c->published || d->nr_foreign_lat > c->foreign_published)
		fail("more foreign datagrams published or timed than were published");
	if (c->consumed > c->published)
		fail("more descriptors consumed than published");
	if (d->nr_lat > d->max_lat)
		fail("more latency samples than room for them");
	if (!d->enabled)
		return;
	if (d->nr_free > nbufs)
		fail("more free buffers than the pool holds");
	for (unsigned int q = 0; q < d->nr_queues; q++)
		if (d->rxq[q].prod - d->rxq[q].cons > d->ring_size)
			fail("shadow indices outside the ring");
	/* Every buffer of the pool is free, in one ring, or lent: once. */
	memset(seen, 0, nbufs);
	for (uint32_t i = 0; i < d->nr_free; i++)
		if (d->free_bufs[i] >= nbufs || seen[d->free_bufs[i]]++)
			fail("a free buffer id twice or out of range");
	for (unsigned int q = 0; q < d->nr_queues; q++) {
		for (uint32_t i = d->rxq[q].cons; i != d->rxq[q].prod; i++) {
			uint32_t id = d->rxq[q].slot_buf[i & (d->ring_size - 1)];

			if (id >= nbufs || seen[id]++)
				fail("a published buffer also free, or twice in the rings");
		}
	}
	for (int s = 0; s < NR_SLOTS; s++) {
		const struct slot *sl = &m->slots[s];

		if (sl->busy && sl->buf.guest && sl->buf.gen == d->gen &&
		    (sl->buf.id >= nbufs || seen[sl->buf.id]++))
			fail("a lent buffer also free or published");
	}
	for (uint32_t i = 0; i < nbufs; i++)
		if (!seen[i])
			fail("a buffer lost: neither free, published nor lent");
}

/* ---- operations ------------------------------------------------------- */

static void mmio(struct machine *m, struct input *in, bool is_write)
{
	uint32_t off = (u8(in) % 0x60) & ~3u, len = 4, v = u32(in);
	uint8_t data[8];
	uint8_t how = u8(in);

	if (how % 16 == 0) {		/* an odd access: any offset, any size */
		off = u16(in) % VIRQNET_MMIO_SIZE;
		len = 1 + how / 16 % 8;
	}
	memcpy(data, &v, 4);
	memset(data + 4, 0, 4);
	virqnet_mmio_access(m->dev, off, data, len, is_write);
}

static void reg(struct machine *m, uint32_t off, uint32_t v)
{
	virqnet_mmio_access(m->dev, off, (uint8_t *)&v, 4, true);
}

/*
 * A layout that fits: ring at 0, flags at 0x2000, trace at 0x3000, buffers
 * from 0x4000, the latency log from 0x64000. Each field is replaced by a
 * random value one time in eight, to walk the validation's edges.
 */
static void configure(struct machine *m, struct input *in)
{
	uint8_t shape = u8(in);
	uint32_t f[14] = {
		[0] = 0, [1] = 0, [2] = 8u << (shape % 4), [3] = 0x4000, [4] = 0,
		[5] = 2048, [6] = 0x2000, [7] = 0, [8] = shape & 0x10 ? 0x64000 : 0, [9] = 0,
		[10] = shape & 0x20 ? 0x3000 : 0, [11] = 0, [12] = 32 + shape % 200, [13] = 0,
	};
	static const uint32_t regs[14] = {
		VIRQNET_REG_RING_LO, VIRQNET_REG_RING_HI, VIRQNET_REG_RING_SIZE,
		VIRQNET_REG_BUF_LO, VIRQNET_REG_BUF_HI, VIRQNET_REG_BUF_SIZE,
		VIRQNET_REG_FLAGS_LO, VIRQNET_REG_FLAGS_HI, VIRQNET_REG_LATLOG_LO,
		VIRQNET_REG_LATLOG_HI, VIRQNET_REG_TRACE_LO, VIRQNET_REG_TRACE_HI,
		VIRQNET_REG_IRQ_VECTOR, VIRQNET_REG_IRQ_CPU,
	};

	for (int i = 0; i < 14; i++) {
		if (u8(in) % 8 == 0)
			f[i] = u32(in);
		reg(m, regs[i], f[i]);
	}
	/* Queue 1 (--queues 2): its ring at 0x1000, its interrupt on vCPU 1. */
	if (m->dev->nr_queues > 1) {
		reg(m, VIRQNET_QUEUE_STRIDE + VIRQNET_REG_RING_LO, shape & 0x40 ? u32(in) : 0x1000);
		reg(m, VIRQNET_QUEUE_STRIDE + VIRQNET_REG_IRQ_VECTOR, f[12]);
		reg(m, VIRQNET_QUEUE_STRIDE + VIRQNET_REG_IRQ_CPU, shape & 0x80 ? u8(in) : 1);
	}
	reg(m, VIRQNET_REG_CTRL, VIRQNET_CTRL_ENABLE);
}

/* The guest writes its own memory: anywhere, or where the device looks. */
static void scribble(struct machine *m, struct input *in)
{
	struct virqnet *d = m->dev;
	uint8_t what = u8(in);
	uint32_t v = u32(in), *p;

	switch (what % 7) {
	case 0:
		p = (uint32_t *)(m->ram + (v % RAM_SIZE & ~3u));
		*p = u32(in);
		return;
	case 1:		/* the consumer index, near where the device expects it */
		p = d->rxq[0].ring ? &d->rxq[0].ring->cons : NULL;
		v = d->rxq[0].cons + (int8_t)(v & 0xff);
		break;
	case 2:
		p = d->flags ? &d->flags[u8(in) % 4].masked : NULL;
		v &= 1;
		break;
	case 3:
		p = d->flags ? &d->flags[u8(in) % 4].pending : NULL;
		v &= 1;
		break;
	case 4:		/* the latency log's head, a little or a lot ahead */
		p = d->latlog ? &d->latlog->head : NULL;
		v = d->lat_tail + (what & 0x80 ? v : v % 8);
		break;
	case 5:		/* the handshake trace the stall report prints */
		p = d->trace ? &d->trace->head : NULL;
		if (d->trace)
			d->trace->ent[v % VIRQNET_TRACE_SIZE] = (struct virqnet_trace_entry){
				.tsc = u64(in), .event = u8(in), .a = u32(in) };
		break;
	default:
		if (!d->latlog)
			return;
		d->latlog->ent[v % VIRQNET_LAT_LOG_SIZE] =
			(struct virqnet_lat_entry){ .seq = u8(in), .tsc = u64(in) };
		return;
	}
	if (p && (uint8_t *)p >= m->ram && (uint8_t *)p + 4 <= m->ram + RAM_SIZE)
		*p = v;
}

static void rx_start(struct machine *m, struct input *in)
{
	struct slot *s = &m->slots[u8(in) % NR_SLOTS];

	if (s->busy)
		return;
	if (!virqnet_rx_buffer(m->dev, &s->buf)) {
		s->buf.data = s->scratch;
		s->buf.cap = SCRATCH_SIZE;
	}
	s->busy = true;
}

/* What the socket delivered into the slot's buffer, then the completion. */
static void rx_complete(struct machine *m, struct input *in)
{
	struct slot *s = &m->slots[u8(in) % NR_SLOTS];
	uint8_t kind = u8(in);
	struct virqlab_payload h = {
		.magic = VIRQLAB_PAYLOAD_MAGIC, .flow = m->flow, .seq = m->seq,
	};
	struct rx_done d;
	uint32_t len, n;
	static const int errs[] = { -EAGAIN, -EINTR, -ECANCELED, -EIO, -ENOBUFS };

	if (!s->busy)
		return;
	len = kind & 0x80 ? u16(in) : 64;
	switch (kind % 8) {
	case 0:		/* a later sequence number: a gap */
		h.seq = m->seq += 1 + u8(in);
		break;
	case 1:		/* an earlier one: late */
		h.seq = m->seq - u8(in) % 16;
		break;
	case 2:
		h.flow = u32(in);
		break;
	case 3:
		h.magic = u32(in);
		break;
	case 4:
		len = u8(in) % 40;
		break;
	default:
		h.seq = m->seq++;
	}
	n = len < s->buf.cap ? len : s->buf.cap;
	memset(s->buf.data, 0xa5, n);
	memcpy(s->buf.data, &h, n < sizeof(h) ? n : sizeof(h));
	d = (struct rx_done){
		.buf = s->buf, .res = len, .rx_ns = kind & 0x40 ? 0 : 1000000000ull + h.seq,
		.sock_drops = kind & 0x20 ? (int64_t)u16(in) : -1,
		.rss_hash = (uint32_t)h.seq,	/* with 2 queues: the two in turn */
	};
	if (u8(in) % 16 == 0)
		d.res = errs[u8(in) % ARRAY_SIZE(errs)];
	s->busy = false;
	virqnet_rx_complete(m->dev, &d, kind & 0x10 ? &m->batch : NULL);
	if (m->batch.next_seq != m->dev->next_seq && kind & 0x10)
		fail("rx_batch's next_seq is not the device's");
}

/* A guest driver giving buffers back, the way its mode does (or the other way). */
static void consume(struct machine *m, struct input *in)
{
	struct virqnet *d = m->dev;
	uint32_t n = u8(in), qi = n / 128 % d->nr_queues;
	struct virqnet_rxq *q = &d->rxq[qi];
	uint32_t out = q->prod - q->cons;

	if (u8(in) % 2 && d->ops->ack) {
		reg(m, qi * VIRQNET_QUEUE_STRIDE + VIRQNET_REG_RX_ACK, n % (out + 2));
	} else if (q->ring && d->enabled) {
		q->ring->cons += n % (out + 2);
		if (d->latlog)
			for (uint32_t i = 0; i < n % 4; i++)
				d->latlog->ent[d->latlog->head++ % VIRQNET_LAT_LOG_SIZE] =
					(struct virqnet_lat_entry){ m->seq - i, u32(in) };
	}
}

/*
 * virqnet_dump() and virqnet_dump_trace(), their lines sent to /dev/null
 * (err_stream): stderr itself stays, for the sanitizers' reports.
 */
static void quietly_dump(struct machine *m, unsigned int last)
{
	static FILE *null;

	if (!null && !(null = fopen("/dev/null", "w")))
		fail("cannot open /dev/null for the dump's lines");
	err_stream = null;
	virqnet_dump(m->dev, "fuzz");
	virqnet_dump_trace(m->dev, last);
	err_stream = NULL;
}

static void step(struct machine *m, struct input *in)
{
	struct clock_anchor a = { .tsc = 0, .rt_ns = 1000000000, .tsc_khz = 1000000 };
	uint8_t op = u8(in);
	uint64_t x;
	uint32_t y, z;

	fuzz_fetch_begin();	/* one call into the device per operation */
	switch (op % 17) {
	case 0: mmio(m, in, true); break;
	case 1: mmio(m, in, false); break;
	case 2: configure(m, in); break;
	case 3: scribble(m, in); break;
	case 4: rx_start(m, in); break;
	case 5: rx_complete(m, in); break;
	case 6: {
		struct slot *s = &m->slots[u8(in) % NR_SLOTS];

		if (s->busy) {
			s->busy = false;
			virqnet_rx_cancel(m->dev, &s->buf);
		}
		break;
	}
	case 7: virqnet_tick(m->dev, u8(in) & 1); break;
	case 8: virqnet_reclaim(m->dev, &a); break;
	case 9:
		if (u8(in) & 1)
			virqnet_finish(m->dev);
		else
			virqnet_request_stop(m->dev);
		break;
	case 10: consume(m, in); break;
	case 11:
		virqnet_guest_report(m->dev, RX_REPORT_DELIVERED - 2 + u8(in) % 14, u64(in));
		break;
	case 12: m->irq_fails = !m->irq_fails; break;
	case 13: virqnet_sock_drops(m->dev, u64(in)); break;
	case 14:
		virqnet_ready(m->dev);
		virqnet_drained(m->dev);
		virqnet_progress(m->dev, &x, &x, &x, &x);
		break;
	case 15:
		virqnet_irq_target(m->dev, &y, &z);
		virqnet_ring_cons(m->dev);
		break;
	default:
		/* The stall diagnostics: they print, so only now and then. */
		if (u8(in) == 0x5a)
			quietly_dump(m, u8(in));
	}
	check(m);
}

/*
 * The modes driven here: all but those with a queue of their own (virtio,
 * last in the table), whose PCI transport this harness does not build.
 */
static unsigned int fuzzed_modes(void)
{
	unsigned int n = virqnet_nr_modes;

	while (n > 1 && virqnet_modes[n - 1].queue)
		n--;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct machine m = { 0 };
	const struct virqnet_mode_ops *ops = &virqnet_modes[u8(&in) % fuzzed_modes()];
	uint8_t setup = u8(&in);
	struct virqnet_host host = {
		.ctx = &m, .nr_vcpus = 1 + setup % 4, .gpa_to_hva = fz_gpa_to_hva,
		.irq_route = fz_irq_route, .irq_raise = fz_irq_raise, .end_run = fz_end_run,
		.error_lines = 0,
	};

	/* A fresh guest each time; a static buffer spares ASan an mmap per input. */
	m.ram = ram_buf;
	memset(ram_buf, 0, sizeof(ram_buf));
	m.flow = 0x1234;
	m.dev = virqnet_create(&host, ops, (1 + setup / 4 % 4) * 50000, 64, 64);
	m.dev->tsc_offset_ok = setup & 0x80;
	rx_foreign_init(m.dev, setup & 0x40);
	/* Two receive queues when there are two vCPUs for them, one input in two. */
	if (setup & 0x10 && host.nr_vcpus > 1)
		virqnet_set_queues(m.dev, 2);
	for (int i = 0; i < MAX_OPS && in.n; i++)
		step(&m, &in);
	/* What the input reached, for tests/host/fuzz-replay.t to see every mode run. */
	if (getenv("VIRQNET_FUZZ_SUMMARY"))
		printf("mode %s arrivals %llu published %llu consumed %llu irqs %llu suppressed "
		       "%llu coalesced %llu sink %llu guest_errors %llu ends %llu\n", ops->name,
		       (unsigned long long)m.dev->c.arrivals,
		       (unsigned long long)m.dev->c.published,
		       (unsigned long long)m.dev->c.consumed, (unsigned long long)m.irqs,
		       (unsigned long long)m.dev->c.irqs_suppressed,
		       (unsigned long long)m.dev->c.irqs_coalesced,
		       (unsigned long long)m.dev->c.sink_delivered,
		       (unsigned long long)m.dev->c.guest_errors, (unsigned long long)m.ends);
	virqnet_destroy(m.dev);
	return 0;
}
