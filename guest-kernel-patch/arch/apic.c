// SPDX-License-Identifier: GPL-2.0
/*
 * apic.c - the local APIC in x2APIC mode: every register is an MSR at
 * 0x800 + (xAPIC offset >> 4) (SDM Vol. 3A 11.12), so there is no MMIO
 * page to map and an EOI is one WRMSR.
 */
#include "kernel/kernel.h"

#define X2APIC_ID	0x802
#define X2APIC_TPR	0x808
#define X2APIC_EOI	0x80b
#define X2APIC_SVR	0x80f
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_TMICT	0x838
#define X2APIC_TDCR	0x83e
#define X2APIC_SELF_IPI	0x83f

#define APIC_BASE_EXTD	(1u << 10)
#define APIC_BASE_EN	(1u << 11)
#define SVR_ENABLE	(1u << 8)
#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)

void apic_init(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	if (!(c & (1u << 21)))
		GUEST_FAIL("CPUID.1:ECX.x2APIC[bit 21] is clear: this guest needs x2APIC");
	/* xAPIC must be enabled before x2APIC (SDM Vol. 3A 11.12.5). */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN);
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
	wrmsr(X2APIC_TPR, 0);
	wrmsr(X2APIC_SVR, SVR_ENABLE | VIRQLAB_VEC_SPURIOUS);
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED);
}

void apic_eoi(void)
{
	wrmsr(X2APIC_EOI, 0);
}

uint32_t apic_id(void)
{
	return rdmsr(X2APIC_ID);
}

void apic_self_ipi(uint8_t vector)
{
	wrmsr(X2APIC_SELF_IPI, vector);
}

static void timer_start(uint8_t vector, uint32_t count, uint32_t mode)
{
	wrmsr(X2APIC_TDCR, 0xb);	/* divide by 1 */
	wrmsr(X2APIC_LVT_TIMER, vector | mode);
	wrmsr(X2APIC_TMICT, count);
}

void apic_timer_periodic(uint8_t vector, uint32_t count)
{
	timer_start(vector, count, LVT_PERIODIC);
}

void apic_timer_oneshot(uint8_t vector, uint32_t count)
{
	timer_start(vector, count, 0);
}

void apic_timer_stop(void)
{
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED);
	wrmsr(X2APIC_TMICT, 0);
}
