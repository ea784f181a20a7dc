// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_fuzz.c - the virtio-net device (--mode virtio: vmm-mini/pci.c,
 * virtio_pci.c, virtio_ring.c, virtio_net.c) driven by random input,
 * without KVM: guest RAM is a buffer, the vCPU's port and MMIO exits are
 * calls into the device's registries (ioport__emulate, mmio__emulate), an
 * MSI-X message is a counter. Cloud Hypervisor's fuzz/fuzz_targets/net.rs
 * and QEMU's virtio device fuzzing are the model: the input is a program
 * of operations, each one exit or one receive, as a hostile guest and a
 * busy socket would make them:
 *
 *   PCI configuration reads and writes (the header, BARs, the MSI-X
 *   control, the PCI_CFG window: any offset, size, value), BAR0 accesses
 *   (common, ISR, device, notify; sizes 1, 2, 4, 8 and odd ones, any
 *   offset), MSI-X table and PBA accesses, a driver's bring-up perturbed
 *   step by step (features with and without VIRTIO_F_EVENT_IDX, queue
 *   sizes 0, not a power of 2, above the maximum, enable and reset in any
 *   order), the split virtqueues in guest memory (avail idx and entries,
 *   descriptors with any addr, len, flags and next, loops, used_event,
 *   NO_INTERRUPT), and datagrams arriving, completing, failing or being
 *   cancelled in between: the device's completion entry point.
 *
 * After every operation the harness checks what must hold whatever the
 * guest did: the device wrote only into a used ring or into a buffer it
 * holds or just returned (a shadow of guest RAM, compared), its host
 * pointers lie in guest RAM, the used index moved by at most the queue
 * size and only by what was published, every chain it holds is stashed
 * or lent exactly once, every arrival is counted once by where it went,
 * interrupts go only through an enabled, unmasked MSI-X vector with the
 * lock held. A failure, a sanitizer report, a double fetch (fetch.c) or a
 * re-entered device (the error-checking lock) is a finding: its input goes
 * under tests/fuzz-corpus/virtio/ and the bug is fixed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "uapi/virqlab_payload.h"
#include "vmm/clock.h"
#include "vmm/devices.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"
#include "vmm/virtio.h"

const char *prog_name = "virtio-fuzz";

#define RAM_SIZE	(128u << 10)
#define CHUNK		1024u
#define NR_SLOTS	4
#define SCRATCH_SIZE	(VIRQLAB_PAYLOAD_MAX + 64)
#define MAX_OPS		384
#define IRQ_HANDLE	11
#define BUF_GPA		0x10000u	/* receive buffers: 0x10000..RAM_SIZE */
#define PCI_ADDR_PORT	0xcf8
#define PCI_DATA_PORT	0xcfc
#define CAP_MSIX	0x40		/* virtio_pci.c's layout */
#define CAP_PCI_CFG	0x98

/* Where a well-behaved driver puts each queue (rx, tx): all inside RAM for size 1024. */
static const uint64_t q_gpa[2][3] = {
	{ 0x0000, 0x4000, 0x5000 },
	{ 0x8000, 0xc000, 0xd000 },
};

struct slot {
	bool busy;
	uint32_t gen;			/* the device's generation when it was armed */
	struct rx_buf buf;
	uint8_t scratch[SCRATCH_SIZE];
};

struct machine {
	struct virqnet *dev;
	struct virtio_net *n;
	struct slot slots[NR_SLOTS];
	uint64_t irqs, completed;
	bool irq_fails;
	uint32_t flow;
	uint64_t seq;
	uint16_t cursor[2];		/* the driver's next descriptor, per queue */
	uint16_t last_used[2];		/* the driver's view of each used ring */
	/* What the last check saw, to judge one operation's effect. */
	struct vq_chain *chains;
	uint32_t gen;
	uint16_t used_idx;
	bool enabled;
	uint64_t published, refused;
	const void *used_ok[2];		/* the used ring last allowed, per queue, */
	uint16_t used_ok_size[2];	/* and its size */
	uint32_t steps;
};

/* Guest RAM, its shadow (what the guest and the socket wrote), both fenced by ASan. */
static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static uint8_t shadow[RAM_SIZE];

/* ---- the guest and the socket write RAM through these ----------------- */

static void gput(uint64_t gpa, const void *p, size_t len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return;
	memcpy(ram + gpa, p, len);
	memcpy(shadow + gpa, p, len);
}

