// SPDX-License-Identifier: GPL-2.0
/*
 * smp.c - every vCPU comes up and takes its own interrupt: each asks the
 * host for an MSI addressed to its own APIC ID, on a vector of its own, and
 * the handler checks that the vector it runs for is its vCPU's. The BSP
 * waits for all, checks each took exactly one, and passes. Under QEMU the
 * BSP has started the APs from the MADT, and the "MSI" is an IPI each vCPU
 * sends to its own APIC ID (ucall_qemu.c).
 */
#include "kernel/kernel.h"

static volatile uint32_t got[MAX_CPUS], reported;
static uint32_t go;

/* vCPU i asks for vector VIRQLAB_VEC_TEST + i: the vector names the target. */
static void on_msi(struct irq_frame *f)
{
	uint32_t cpu = this_cpu()->cpu;

	if (f->vector != VIRQLAB_VEC_TEST + cpu)
		GUEST_FAIL("the MSI for vCPU %lu arrived on vCPU %u", f->vector - VIRQLAB_VEC_TEST,
			   cpu);
	got[cpu]++;
	apic_eoi();
}

static void take_own_interrupt(void)
{
	struct percpu *pc = this_cpu();

	cli();
	GUEST_SYNC(SYNC_SIGNAL_MSI, pc->apic_id, VIRQLAB_VEC_TEST + pc->cpu);
	idle_until(READ_ONCE(got[pc->cpu]));
	__atomic_fetch_add(&reported, 1, __ATOMIC_SEQ_CST);
}

static void smp(void)
{
	uint32_t n = boot_info->nr_vcpus;

	if (n < 2)
		GUEST_FAIL("smp needs >= 2 vCPUs (vmm-mini --vcpus, QEMU --smp), got %u", n);
	/* The handler table is shared; APs start only once it is set. */
	for (uint32_t i = 0; i < n; i++)
		irq_register(VIRQLAB_VEC_TEST + i, on_msi);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	take_own_interrupt();
	/* Other vCPUs' progress raises no interrupt here: a short spin. */
	while (READ_ONCE(reported) < n)
		pause();
	for (uint32_t i = 0; i < n; i++)
		GUEST_ASSERT_EQ(got[i], 1);
	printf("smp: %u vCPUs each took their own interrupt\n", n);
}

static void smp_ap(void)
{
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		pause();
	take_own_interrupt();
}
GUEST_TEST("smp", smp, smp_ap);
