// SPDX-License-Identifier: GPL-2.0
/*
 * msi.c - host-sent MSIs: one with KVM_SIGNAL_MSI, one through an irqfd, each
 * must reach the handler on the right vector exactly once; and a lock-step
 * storm of back-to-back doorbell MSIs, every one of which must arrive.
 */
#include "kernel/kernel.h"

static volatile uint64_t hits, last_vector;

static void on_msi(struct irq_frame *f)
{
	hits++;
	last_vector = f->vector;
	apic_eoi();
}

static void wait_hits(uint64_t n)
{
	cli();
	while (READ_ONCE(hits) < n)
		safe_halt();	/* returns with IF=1 after the handler */
	cli();
}

static void msi(void)
{
	uint32_t me = this_cpu()->apic_id;

	irq_register(VIRQLAB_VEC_TEST, on_msi);
	irq_register(VIRQLAB_VEC_TEST + 1, on_msi);
	GUEST_SYNC(SYNC_SIGNAL_MSI, me, VIRQLAB_VEC_TEST);
	wait_hits(1);
	GUEST_ASSERT_EQ(last_vector, VIRQLAB_VEC_TEST);
	GUEST_SYNC(SYNC_IRQFD, me, VIRQLAB_VEC_TEST + 1);
	wait_hits(2);
	GUEST_ASSERT_EQ(last_vector, VIRQLAB_VEC_TEST + 1);
	GUEST_ASSERT_EQ(hits, 2);
}
GUEST_TEST("msi", msi, NULL);

static void irq_storm(void)
{
	uint32_t bell = VIRQLAB_DOORBELL(this_cpu()->apic_id, VIRQLAB_VEC_TEST);
	uint64_t n = 10000;

	arg_u64("count", &n);
	irq_register(VIRQLAB_VEC_TEST, on_msi);
	sti();
	for (uint64_t i = 0; i < n; i++) {
		outl(VIRQLAB_PORT_MSI_DOORBELL, bell);
		/* Pending at re-entry, so taken before this loop goes on. */
		while (READ_ONCE(hits) != i + 1)
			pause();
	}
	cli();
	GUEST_ASSERT_EQ(hits, n);
	printf("irq-storm: %lu of %lu interrupts arrived\n", hits, n);
}
GUEST_TEST("irq-storm", irq_storm, NULL);