static void gput16(uint64_t gpa, uint16_t v)
{
	gput(gpa, &v, 2);
}

static uint16_t gget16(uint64_t gpa)
{
	uint16_t v = 0;

	if (gpa < RAM_SIZE - 1)
		memcpy(&v, ram + gpa, 2);
	return v;
}

/* ---- the host the device is plugged into ------------------------------ */

/* As kvm.c's gpa_to_hva: [gpa, gpa + len) inside RAM, no overflow. */
static void *fz_gpa_to_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return ram + gpa;
}

static int fz_irq_route(void *ctx, uint32_t cpu, uint32_t vector)
{
	struct machine *m = ctx;

	if (cpu >= m->dev->host.nr_vcpus || vector < 32 || vector > 255)
		fuzz_fail("irq_route asked for vector %u on vCPU %u", vector, cpu);
	return IRQ_HANDLE;
}

static bool fz_irq_raise(void *ctx, int handle)
{
	struct machine *m = ctx;
	const struct virtio_pci *vp = &m->n->vp;

	if (!vp->msix_enabled || vp->msix_masked)
		fuzz_fail("an MSI-X message sent with MSI-X %s", vp->msix_masked ? "masked" : "off");
	return fuzz_irq_raise(&m->dev->lock, handle, IRQ_HANDLE, m->irq_fails, &m->irqs);
}

static void fz_end_run(void *ctx)
{
	fuzz_fail("end_run called in a mode with a guest driver");
}

/* ---- invariants ------------------------------------------------------- */

static bool in_ram(const void *p, uint64_t len)
{
	const uint8_t *b = p;

	return b >= ram && b <= ram + RAM_SIZE && len <= (uint64_t)(ram + RAM_SIZE - b);
}

/*
 * Where the device may write, as it went (a used ring it had, a chain it
 * used): a byte map over the input, checked every few steps.
 */
static uint8_t okmap[RAM_SIZE];

static void allow(struct machine *m, const void *p, uint64_t len)
{
	if (!in_ram(p, len))
		fuzz_fail("the device holds %llu bytes at %p, outside guest RAM",
			  (unsigned long long)len, p);
	memset(okmap + ((const uint8_t *)p - ram), 1, len);
}

static void allow_chain(struct machine *m, const struct vq_chain *c)
{
	if (c->nseg > VQ_MAX_SEGS)
		fuzz_fail("a chain of %u segments", c->nseg);
	for (uint16_t i = 0; i < c->nseg; i++)
		allow(m, c->seg[i].iov_base, c->seg[i].iov_len);
}

/* Where guest RAM and its shadow first differ from byte at on: plain words, no instrumentation. */
#ifdef __clang__
__attribute__((no_sanitize("address", "undefined", "coverage")))
#else
__attribute__((no_sanitize("address", "undefined")))
#endif
static uint32_t next_diff(uint32_t at)
{
	const uint64_t *r = (const uint64_t *)ram, *s = (const uint64_t *)shadow;

	for (uint32_t w = at / 8; w < RAM_SIZE / 8; w++)
		if (r[w] != s[w])
			return w * 8;
	return RAM_SIZE;
}

/*
 * Every byte the device changed lies where it was allowed to write at some
 * point of this input (okmap), or in a chain it still holds. Then the
 * shadow catches up.
 */
static void check_writes(struct machine *m)
{
	const struct virtq *vq = &m->n->vp.vq[VIRTIO_NET_RXQ];

	for (int h = 0; vq->enabled && h < vq->size; h++)
		if (vq->chains[h].held)
			allow_chain(m, &vq->chains[h]);
	for (uint32_t at = next_diff(0); at < RAM_SIZE; at = next_diff(at + 8)) {
		for (uint32_t i = at; i < at + 8; i++)
			if (ram[i] != shadow[i] && !okmap[i])
				fuzz_fail("the device wrote guest RAM at 0x%x, outside every used ring "
					  "and buffer it was given", i);
		memcpy(shadow + at, ram + at, 8);
	}
}

/*
 * After every exit and every receive: the counters, the used index, the
 * queues' parts; and what the device may write in this step.
 */
