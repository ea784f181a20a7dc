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
 */
#include "kernel/virqnet.h"
#include "kernel/virtio.h"

#define REG(off) (VIRQNET_MMIO_GPA + (off))
#define SKQ_SIZE VIRQNET_RING_SIZE

static uint8_t ring_mem[sizeof(struct virqnet_ring) +
		       VIRQNET_RING_SIZE * sizeof(struct virqnet_desc)] __attribute__((aligned(64)));
static uint8_t bufs[VIRQNET_RING_SIZE][VIRQNET_BUF_SIZE] __attribute__((aligned(64)));
static struct virqnet_vcpu_flags flags[MAX_CPUS];
static struct virqnet_lat_log latlog __attribute__((aligned(64)));

struct virqnet_view virqnet;
volatile uint64_t virqnet_irqs;

/* The kernel's receive queue ("socket buffer"): copies, in arrival order. */
static struct {
	uint32_t len;
	uint8_t data[VIRQNET_BUF_SIZE];
} skq[SKQ_SIZE];
static uint32_t skq_head, skq_tail;
static bool stop_seen, throttled;

/*
 * Pull what the device has into the kernel queue, through registers. When
 * the queue is full, stop and leave the rest in the device's ring: the
 * device then runs out of buffers and counts its drops, so every datagram
 * stays accounted for.
 */
static void virqnet_pull(void)
{
	for (;;) {
		uint32_t st, len, buf;

		if (skq_head - skq_tail == SKQ_SIZE) {
			throttled = true;
			return;
		}
		st = readl(REG(VIRQNET_REG_STATUS));
		if (!(st & VIRQNET_STATUS_RX)) {
			if (st & VIRQNET_STATUS_STOP)
				stop_seen = true;
			return;
		}
		len = readl(REG(VIRQNET_REG_HEAD_LEN));
		buf = readl(REG(VIRQNET_REG_HEAD_BUF));
		GUEST_ASSERT(buf < VIRQNET_RING_SIZE && len <= VIRQNET_BUF_SIZE);
		skq[skq_head % SKQ_SIZE].len = len;
		memcpy(skq[skq_head % SKQ_SIZE].data, bufs[buf], len);
		skq_head++;
		writel(REG(VIRQNET_REG_RX_ACK), 1);
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
	virqnet_irqs++;
	apic_eoi();
	virqnet_pull();
}

/* recv(buf, cap): the next datagram's length, or 0 once the run is over. */
static long sys_rx_recv(long ubuf, long cap, long unused)
{
	uint32_t len;

	for (;;) {
		if (skq_head != skq_tail)
			break;
		if (stop_seen)
			return 0;
		safe_halt();	/* the ISR fills the queue */
		cli();
	}
	len = skq[skq_tail % SKQ_SIZE].len;
	if ((long)len > cap)
		len = cap;
	memcpy((void *)ubuf, skq[skq_tail % SKQ_SIZE].data, len);
	skq_tail++;
	if (throttled) {
		throttled = false;
		virqnet_pull();
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
	uint32_t id = readl(REG(VIRQNET_REG_ID));

	if (id != VIRQNET_ID)
		GUEST_FAIL("virqnet: device ID 0x%x, this driver speaks ABI %u (0x%x)", id,
			   VIRQNET_ABI_VERSION, VIRQNET_ID);
	virqnet = (struct virqnet_view){
		.ring = (struct virqnet_ring *)ring_mem,
		.bufs = &bufs[0][0],
		.flags = flags,
		.latlog = &latlog,
		.ring_size = VIRQNET_RING_SIZE,
		.buf_size = VIRQNET_BUF_SIZE,
		.mode = readl(REG(VIRQNET_REG_MODE)),
	};
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
	write_reg64(VIRQNET_REG_RING_LO, (uint64_t)ring_mem);
	writel(REG(VIRQNET_REG_RING_SIZE), VIRQNET_RING_SIZE);
	write_reg64(VIRQNET_REG_BUF_LO, (uint64_t)bufs);
	writel(REG(VIRQNET_REG_BUF_SIZE), VIRQNET_BUF_SIZE);
	write_reg64(VIRQNET_REG_FLAGS_LO, (uint64_t)flags);
	write_reg64(VIRQNET_REG_LATLOG_LO, (uint64_t)&latlog);
	writel(REG(VIRQNET_REG_IRQ_VECTOR), VIRQNET_VECTOR);
	writel(REG(VIRQNET_REG_IRQ_CPU), VIRQNET_CPU);

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
