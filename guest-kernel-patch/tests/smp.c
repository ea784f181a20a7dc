// SPDX-License-Identifier: GPL-2.0
/*
 * smp.c - every vCPU runs and takes its own interrupt: each asks the host
 * for an MSI addressed to its own APIC ID, and the handler checks it ran on
 * that vCPU.
 */
#include "kernel/kernel.h"

static volatile uint32_t got[MAX_CPUS], wrong_cpu, reported;

static void on_msi(struct irq_frame *f)
{
	struct percpu *pc = this_cpu();

	got[pc->cpu]++;
	if (pc->apic_id != pc->cpu)
		wrong_cpu++;
	apic_eoi();
}

static void take_own_interrupt(void)
{
	struct percpu *pc = this_cpu();

	cli();
	GUEST_SYNC(SYNC_SIGNAL_MSI, pc->apic_id, VIRQLAB_VEC_TEST);
	while (!READ_ONCE(got[pc->cpu]))
		safe_halt();
	cli();
	__atomic_fetch_add(&reported, 1, __ATOMIC_SEQ_CST);
}

static void smp_ap(void)
{
	take_own_interrupt();
}

static void smp(void)
{
	uint32_t n = boot_info->nr_vcpus;

	if (n < 2)
		GUEST_FAIL("smp needs --vcpus >= 2, got %u", n);
	irq_register(VIRQLAB_VEC_TEST, on_msi);
	take_own_interrupt();
	while (READ_ONCE(reported) < n)
		pause();
	for (uint32_t i = 0; i < n; i++)
		GUEST_ASSERT_EQ(got[i], 1);
	GUEST_ASSERT_EQ(wrong_cpu, 0);
	printf("smp: %u vCPUs each took their own interrupt\n", n);
}
GUEST_TEST("smp", smp, smp_ap);