static void check_exit(struct machine *m)
{
	const struct rx_counters *c = &m->dev->c;
	const struct virtio_net *n = m->n;
	const struct virtq *vq = &n->vp.vq[VIRTIO_NET_RXQ];
	uint16_t old_used = m->used_idx;
	bool same = vq->enabled && m->enabled && vq->chains == m->chains && n->gen == m->gen;

	if (c->arrivals != c->foreign + c->drop_too_big + c->published + c->drop_not_ready +
			   c->sink_delivered + c->drop_ring_full)
		fuzz_fail("an arrival was not counted exactly once by where it went");
	if (c->arrivals != m->completed)
		fuzz_fail("%llu datagrams completed, %llu arrivals counted",
			  (unsigned long long)m->completed, (unsigned long long)c->arrivals);
	/* What was published went into the used ring, one entry each, no more. */
	if (same) {
		uint16_t moved = vq->used_idx - old_used;

		if (moved > vq->size)
			fuzz_fail("used idx moved by %u in one call, queue size %u", moved, vq->size);
		/* ... and each chain refused as too small, given back with length 0. */
		if (moved != c->published - m->published + n->rx_refused - m->refused)
			fuzz_fail("%llu published and %llu refused, used idx moved by %u",
				  (unsigned long long)(c->published - m->published),
				  (unsigned long long)(n->rx_refused - m->refused), moved);
		for (uint16_t i = old_used; i != vq->used_idx; i++) {
			uint32_t id = vq->used->ring[i & (vq->size - 1)].id;

			if (id >= vq->size)
				fuzz_fail("used entry %u: id %u beyond size %u", i, id, vq->size);
			allow_chain(m, &vq->chains[id]);
		}
	} else if (c->published != m->published) {
		fuzz_fail("published into a queue that was reset or enabled meanwhile");
	}
	for (int q = 0; q < VIRTIO_NET_NR_QUEUES; q++) {
		const struct virtq *v = &n->vp.vq[q];

		if (!v->enabled)
			continue;
		if (!in_ram(v->desc, VIRTQ_DESC_BYTES(v->size)) ||
		    !in_ram(v->avail, VIRTQ_AVAIL_BYTES(v->size)) ||
		    !v->size || (v->size & (v->size - 1)))
			fuzz_fail("queue %d enabled with a part outside guest RAM or size %u", q,
				  v->size);
		if (m->used_ok[q] != v->used || m->used_ok_size[q] != v->size) {
			allow(m, v->used, VIRTQ_USED_BYTES(v->size));
			m->used_ok[q] = v->used;
			m->used_ok_size[q] = v->size;
		}
	}
	m->chains = vq->chains;
	m->gen = n->gen;
	m->used_idx = vq->used_idx;
	m->enabled = vq->enabled;
	m->published = c->published;
	m->refused = n->rx_refused;
}

/* Once a step: where every chain the device holds is, and what it wrote. */
static void check_step(struct machine *m, bool final)
{
	const struct virtio_net *n = m->n;
	const struct virtq *vq = &n->vp.vq[VIRTIO_NET_RXQ];
	static uint8_t seen[VIRTIO_NET_QUEUE_MAX];
	uint32_t held = 0;

	check_exit(m);
	if (m->steps++ % 32 == 0 || final)
		check_writes(m);
	if (n->nr_stash > VIRTIO_NET_QUEUE_MAX)
		fuzz_fail("stash of %u", n->nr_stash);
	if (!vq->enabled)
		return;
	/* Every held chain is stashed or lent, once; nothing else is held. */
	memset(seen, 0, vq->size);
	for (uint32_t i = 0; i < n->nr_stash; i++)
		if (n->stash[i] >= vq->size || !vq->chains[n->stash[i]].held || seen[n->stash[i]]++)
			fuzz_fail("stash entry %u: head %u not held, or twice", i, n->stash[i]);
	for (int s = 0; s < NR_SLOTS; s++) {
		const struct rx_buf *b = &m->slots[s].buf;

		if (m->slots[s].busy && b->guest && b->gen == n->gen &&
		    (b->id >= vq->size || !vq->chains[b->id].held || seen[b->id]++))
			fuzz_fail("lent head %u not held, or also stashed or lent", b->id);
	}
	for (uint32_t h = 0; h < vq->size; h++) {
		held += vq->chains[h].held;
		/* Live: nothing lost. Not live (FAILED, NEEDS_RESET): the driver must reset. */
		if (vq->chains[h].held && !seen[h] && virtio_pci_live(&n->vp))
			fuzz_fail("head %u held, neither stashed nor lent", h);
	}
	if (held != (uint16_t)(vq->last_avail - vq->used_idx))
		fuzz_fail("%u chains held, %u taken and not used", held,
			  (uint16_t)(vq->last_avail - vq->used_idx));
}

