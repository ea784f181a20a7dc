// SPDX-License-Identifier: GPL-2.0
/*
 * apic.c - the local APIC, in x2APIC mode where the CPU has it and in xAPIC
 * mode otherwise (QEMU 7.2's TCG has no x2APIC).
 *
 * Registers are named by their xAPIC MMIO offset; in x2APIC mode the same
 * register is MSR 0x800 + (offset >> 4) (SDM Vol. 3A 11.12.1), so an EOI is
 * one WRMSR rather than an MMIO write, which under KVM is the cheaper exit.
 * The two modes differ beyond that only in the ID register's layout and in
 * how an IPI is sent (one 64-bit ICR, or the SELF_IPI MSR).
 *
 * Under KVM the EOI exit is avoided altogether, as Linux guests avoid it:
 * with KVM's paravirtual EOI (MSR_KVM_PV_EOI_EN, Documentation/virt/kvm/
 * x86/msr.rst), KVM sets bit 0 of a per-vCPU word when it injects an edge
 * interrupt that nothing else is queued behind. The guest's EOI then clears
 * the bit instead of writing the register, and KVM completes the EOI at its
 * next entry or exit. Both receive modes take it alike; `pv_eoi=0` turns it
 * off for a comparison (vmm-mini reads the MSR back: stats column pv_eoi).
 */
#include "kernel/kernel.h"

#define APIC_ID			0x020
#define APIC_TPR		0x080
#define APIC_EOI		0x0b0
#define APIC_SVR		0x0f0
#define APIC_ICR_LO		0x300
#define APIC_ICR_HI		0x310
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_TMICT		0x380
#define APIC_TDCR		0x3e0
#define X2APIC_MSR(reg)		(0x800 + ((reg) >> 4))
#define X2APIC_SELF_IPI		0x83f

#define APIC_BASE_EXTD		(1u << 10)
#define APIC_BASE_EN		(1u << 11)
#define APIC_BASE_ADDR		0xfffff000ull	/* below 4 GiB: what paging maps */
#define SVR_ENABLE		(1u << 8)
#define LVT_MASKED		(1u << 16)
#define LVT_PERIODIC		(1u << 17)
#define ICR_BUSY		(1u << 12)
#define ICR_ASSERT		(1u << 14)
#define ICR_SELF		(1u << 18)	/* destination shorthand 01 */
#define ICR_INIT		(5u << 8)	/* delivery modes (SDM Vol. 3A 11.6.1) */
#define ICR_STARTUP		(6u << 8)
#define TDCR_DIV1		0xb
#define CPUID1_ECX_X2APIC	(1u << 21)
#define KVM_CPUID_SIGNATURE	0x40000000
#define KVM_CPUID_FEATURES	0x40000001
#define KVM_FEATURE_PV_EOI	(1u << 6)

static bool x2apic;
static bool pv_eoi;
static uint64_t xapic_base;

static uint32_t apic_read(uint32_t reg)
{
	return x2apic ? (uint32_t)rdmsr(X2APIC_MSR(reg)) : readl(xapic_base + reg);
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR(reg), v);
	else
		writel(xapic_base + reg, v);
}

/* BSP, before the APs start: every vCPU uses the mode chosen here. */
void apic_detect(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	x2apic = c & CPUID1_ECX_X2APIC;
	xapic_base = rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR;

	/* "KVMKVMKVM\0\0\0" in EBX, ECX, EDX of the hypervisor leaf. */
	cpuid(KVM_CPUID_SIGNATURE, &a, &b, &c, &d);
	if (b == 0x4b4d564b && c == 0x564b4d56 && d == 0x4d && a >= KVM_CPUID_FEATURES) {
		uint64_t on = 1;

		cpuid(KVM_CPUID_FEATURES, &a, &b, &c, &d);
		arg_u64("pv_eoi", &on);
		pv_eoi = (a & KVM_FEATURE_PV_EOI) && on;
	}
}

bool apic_pv_eoi(void)
{
	return pv_eoi;
}

