// SPDX-License-Identifier: GPL-2.0
/*
 * errors.c - guests that go wrong in ways the host must catch: one that
 * never finishes (--timeout), an unclaimed port, an unclaimed MMIO address,
 * and a triple fault.
 */
#include "kernel/kernel.h"

static void idle(void)
{
	for (;;)
		safe_halt();
}
GUEST_TEST("idle", idle, NULL);

static void bad_port(void)
{
	require_vmm_mini("QEMU ignores unclaimed ports");
	outb(0x80, 0x42);
}
GUEST_TEST("bad-port", bad_port, NULL);

static void bad_mmio(void)
{
	require_vmm_mini("QEMU reads unclaimed MMIO as all-ones");
	(void)readl(VIRQLAB_MMIO_BASE + 0x100000);
}
GUEST_TEST("bad-mmio", bad_mmio, NULL);

/* With an empty IDT every exception escalates: #GP, #DF, then shutdown. */
static void triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	__asm__ volatile("lidt %0; int3" :: "m"(empty));
}
GUEST_TEST("triple-fault", triple_fault, NULL);