/* ---- exits: port I/O, MMIO -------------------------------------------- */

static struct machine *cur;

/* One call into the device is over: check it, and start the next one's fetches afresh. */
static void settle(void)
{
	check_exit(cur);
	fuzz_fetch_begin();
}

static void pio(uint16_t port, void *data, uint32_t len, bool is_write)
{
	ioport__emulate(NULL, port, data, len, 1, is_write);
	settle();
}

static void cfg_access(uint32_t off, uint32_t len, uint32_t v, bool is_write, uint8_t fn)
{
	uint32_t a = 0x80000000u | VIRTIO_PCI_SLOT << 11 | (off & 0xfc) | (uint32_t)fn << 8;

	pio(PCI_ADDR_PORT, &a, 4, true);
	pio(PCI_DATA_PORT + (off & 3), &v, len, is_write);
}

static void bar_access(uint64_t gpa, uint32_t len, uint64_t v, bool is_write)
{
	uint8_t d[8];

	memcpy(d, &v, 8);
	mmio__emulate(NULL, gpa, d, len, is_write);
	settle();
}

static void common_w(uint32_t off, uint32_t len, uint64_t v)
{
	bar_access(VIRTIO_PCI_BAR0_GPA + VIRTIO_BAR0_COMMON + off, len, v, true);
}

static uint32_t common_r(uint32_t off, uint32_t len)
{
	uint8_t d[8] = { 0 };
	uint32_t v;

	mmio__emulate(NULL, VIRTIO_PCI_BAR0_GPA + off, d, len, false);
	settle();
	memcpy(&v, d, 4);
	return v;
}

static uint32_t any_len(struct input *in)
{
	static const uint8_t lens[] = { 1, 2, 4, 8, 4, 2, 3, 0, 6 };	/* KVM_EXIT_MMIO: at most 8 */
	uint8_t l = u8(in);

	return l < 0xf0 ? lens[l % ARRAY_SIZE(lens)] : l % 9;
}

static void op_cfg(struct input *in, bool is_write)
{
	uint8_t how = u8(in);
	uint32_t off = u8(in), len = (uint32_t[]){ 1, 2, 4, 4 }[how & 3], v = u32(in);

	switch (how >> 2 & 7) {
	case 0:		/* memory decoding and bus mastering, as a driver sets them */
		off = PCI_COMMAND, len = 2, v &= 0x0406;
		break;
	case 1:		/* MSI-X enable and mask-all */
		off = CAP_MSIX + 2, len = 2, v &= 0xc000;
		break;
	case 2:		/* the PCI_CFG window: bar, offset, length, data */
		off = CAP_PCI_CFG + 4 + 4 * (u8(in) % 4), len = 4;
		break;
	case 3:		/* a BAR, as a driver sizes or moves it */
		off = PCI_BAR0 + 4 * (u8(in) % 6), len = 4;
		break;
	}
	if (off + len > 256 || (off & (len - 1)))
		len = 1;
	if (u8(in) == 0xfe)	/* now and then, not a configuration cycle at all */
		pio(PCI_ADDR_PORT + u8(in) % 4, &v, 1 + u8(in) % 2, is_write);
	else
		cfg_access(off, len, v, is_write, how >> 5 == 7 ? u8(in) : 0);
}

static void op_bar0(struct input *in, bool is_write)
{
	uint8_t where = u8(in);
	uint32_t len = any_len(in), off;
	uint64_t v = u64(in);

	switch (where % 8) {
	case 0: case 1: case 2:
		off = VIRTIO_BAR0_COMMON + u8(in) % (VIRTIO_COMMON_SIZE + 8);
		break;
	case 3:
		off = VIRTIO_BAR0_ISR + u8(in) % 4;
		break;
	case 4:
		off = VIRTIO_BAR0_DEVICE + u8(in) % 16;
		break;
	case 5:
		off = VIRTIO_BAR0_NOTIFY + u8(in) % 12;
		break;
	default:
		off = u16(in) % (VIRTIO_PCI_BAR0_SIZE + 64);
	}
	if (where & 0x80)	/* anywhere in the PCI hole */
		bar_access(VIRTIO_PCI_HOLE_GPA + u32(in) % (VIRTIO_PCI_HOLE_SIZE + 16), len, v,
			   is_write);
	else
		bar_access(VIRTIO_PCI_BAR0_GPA + off, len, v, is_write);
}

