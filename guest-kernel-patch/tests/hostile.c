// SPDX-License-Identifier: GPL-2.0
/*
 * hostile.c - a guest that attacks the virqnet device model: impossible ring
 * sizes, rings and buffers outside or across the end of RAM, addresses that
 * overflow, misaligned and odd-sized register accesses, writes to read-only
 * registers, acknowledgements of descriptors that do not exist, and a
 * consumer index beyond the producer. Each must be refused and counted in
 * the device's ERRORS register; vmm-mini must neither crash nor touch memory
 * outside guest RAM (the host test runs this under AddressSanitizer too).
 */
#include "kernel/virqnet.h"

#define REG(off) (VIRQNET_MMIO_GPA + (off))

static uint8_t ring_mem[sizeof(struct virqnet_ring) + 64 * sizeof(struct virqnet_desc)]
	__attribute__((aligned(64)));
static uint8_t bufs[64][2048] __attribute__((aligned(64)));
static struct virqnet_vcpu_flags flags[MAX_CPUS];

static uint32_t errors(void)
{
	return readl(REG(VIRQNET_REG_ERRORS));
}

static void set64(uint32_t lo, uint64_t v)
{
	writel(REG(lo), (uint32_t)v);
	writel(REG(lo + 4), v >> 32);
}

static void good_config(void)
{
	set64(VIRQNET_REG_RING_LO, (uint64_t)ring_mem);
	writel(REG(VIRQNET_REG_RING_SIZE), 64);
	set64(VIRQNET_REG_BUF_LO, (uint64_t)bufs);
	writel(REG(VIRQNET_REG_BUF_SIZE), 2048);
	set64(VIRQNET_REG_FLAGS_LO, (uint64_t)flags);
	set64(VIRQNET_REG_LATLOG_LO, 0);
	set64(VIRQNET_REG_TRACE_LO, 0);
	writel(REG(VIRQNET_REG_IRQ_VECTOR), VIRQNET_VECTOR);
	writel(REG(VIRQNET_REG_IRQ_CPU), 0);
}

/* Program one bad value over a good config; ENABLE must fail and count. */
static void expect_rejected(const char *what, uint32_t reg, uint64_t v, bool wide)
{
	uint32_t before = errors();

	good_config();
	if (wide)
		set64(reg, v);
	else
		writel(REG(reg), (uint32_t)v);
	writel(REG(VIRQNET_REG_CTRL), VIRQNET_CTRL_ENABLE);
	if (!(readl(REG(VIRQNET_REG_STATUS)) & VIRQNET_STATUS_ERROR))
		GUEST_FAIL("device accepted %s", what);
	if (errors() != before + 1)
		GUEST_FAIL("%s: ERRORS went from %u to %u", what, before, errors());
}

static void expect_counted(const char *what, uint32_t before)
{
	if (errors() <= before)
		GUEST_FAIL("%s was not counted", what);
}

static void hostile(void)
{
	uint64_t ram = boot_info->mem_bytes;
	struct virqnet_ring *r = (struct virqnet_ring *)ring_mem;
	uint32_t before;

	require_vmm_mini("the virqnet device");
	GUEST_ASSERT_EQ(readl(REG(VIRQNET_REG_ID)), VIRQNET_ID);

	expect_rejected("ring size 7", VIRQNET_REG_RING_SIZE, 7, false);
	expect_rejected("ring size 8192", VIRQNET_REG_RING_SIZE, 8192, false);
	expect_rejected("ring size 0", VIRQNET_REG_RING_SIZE, 0, false);
	expect_rejected("ring past the end of RAM", VIRQNET_REG_RING_LO, ram - 64, true);
	expect_rejected("ring at an overflowing address", VIRQNET_REG_RING_LO, ~63ull, true);
	expect_rejected("ring in the MMIO window", VIRQNET_REG_RING_LO, VIRQLAB_MMIO_BASE, true);
	expect_rejected("misaligned ring", VIRQNET_REG_RING_LO, (uint64_t)ring_mem + 4, true);
	expect_rejected("buffers across the end of RAM", VIRQNET_REG_BUF_LO, ram - 4096, true);
	expect_rejected("buffer size 100", VIRQNET_REG_BUF_SIZE, 100, false);
	expect_rejected("buffer size 1 MiB", VIRQNET_REG_BUF_SIZE, 1 << 20, false);
	expect_rejected("flags past the end of RAM", VIRQNET_REG_FLAGS_LO, ram, true);
	expect_rejected("latency log past the end of RAM", VIRQNET_REG_LATLOG_LO, ram - 128, true);
	expect_rejected("handshake trace across the end of RAM", VIRQNET_REG_TRACE_LO, ram - 128, true);
	expect_rejected("misaligned handshake trace", VIRQNET_REG_TRACE_LO, (uint64_t)ring_mem + 8, true);
	expect_rejected("exception vector 5", VIRQNET_REG_IRQ_VECTOR, 5, false);
	expect_rejected("vector 256", VIRQNET_REG_IRQ_VECTOR, 256, false);
	expect_rejected("a vCPU that does not exist", VIRQNET_REG_IRQ_CPU, 99, false);

	before = errors();
	*(volatile uint8_t *)REG(VIRQNET_REG_RING_SIZE) = 1;
	expect_counted("a 1-byte register write", before);
	before = errors();
	(void)readl(REG(VIRQNET_REG_RING_SIZE) + 2);
	expect_counted("a misaligned register read", before);
	before = errors();
	GUEST_ASSERT_EQ(readl(REG(0x800)), 0xffffffffu);
	expect_counted("a read of an undefined register", before);
	before = errors();
	writel(REG(VIRQNET_REG_ID), 0);
	expect_counted("a write to the read-only ID register", before);
	before = errors();
	writel(REG(VIRQNET_REG_CTRL), 0x80);
	expect_counted("a CTRL value with no defined bit", before);

	/* Now enabled with a good config: reconfiguring under it is refused. */
	good_config();
	writel(REG(VIRQNET_REG_CTRL), VIRQNET_CTRL_ENABLE);
	GUEST_ASSERT(!(readl(REG(VIRQNET_REG_STATUS)) & VIRQNET_STATUS_ERROR));
	before = errors();
	set64(VIRQNET_REG_RING_LO, ram - 64);
	expect_counted("moving the ring while enabled", before);
	before = errors();
	writel(REG(VIRQNET_REG_RX_ACK), 1000);
	expect_counted("RX_ACK of descriptors that do not exist", before);

	/* A consumer index beyond the producer, written straight into the ring. */
	before = errors();
	WRITE_ONCE(r->cons, READ_ONCE(r->prod) + 1000);
	for (int i = 0; i < 1000000 && errors() == before; i++)
		pause();
	expect_counted("a consumer index beyond the producer", before);
	WRITE_ONCE(r->cons, READ_ONCE(r->prod));
	WRITE_ONCE(flags[0].masked, 0xdeadbeef);
	printf("hostile: every attack refused and counted (%u errors)\n", errors());
}
GUEST_TEST("hostile", hostile, NULL);
