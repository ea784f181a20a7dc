// SPDX-License-Identifier: GPL-2.0
/*
 * virqnet.c - the conventional driver for the virqnet receive device.
 *
 * One MSI per arrival. The interrupt handler, in ring 0, EOIs, asks the
 * device through its registers what arrived (STATUS, HEAD_LEN, HEAD_BUF: an
 * exit each), copies the datagram out of the DMA buffer into a kernel queue
 * and acknowledges it (RX_ACK: another exit). The application receives
 * each datagram with a system call and a second copy. This is the baseline
 * the masked direct-read method is measured against; the method itself is a
 * separate, small patch (virqnet_mask_direct.c) hooked in at probe time.
 *
 * Several queues (the device's NR_QUEUES): queue q's registers are window q
 * (uapi/virqnet.h), its interrupt goes to vCPU q, and the handler on vCPU q
 * pulls queue q into that queue's share of the kernel queue, which the
 * application on vCPU q receives from: nothing is shared between vCPUs but
 * the device, as with a multi-queue NIC's per-queue NAPI contexts.
 */
#include "kernel/virqnet.h"
#include "kernel/virtio.h"

#define REG(off) (VIRQNET_MMIO_GPA + (off))
#define QREG(q, off) (VIRQNET_MMIO_GPA + (q) * VIRQNET_QUEUE_STRIDE + (off))
#define SKQ_SIZE VIRQNET_RING_SIZE
#define RING_BYTES (sizeof(struct virqnet_ring) + VIRQNET_RING_SIZE * sizeof(struct virqnet_desc))

static uint8_t ring_mem[VIRQNET_MAX_QUEUES_GUEST][RING_BYTES] __attribute__((aligned(64)));
static uint8_t bufs[VIRQNET_RING_SIZE][VIRQNET_BUF_SIZE] __attribute__((aligned(64)));
static struct virqnet_vcpu_flags flags[MAX_CPUS];
static struct virqnet_lat_log latlog __attribute__((aligned(64)));

struct virqnet_view virqnet;
volatile uint64_t virqnet_irqs;

/*
 * The kernel's receive queue ("socket buffer"): copies, in arrival order,
 * SKQ_SIZE / nr_queues entries for each queue, each touched only by its
 * queue's vCPU.
 */
static struct {
	uint32_t len;
	uint8_t data[VIRQNET_BUF_SIZE];
} skq[SKQ_SIZE];
static struct skq_queue {
	uint32_t head, tail, size, first;
	bool stop_seen, throttled;
} skqs[VIRQNET_MAX_QUEUES_GUEST];

/*
 * Pull what the device has into the kernel queue, through registers. When
 * the queue is full, stop and leave the rest in the device's ring: the
 * device then runs out of buffers and counts its drops, so every datagram
 * stays accounted for.
 */
static void virqnet_pull(uint32_t q)
{
	struct skq_queue *k = &skqs[q];

	for (;;) {
		uint32_t st, len, buf, e;

		if (k->head - k->tail == k->size) {
			k->throttled = true;
			return;
		}
		st = readl(QREG(q, VIRQNET_REG_STATUS));
		if (!(st & VIRQNET_STATUS_RX)) {
			if (st & VIRQNET_STATUS_STOP)
				k->stop_seen = true;
			return;
		}
		len = readl(QREG(q, VIRQNET_REG_HEAD_LEN));
		buf = readl(QREG(q, VIRQNET_REG_HEAD_BUF));
		GUEST_ASSERT(buf < VIRQNET_RING_SIZE && len <= VIRQNET_BUF_SIZE);
		e = k->first + k->head % k->size;
		skq[e].len = len;
		memcpy(skq[e].data, bufs[buf], len);
		k->head++;
		writel(QREG(q, VIRQNET_REG_RX_ACK), 1);
	}
}

/*
 * EOI first, as Linux's handle_edge_irq acknowledges an edge MSI before the
 * driver's handler runs: the vector is free again while the registers are
 * read, and KVM's PV EOI offer (arch/apic.c) is still standing, since any
 * exit taken before the EOI would withdraw it.
 */
static void virqnet_isr(struct irq_frame *f)
{
	__atomic_fetch_add(&virqnet_irqs, 1, __ATOMIC_RELAXED);
	apic_eoi();
	virqnet_pull(this_cpu()->cpu);	/* queue q's interrupt is vCPU q's */
}

