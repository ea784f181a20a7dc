// SPDX-License-Identifier: GPL-2.0
/*
 * costs.c - primitive costs in the style of kvm-unit-tests' vmexit: each
 * operation timed with the TSC, N samples each, raw samples handed to the
 * host (which computes median and p99; under QEMU, ucall_qemu.c does). The
 * port, address and doorbell depend on the VMM (cost_probes.c). MSI delivery
 * from the host is stamped on both sides: the host's TSC before
 * KVM_SIGNAL_MSI, ours at handler entry; an MSI raised by a doorbell write is
 * timed from before the write to handler entry.
 */
#include "kernel/kernel.h"
#include "cost_probes.h"

#define MAX_SAMPLES 10000

static uint64_t samples[MAX_SAMPLES];
static volatile uint64_t msi_taken;
static volatile uint32_t armed;

static void report(enum cost_kind kind, uint64_t n)
{
	GUEST_SYNC(SYNC_SAMPLES, kind, (uint64_t)samples, n);
}

/* Only under QEMU, whose console is the host channel: the row and why. */
static void report_na(enum cost_kind kind, const char *why)
{
	static const char *const names[COST_NR] = VIRQLAB_COST_NAMES;

	printf("cost: %s n/a (%s)\n", names[kind], why);
}

static void on_msi(struct irq_frame *f)
{
	samples[msi_taken] = rdtsc();
	msi_taken++;
	apic_eoi();
}

/* The host thread waits for `armed` to change, stamps, and sends. */
static void time_msi(uint64_t n)
{
	cli();
	msi_taken = 0;
	GUEST_SYNC(SYNC_MSI_TIMED, this_cpu()->apic_id, VIRQLAB_VEC_TEST, n, (uint64_t)&armed);
	for (uint64_t i = 0; i < n; i++) {
		WRITE_ONCE(armed, i + 1);
		while (READ_ONCE(msi_taken) != i + 1) {
			safe_halt();
			cli();
		}
	}
	report(COST_MSI, n);
}

/*
 * The VMM sends the MSI during the write's exit, so it is pending when the
 * vCPU re-enters and taken at the first instruction boundary (IF=1).
 */
static void time_doorbell(const struct cost_probes *p, uint64_t n)
{
	msi_taken = 0;
	sti();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		writel(p->doorbell, p->doorbell_value);
		while (READ_ONCE(msi_taken) != i + 1)
			pause();
		samples[i] -= t0;
	}
	cli();
	report(COST_MMIO_MSI, n);
}

static __user_text void user_syscalls(long n)
{
	for (long i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		syscall3(SYS_nop, 0, 0, 0);
		samples[i] = rdtsc() - t0;
	}
	syscall3(SYS_exit, 0, 0, 0);
}

static void costs(void)
{
	struct cost_probes p;
	uint64_t n = 1000;

	arg_u64("samples", &n);
	if (n == 0 || n > MAX_SAMPLES)
		GUEST_FAIL("samples=%lu: expected 1..%d", n, MAX_SAMPLES);
	cost_probes_find(&p);
	irq_register(VIRQLAB_VEC_TEST, on_msi);

	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		inl(p.pio_port);
		samples[i] = rdtsc() - t0;
	}
	report(COST_PIO, n);

	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		readl(p.mmio_read);
		samples[i] = rdtsc() - t0;
	}
	report(COST_MMIO, n);

	/* An EOI with nothing in service: the cost of the register write alone. */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		apic_eoi();
		samples[i] = rdtsc() - t0;
	}
	report(COST_EOI, n);

	/* Not a "cost:" line: costs-peer.sh reads those. */
	printf("syscall gate: %s\n", syscall_gate_name());
	GUEST_ASSERT_EQ(enter_user(user_syscalls, n), 0);
	report(COST_SYSCALL, n);

	time_doorbell(&p, n);

	if (p.msi_na)
		report_na(COST_MSI, p.msi_na);
	else
		time_msi(n);

	/*
	 * The same ring-0 loop with nothing timed: what every row above pays
	 * for its own measurement. A few cycles on hardware; on nested PVM,
	 * whose KVM emulates guest ring 0, thousands (PVM.md).
	 */
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();

		samples[i] = rdtsc() - t0;
	}
	report(COST_FLOOR, n);
}
GUEST_TEST("costs", costs, NULL);
