// SPDX-License-Identifier: GPL-2.0
/*
 * timer.c - local interrupts: LAPIC timer ticks arrive while the vCPU idles,
 * and self-IPIs are each taken, none lost.
 */
#include "kernel/kernel.h"

static volatile uint64_t ticks, ipis;

static void on_tick(struct irq_frame *f)
{
	ticks++;
	apic_eoi();
}

/* ~1 ms per tick at KVM's 1 GHz APIC bus; only the ticks' arrival matters. */
static void timer(void)
{
	irq_register(VIRQLAB_VEC_TIMER, on_tick);
	apic_timer_periodic(VIRQLAB_VEC_TIMER, 1000000);
	idle_until(READ_ONCE(ticks) >= 20);
	apic_timer_stop();
	printf("timer: %lu ticks\n", ticks);
}
GUEST_TEST("timer", timer, NULL);

static void on_ipi(struct irq_frame *f)
{
	ipis++;
	apic_eoi();
}

/*
 * A self-IPI is pending as soon as the write completes and is taken at the
 * next instruction boundary with IF=1 (under KVM, on re-entry from the
 * write's exit), so the wait normally never spins.
 */
static void self_ipi(void)
{
	uint64_t n = 1000;

	arg_u64("count", &n);
	irq_register(VIRQLAB_VEC_SELF_IPI, on_ipi);
	sti();
	for (uint64_t i = 0; i < n; i++) {
		apic_self_ipi(VIRQLAB_VEC_SELF_IPI);
		while (READ_ONCE(ipis) != i + 1)
			pause();
	}
	cli();
	GUEST_ASSERT_EQ(ipis, n);
	printf("self-ipi: %lu of %lu arrived (%s)\n", ipis, n,
	       apic_is_x2apic() ? "x2APIC" : "xAPIC");
}
GUEST_TEST("self-ipi", self_ipi, NULL);