/* recv(buf, cap): the next datagram's length, or 0 once the run is over. */
static long sys_rx_recv(long ubuf, long cap, long unused)
{
	uint32_t q = this_cpu()->cpu, len, e;
	struct skq_queue *k = &skqs[q];

	for (;;) {
		if (k->head != k->tail)
			break;
		if (k->stop_seen)
			return 0;
		safe_halt();	/* the ISR fills the queue */
		cli();
	}
	e = k->first + k->tail % k->size;
	len = skq[e].len;
	if ((long)len > cap)
		len = cap;
	memcpy((void *)ubuf, skq[e].data, len);
	k->tail++;
	if (k->throttled) {
		k->throttled = false;
		virqnet_pull(q);
	}
	return len;
}

static void write_reg64(uint32_t lo, uint64_t v)
{
	writel(REG(lo), (uint32_t)v);
	writel(REG(lo + 4), v >> 32);
}

void virqnet_probe(void)
{
	uint32_t id = readl(REG(VIRQNET_REG_ID)), nq;

	if (id != VIRQNET_ID)
		GUEST_FAIL("virqnet: device ID 0x%x, this driver speaks ABI %u (0x%x)", id,
			   VIRQNET_ABI_VERSION, VIRQNET_ID);
	nq = readl(REG(VIRQNET_REG_NR_QUEUES));
	if (nq < 1 || nq > VIRQNET_MAX_QUEUES_GUEST || nq > boot_info->nr_vcpus ||
	    VIRQNET_RING_SIZE % nq)
		GUEST_FAIL("virqnet: %u queues: this driver takes 1..%u, at most one per vCPU (%u)",
			   nq, VIRQNET_MAX_QUEUES_GUEST, boot_info->nr_vcpus);
	virqnet = (struct virqnet_view){
		.ring = (struct virqnet_ring *)ring_mem[0],
		.bufs = &bufs[0][0],
		.flags = flags,
		.latlog = nq == 1 ? &latlog : NULL,
		.ring_size = VIRQNET_RING_SIZE / nq,
		.buf_size = VIRQNET_BUF_SIZE,
		.mode = readl(REG(VIRQNET_REG_MODE)),
		.nr_queues = nq,
		.nr_bufs = VIRQNET_RING_SIZE,
	};
	for (uint32_t q = 0; q < nq; q++) {
		virqnet.rings[q] = (struct virqnet_ring *)ring_mem[q];
		skqs[q] = (struct skq_queue){ .size = SKQ_SIZE / nq, .first = q * (SKQ_SIZE / nq) };
	}
	if (virqnet.mode == VIRQNET_MODE_VIRTIO) {
		/* The packets are the virtio-net device's; these registers keep the log. */
		write_reg64(VIRQNET_REG_LATLOG_LO, (uint64_t)&latlog);
		write_reg64(VIRQNET_REG_TRACE_LO, vnet_trace_gpa());
		writel(REG(VIRQNET_REG_CTRL), VIRQNET_CTRL_ENABLE);
		if (readl(REG(VIRQNET_REG_STATUS)) & VIRQNET_STATUS_ERROR)
			GUEST_FAIL("virqnet: device rejected the latency log (%u errors)",
				   readl(REG(VIRQNET_REG_ERRORS)));
		vnet_probe();
		return;
	}
	writel(REG(VIRQNET_REG_RING_SIZE), virqnet.ring_size);
	write_reg64(VIRQNET_REG_BUF_LO, (uint64_t)bufs);
	writel(REG(VIRQNET_REG_BUF_SIZE), VIRQNET_BUF_SIZE);
	write_reg64(VIRQNET_REG_FLAGS_LO, (uint64_t)flags);
	write_reg64(VIRQNET_REG_LATLOG_LO, (uint64_t)virqnet.latlog);
	for (uint32_t q = 0; q < nq; q++) {
		write_reg64(q * VIRQNET_QUEUE_STRIDE + VIRQNET_REG_RING_LO, (uint64_t)ring_mem[q]);
		writel(QREG(q, VIRQNET_REG_IRQ_VECTOR), VIRQNET_VECTOR);
		writel(QREG(q, VIRQNET_REG_IRQ_CPU), VIRQNET_CPU + q);
	}

	if (virqnet.mode == VIRQNET_MODE_MASK_DIRECT)
		virqnet_md_init();
	else
		irq_register(VIRQNET_VECTOR, virqnet_isr);
	syscall_register(SYS_rx_recv, sys_rx_recv);

	writel(REG(VIRQNET_REG_CTRL), VIRQNET_CTRL_ENABLE);
	if (readl(REG(VIRQNET_REG_STATUS)) & VIRQNET_STATUS_ERROR)
		GUEST_FAIL("virqnet: device rejected the configuration (%u errors)",
			   readl(REG(VIRQNET_REG_ERRORS)));
}
