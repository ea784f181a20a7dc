// SPDX-License-Identifier: GPL-2.0
/*
 * pv_eoi.c - KVM's paravirtual EOI (arch/apic.c). "pv-eoi": self-IPIs on one
 * vector, each EOI'd through apic_eoi(). Every one must arrive: an EOI the
 * guest skipped and KVM did not complete would leave the vector in service
 * and block the next one for good. How many EOIs KVM offered is printed for
 * the host test to judge: nearly all where KVM offers PV EOI, none on nested
 * PVM (measured: ../shared/PVM.md). Skipped where the CPUID bit is clear, or
 * with pv_eoi=0.
 */
#include "kernel/kernel.h"

static volatile uint64_t hits, offered;

static void on_ipi(struct irq_frame *f)
{
	(void)f;
	hits++;
	if (READ_ONCE(this_cpu()->pv_eoi) & 1)
		offered++;
	apic_eoi();
}

static void pv_eoi(void)
{
	uint64_t n = 1000;

	if (!apic_pv_eoi())
		GUEST_SKIP("KVM's PV EOI is not offered here, or pv_eoi=0");
	arg_u64("count", &n);
	irq_register(VIRQLAB_VEC_TEST, on_ipi);
	sti();
	for (uint64_t i = 0; i < n; i++) {
		apic_self_ipi(VIRQLAB_VEC_TEST);
		while (READ_ONCE(hits) != i + 1)
			pause();
	}
	cli();
	GUEST_ASSERT_EQ(hits, n);
	printf("pv-eoi: %lu of %lu arrived, %lu EOIs offered to the guest (no exit)\n", hits, n,
	       offered);
}
GUEST_TEST("pv-eoi", pv_eoi, NULL);