bool apic_is_x2apic(void)
{
	return x2apic;
}

void apic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	/* x2APIC is entered from xAPIC mode, never from disabled (SDM 11.12.5). */
	if (!(base & APIC_BASE_EN))
		wrmsr(MSR_APIC_BASE, base |= APIC_BASE_EN);
	if (x2apic && !(base & APIC_BASE_EXTD))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, SVR_ENABLE | VIRQLAB_VEC_SPURIOUS);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	/*
	 * Mask the legacy pins. Under QEMU the firmware left the 8259 PIC wired
	 * to LINT0 with its timer running at vectors 8..15, which would land
	 * in our exception handlers; masking it here needs no port I/O, which
	 * vmm-mini would reject.
	 */
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	apic_write(APIC_LVT_LINT1, LVT_MASKED);
	/* The word's guest-physical address (identity-mapped), bit 0 = enable. */
	if (pv_eoi)
		wrmsr(MSR_KVM_PV_EOI_EN, (uint64_t)(uintptr_t)&this_cpu()->pv_eoi | 1);
}

void apic_eoi(void)
{
	bool pending;

	/*
	 * One BTR, so that no exit falls between the test and the clear: at
	 * every exit KVM takes back an offer still standing (clears the bit
	 * and leaves the vector in service), and a guest that had seen the
	 * bit set before that exit would skip an EOI nobody then does.
	 */
	if (pv_eoi) {
		__asm__ volatile("btrl $0, %0" : "+m"(this_cpu()->pv_eoi), "=@ccc"(pending)
				 : : "memory");
		if (pending)
			return;
	}
	apic_write(APIC_EOI, 0);
}

uint32_t apic_id(void)
{
	return x2apic ? apic_read(APIC_ID) : apic_read(APIC_ID) >> 24;
}

void apic_self_ipi(uint8_t vector)
{
	if (x2apic) {
		wrmsr(X2APIC_SELF_IPI, vector);
		return;
	}
	/* xAPIC: fixed, edge, to self; wait for a previous send to leave. */
	while (apic_read(APIC_ICR_LO) & ICR_BUSY)
		pause();
	apic_write(APIC_ICR_LO, ICR_SELF | ICR_ASSERT | vector);
}

/*
 * An IPI to one APIC ID (physical destination). x2APIC: one 64-bit ICR write
 * with the destination in the high half; xAPIC: the destination's register
 * first, since writing the low half sends.
 */
static void send_ipi(uint32_t dest, uint32_t icr_lo)
{
	if (x2apic) {
		wrmsr(X2APIC_MSR(APIC_ICR_LO), (uint64_t)dest << 32 | icr_lo);
		return;
	}
	while (apic_read(APIC_ICR_LO) & ICR_BUSY)
		pause();
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, icr_lo);
}

void apic_ipi(uint32_t dest, uint8_t vector)
{
	send_ipi(dest, ICR_ASSERT | vector);
}

/*
 * INIT, then two STARTUPs with the real-mode entry page (SDM Vol. 3A
 * 8.4.4.1). The SDM's waits (10 ms, 200 us) are for real hardware: KVM and
 * QEMU latch a STARTUP that arrives while INIT is being processed, and a
 * second STARTUP to a running AP is ignored.
 */
void apic_start_ap(uint32_t dest, uint64_t entry_pa)
{
	send_ipi(dest, ICR_INIT | ICR_ASSERT);
	send_ipi(dest, ICR_STARTUP | (uint32_t)(entry_pa >> 12));
	send_ipi(dest, ICR_STARTUP | (uint32_t)(entry_pa >> 12));
}

/*
 * The timer counts the APIC bus clock, divided by 1. KVM's runs at 1 GHz;
 * callers must not depend on the rate, only on ticks arriving.
 */
static void timer_start(uint8_t vector, uint32_t count, uint32_t mode)
{
	apic_write(APIC_TDCR, TDCR_DIV1);
	apic_write(APIC_LVT_TIMER, vector | mode);
	apic_write(APIC_TMICT, count);
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
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_TMICT, 0);
}
