// SPDX-License-Identifier: GPL-2.0
/* timer.c - LAPIC timer ticks and self-IPIs arrive while the vCPU idles. */
#include "kernel/kernel.h"

static volatile uint64_t ticks, ipis;

static void on_tick(struct irq_frame *f)
{
	ticks++;
	apic_eoi();
}

static void timer(void)
{
	irq_register(VIRQLAB_VEC_TIMER, on_tick);
	apic_timer_periodic(VIRQLAB_VEC_TIMER, 1000000);	/* ~1 ms at KVM's 1 GHz */
	while (READ_ONCE(ticks) < 20)
		safe_halt();
	cli();
	apic_timer_stop();
	printf("timer: %lu ticks\n", ticks);
}
GUEST_TEST("timer", timer, NULL);

static void on_ipi(struct irq_frame *f)
{
	ipis++;
	apic_eoi();
}

/* Each self-IPI is taken right after the WRMSR; none may be lost. */
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
}
GUEST_TEST("self-ipi", self_ipi, NULL);
