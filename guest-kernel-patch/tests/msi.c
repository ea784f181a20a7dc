// SPDX-License-Identifier: GPL-2.0
/*
 * msi.c - host-sent MSIs. "msi": one sent with KVM_SIGNAL_MSI and one through
 * an irqfd (asynchronous: it may arrive after the ucall returns), each must
 * reach the handler on the right vector exactly once. "irq-storm": a
 * lock-step storm of back-to-back doorbell MSIs, every one of which must
 * arrive. Both need vmm-mini, which sends the MSIs.
 */
#include "kernel/kernel.h"

static volatile uint64_t hits, last_vector;

static void on_msi(struct irq_frame *f)
{
	hits++;
	last_vector = f->vector;
	apic_eoi();
}

static void msi(void)
{
	uint32_t me = this_cpu()->apic_id;

	require_vmm_mini("KVM_SIGNAL_MSI and irqfd");
	irq_register(VIRQLAB_VEC_TEST, on_msi);
	cli();
	GUEST_SYNC(SYNC_SIGNAL_MSI, me, VIRQLAB_VEC_TEST);
	idle_until(READ_ONCE(hits) >= 1);
	GUEST_ASSERT_EQ(hits, 1);
	GUEST_ASSERT_EQ(last_vector, VIRQLAB_VEC_TEST);

	last_vector = 0;
	GUEST_SYNC(SYNC_IRQFD, me, VIRQLAB_VEC_TEST);
	idle_until(READ_ONCE(hits) >= 2);
	GUEST_ASSERT_EQ(hits, 2);
	GUEST_ASSERT_EQ(last_vector, VIRQLAB_VEC_TEST);
}
GUEST_TEST("msi", msi, NULL);

/*
 * The host sends the MSI during the doorbell's exit, so it is pending when
 * the vCPU re-enters and is taken at the first instruction boundary with
 * IF=1: the wait below normally never spins.
 */
static void irq_storm(void)
{
	uint32_t bell = VIRQLAB_DOORBELL(this_cpu()->apic_id, VIRQLAB_VEC_TEST);
	uint64_t n = 10000;

	require_vmm_mini("the MSI doorbell");
	arg_u64("count", &n);
	irq_register(VIRQLAB_VEC_TEST, on_msi);
	sti();
	for (uint64_t i = 0; i < n; i++) {
		outl(VIRQLAB_PORT_MSI_DOORBELL, bell);
		while (READ_ONCE(hits) != i + 1)
			pause();
	}
	cli();
	GUEST_ASSERT_EQ(hits, n);
	GUEST_ASSERT_EQ(last_vector, VIRQLAB_VEC_TEST);
	printf("irq-storm: %lu of %lu interrupts arrived\n", hits, n);
}
GUEST_TEST("irq-storm", irq_storm, NULL);