/* The MSI-X table and PBA (BAR1); valid messages are what a driver writes. */
static void op_msix(struct machine *m, struct input *in)
{
	uint8_t how = u8(in);
	uint32_t e = u8(in) % (VIRTIO_MSIX_VECTORS + 1), v = u32(in), off = 16 * e + 4 * (how & 3);
	uint32_t len = 4;

	if ((how >> 2 & 3) == 0)	/* a valid message to one of the vCPUs */
		v = (how & 3) == 0 ? 0xfee00000u | (v % (m->dev->host.nr_vcpus + 1)) << 12 :
		    (how & 3) == 1 ? 0 : (how & 3) == 2 ? 32 + v % 224 : v & 1;
	if ((how >> 4 & 3) == 0)
		off = VIRTIO_MSIX_PBA + 4 * (how >> 6 & 1);
	if ((how >> 4 & 3) == 1)
		off = u16(in) % VIRTIO_PCI_BAR1_SIZE, len = any_len(in);
	bar_access(VIRTIO_PCI_BAR1_GPA + off, len, v, !(how & 0x40) || (how >> 4 & 3) != 0);
}

/*
 * A driver's bring-up (3.1.1), every step perturbed one time in eight:
 * reset, ACKNOWLEDGE | DRIVER, features, FEATURES_OK, both queues laid
 * out and enabled (any size), DRIVER_OK, MSI-X on with a vector per queue.
 */
static bool sometimes(struct input *in)
{
	return u8(in) % 8 == 0;
}

static void op_bringup(struct machine *m, struct input *in)
{
	static const uint16_t sizes[] = { 256, 1, 2, 8, 16, 64, 1024, 0, 3, 100, 1025, 2048, 0xffff };
	uint8_t shape = u8(in);
	uint64_t feat = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
			(shape & 1 ? VIRTIO_BIT(VIRTIO_F_EVENT_IDX) : 0);

	if (!(shape & 2))
		common_w(VIRTIO_COMMON_STATUS, 1, 0);
	common_w(VIRTIO_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	if (sometimes(in))
		feat = u64(in);
	common_w(VIRTIO_COMMON_GFSELECT, 4, 0);
	common_w(VIRTIO_COMMON_GF, 4, (uint32_t)feat);
	common_w(VIRTIO_COMMON_GFSELECT, 4, 1);
	common_w(VIRTIO_COMMON_GF, 4, feat >> 32);
	common_w(VIRTIO_COMMON_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		 VIRTIO_STATUS_FEATURES_OK);
	for (uint16_t q = 0; q < 2; q++) {
		uint16_t size = shape & 4 ? sizes[u8(in) % ARRAY_SIZE(sizes)] : 256;
		uint64_t gpa[3] = { q_gpa[q][0], q_gpa[q][1], q_gpa[q][2] };

		if (shape & 0x80 && q == 0)
			continue;	/* the receive queue is left as it was */
		common_w(VIRTIO_COMMON_Q_SELECT, 2, sometimes(in) ? u16(in) : q);
		common_w(VIRTIO_COMMON_Q_SIZE, 2, size);
		for (int i = 0; i < 3; i++) {
			if (sometimes(in))
				gpa[i] = u8(in) & 1 ? u64(in) : gpa[i] + (int8_t)u8(in);
			common_w(VIRTIO_COMMON_Q_DESCLO + 8 * i, shape & 8 ? 8 : 4, gpa[i]);
			if (!(shape & 8))
				common_w(VIRTIO_COMMON_Q_DESCHI + 8 * i, 4, gpa[i] >> 32);
		}
		common_w(VIRTIO_COMMON_Q_MSIX, 2, sometimes(in) ? u16(in) : 1 + q);
		if (!(shape & 0x10))
			common_w(VIRTIO_COMMON_Q_ENABLE, 2, sometimes(in) ? u16(in) : 1);
		m->cursor[q] = m->last_used[q] = 0;
	}
	common_w(VIRTIO_COMMON_MSIX, 2, 0);
	if (!(shape & 0x20))
		common_w(VIRTIO_COMMON_STATUS, 1, sometimes(in) ? u8(in) :
			 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	if (!(shape & 0x40)) {
		cfg_access(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, true, 0);
		for (uint32_t v = 0; v < VIRTIO_MSIX_VECTORS; v++) {
			uint32_t msg[4] = { 0xfee00000u | (v % m->dev->host.nr_vcpus) << 12, 0,
					    0x40 + v, 0 };

			for (int i = 0; i < 4; i++)
				bar_access(VIRTIO_PCI_BAR1_GPA + 16 * v + 4 * i, 4, msg[i], true);
		}
		cfg_access(CAP_MSIX + 2, 2, 0x8000 | (VIRTIO_MSIX_VECTORS - 1), true, 0);
	}
}

/* ---- the guest's side of the split virtqueues (2.7) ------------------- */

static const struct virtq *queue(struct machine *m, int q)
{
	const struct virtq *vq = &m->n->vp.vq[q];

	return vq->enabled ? vq : NULL;
}

/*
 * Chains made available: device-writable ones for receive, readable ones
 * for transmit, 1..3 descriptors each, each field now and then anything
 * (INDIRECT, the wrong direction, an address past RAM or one whose
 * addr + len wraps, a next that loops or leaves the table); then avail idx
 * moves by the number posted, or by anything.
 */
static void op_post(struct machine *m, struct input *in, int q)
{
	const struct virtq *vq = queue(m, q);
	uint8_t k = 1 + u8(in) % 8, how = u8(in);
	uint16_t idx;

	if (!vq)
		return;
	idx = gget16(vq->avail_gpa + 2);
	for (uint8_t c = 0; c < k; c++) {
		uint16_t head = how & 0x80 ? u16(in) % vq->size : m->cursor[q] % vq->size;
		uint8_t nd = 1 + u8(in) % 3;
		uint16_t i = head;

		for (uint8_t j = 0; j < nd; j++) {
			uint16_t next = (i + 1) % vq->size;
			struct virtq_desc d = {
				.addr = BUF_GPA + (uint32_t)i * 1536 % (RAM_SIZE - BUF_GPA - 4096),
				.len = how & 0x40 ? 64 + u8(in) * 8 : 1536,
				.flags = (q == VIRTIO_NET_RXQ ? VIRTQ_DESC_F_WRITE : 0) |
					 (j + 1 < nd ? VIRTQ_DESC_F_NEXT : 0),
				.next = next,
			};

			if (sometimes(in)) {
				switch (u8(in) % 8) {
				case 0: d.addr = u64(in); break;
				case 1: d.addr = RAM_SIZE - u8(in); break;
				case 2: d.addr = UINT64_MAX - u8(in); d.len = 0x1000; break;
				case 3: d.len = u32(in); break;
				case 4: d.flags = u16(in); break;
				case 5: d.next = head; d.flags |= VIRTQ_DESC_F_NEXT; break;
				case 6: d.next = u16(in); break;
				default: d.len = 0;
				}
			}
			gput(vq->desc_gpa + 16ull * i, &d, sizeof(d));
			i = next;
		}
		m->cursor[q] = i;
		gput16(vq->avail_gpa + 4 + 2ull * (idx % vq->size), head);
		idx++;
	}
	if (sometimes(in))
		idx += u16(in);
	gput16(vq->avail_gpa + 2, idx);
}

/*
 * The driver takes what was used and re-arms (2.7.7, 2.7.10): used_event
 * at the next index it will read, or anywhere; NO_INTERRUPT on or off;
 * now and then a write anywhere in the queue's parts, or in RAM.
 */
static void op_guest(struct machine *m, struct input *in)
{
	int q = u8(in) & 1;
	const struct virtq *vq = queue(m, q);
	uint8_t how = u8(in);
	uint32_t v = u32(in);

	if (how % 8 == 7 || !vq) {
		uint32_t at = v % RAM_SIZE & ~1u;

		gput(at, &(uint32_t){ u32(in) }, at + 4 <= RAM_SIZE ? 4 : 2);
		return;
	}
	switch (how % 8) {
	case 0: case 1: case 2:
		m->last_used[q] = gget16(vq->used_gpa + 2);
		gput16(vq->avail_gpa + 4 + 2ull * vq->size, m->last_used[q] + (how & 0x80 ? v : 0));
		break;
	case 3:
		gput16(vq->avail_gpa, v & 1);		/* VIRTQ_AVAIL_F_NO_INTERRUPT */
		break;
	case 4:
		gput16(vq->avail_gpa + 4 + 2ull * (v % (vq->size + 1)), v >> 16);
		break;
	case 5:
		gput(vq->desc_gpa + 16ull * (v % vq->size) + 4 * (how >> 6), &(uint32_t){ u32(in) },
		     4);
		break;
	default:
		gput(vq->used_gpa + 2ull * (v % (4 * vq->size + 3)), &(uint16_t){ u16(in) }, 2);
	}
}

static void notify(int q, uint32_t v)
{
	bar_access(VIRTIO_PCI_BAR0_GPA + VIRTIO_BAR0_NOTIFY + VIRTIO_NOTIFY_MULTIPLIER * q, 2, v,
		   true);
}

/* ---- the socket: receives lent, completed, cancelled ------------------ */

static void rx_start(struct machine *m, struct slot *s)
{
	if (s->busy)
		return;
	if (!virqnet_rx_buffer(m->dev, &s->buf)) {
		s->buf.data = s->scratch;
		s->buf.cap = SCRATCH_SIZE;
	} else if (s->buf.cap < sizeof(struct virqlab_payload)) {
		/* It would take every datagram and drop it, first in the LIFO stash each time. */
		fuzz_fail("lent head %u with room for %u bytes: no datagram fits", s->buf.id,
			  s->buf.cap);
	}
	s->gen = m->n->gen;
	s->busy = true;
	settle();
}

/* What the socket wrote into the buffer (guest RAM when lent in place). */
static void deliver(struct slot *s, const void *p, uint32_t n)
{
	uint8_t *d = s->buf.data;

	if (d >= ram && d < ram + RAM_SIZE)
		gput(d - ram, p, n);
	else
		memcpy(d, p, n);
}

static void rx_complete(struct machine *m, struct slot *s, struct input *in)
{
	uint8_t kind = u8(in);
	struct virqlab_payload h = { .magic = VIRQLAB_PAYLOAD_MAGIC, .flow = m->flow };
	static uint8_t body[1 << 16];	/* len is 16 bits */
	struct rx_done d;
	uint32_t len = 64, n;
	uint64_t published;

	if (!s->busy)
		return;
	switch (kind % 8) {
	case 0: len = u16(in); break;		/* any length, past the buffer too */
	case 1: len = u8(in) % 40; break;	/* shorter than the header */
	case 2: h.magic = u32(in); break;	/* not ours */
	case 3: len = 1400 + u8(in) * 8; break;
	}
	h.seq = kind & 0x20 ? m->seq - u8(in) % 8 : m->seq++;
	n = len < s->buf.cap ? len : s->buf.cap;
	memset(body, 0x5a, n);
	memcpy(body, &h, n < sizeof(h) ? n : sizeof(h));
	deliver(s, body, n);
	d = (struct rx_done){ .buf = s->buf, .res = (int)len, .rx_ns = 1000000000ull + h.seq,
			      .sock_drops = -1 };
	if (kind & 0x40 && u8(in) % 4 == 0)
		d.res = (int[]){ -EAGAIN, -EINTR, -ECANCELED, -EIO }[u8(in) % 4];
	if (d.res >= 0)
		m->completed++;
	s->busy = false;
	published = m->dev->c.published;
	virqnet_rx_complete(m->dev, &d, NULL);
	/* virtio 1.2, 2.4: a reset forgets what the device held, a receive in flight too. */
	if (m->dev->c.published != published && s->gen != m->n->gen)
		fuzz_fail("a datagram received before a reset was published after it");
	settle();
}

/*
 * The device's warnings and dumps (err_stream) are counted, not shown:
 * stderr stays for the sanitizers and the findings. Whatever the guest
 * does, the device prints a bounded few lines (guest errors: error_lines,
 * 0 here; a failing irqfd: once); the dumps the harness asks for are not
 * the guest's doing.
 */
#define MAX_LINES	8
static unsigned int lines;
static bool dumping;

static ssize_t count_lines(void *cookie, const char *buf, size_t size)
{
	for (size_t i = 0; i < size && !dumping; i++)
		lines += buf[i] == '\n';
	return size;
}

static void quiet(void)
{
	static FILE *counter;

	if (!counter && !(counter = fopencookie(NULL, "w", (cookie_io_functions_t){
			.write = count_lines })))
		fuzz_fail("cannot make a stream for the device's warnings");
	setvbuf(counter, NULL, _IONBF, 0);
	err_stream = counter;
	lines = 0;
}

static bool trace;	/* VIRTIO_FUZZ_TRACE=1: each operation on stderr */

static void step(struct machine *m, struct input *in)
{
	uint8_t op = u8(in);
	struct slot *s = &m->slots[(op >> 5) % NR_SLOTS];
	uint64_t x;

	fuzz_fetch_begin();	/* and again after every call into the device: settle() */
	if (trace)
		fprintf(stderr, "op %u (%u)\n", op % 20, op);
	switch (op % 20) {
	case 0: op_cfg(in, true); break;
	case 1: op_cfg(in, false); break;
	case 2: op_bar0(in, true); break;
	case 3: op_bar0(in, false); break;
	case 4: op_msix(m, in); break;
	case 5: op_bringup(m, in); break;
	case 6: case 7: op_post(m, in, VIRTIO_NET_RXQ); break;
	case 8: op_post(m, in, VIRTIO_NET_TXQ); notify(VIRTIO_NET_TXQ, VIRTIO_NET_TXQ); break;
	case 9: notify(VIRTIO_NET_RXQ, u8(in) % 8 ? VIRTIO_NET_RXQ : u16(in)); break;
	case 10: op_guest(m, in); break;
	case 11: rx_start(m, s); break;
	case 12: case 13: rx_complete(m, s, in); break;
	case 14:	/* a receive lent and completed at once: the busy path */
		rx_start(m, s);
		rx_complete(m, s, in);
		break;
	case 15:
		if (s->busy) {
			s->busy = false;
			virqnet_rx_cancel(m->dev, &s->buf);
			settle();
		}
		break;
	case 16:	/* a reset between any two steps, and its orderings */
		common_w(VIRTIO_COMMON_STATUS, 1, u8(in) % 4 ? 0 : u8(in));
		break;
	case 17: m->irq_fails = !m->irq_fails; break;
	case 18:
		if (u8(in) % 4 == 0)
			virqnet_finish(m->dev);
		settle();
		virqnet_ready(m->dev);
		virqnet_drained(m->dev);
		settle();
		virqnet_progress(m->dev, &x, &x, &x, &x);
		break;
	default:
		if (u8(in) == 0x5a) {
			dumping = true;
			virqnet_dump(m->dev, "fuzz");
			dumping = false;
		}
		else
			common_r(VIRTIO_COMMON_Q_ENABLE, 2);
	}
	check_step(m, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	static struct machine m;
	uint8_t setup = u8(&in);
	const struct virqnet_host host = {
		.ctx = &m, .nr_vcpus = 1 + setup % 4, .gpa_to_hva = fz_gpa_to_hva,
		.irq_route = fz_irq_route, .irq_raise = fz_irq_raise, .end_run = fz_end_run,
		.error_lines = 0,
	};
	uint32_t zero = 0;

	trace = getenv("VIRTIO_FUZZ_TRACE");
	quiet();
	memset(&m, 0, sizeof(m));
	memset(ram, 0, sizeof(ram));
	memset(shadow, 0, sizeof(shadow));
	memset(okmap, 0, sizeof(okmap));
	m.flow = 0x4242;
	m.dev = virqnet_create(&host, virqnet_mode_find("virtio"), 0, 64, 64);
	m.dev->queue = m.n = virtio_net_queue.attach(m.dev, NULL);
	cur = &m;
	pio(PCI_ADDR_PORT, &zero, 4, true);	/* the bus's address latch: not the last input's */
	check_step(&m, false);
	for (int i = 0; i < MAX_OPS && in.n; i++)
		step(&m, &in);
	for (int s = 0; s < NR_SLOTS; s++)
		if (m.slots[s].busy) {
			m.slots[s].busy = false;
			virqnet_rx_cancel(m.dev, &m.slots[s].buf);
		}
	check_step(&m, true);
	if (lines > MAX_LINES)
		fuzz_fail("the device printed %u lines for one input: a guest could fill the log",
			  lines);
	/* What the input reached, for tests/host/fuzz-replay.t. */
	if (getenv("VIRQNET_FUZZ_SUMMARY"))
		printf("virtio arrivals %llu published %llu irqs %llu suppressed %llu guest_errors "
		       "%llu event_idx %d kicks %llu\n", (unsigned long long)m.dev->c.arrivals,
		       (unsigned long long)m.dev->c.published, (unsigned long long)m.irqs,
		       (unsigned long long)m.dev->c.irqs_suppressed,
		       (unsigned long long)m.dev->c.guest_errors,
		       virtio_pci_negotiated(&m.n->vp, VIRTIO_F_EVENT_IDX),
		       (unsigned long long)m.n->vp.vq[VIRTIO_NET_TXQ].kicks);
	virtio_net_detach(m.dev);
	virqnet_destroy(m.dev);
	return 0;
}
