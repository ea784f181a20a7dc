// SPDX-License-Identifier: GPL-2.0
/*
 * ucall_qemu.c - what vmm-mini does with a ucall, done by the guest itself
 * when it was booted by QEMU through the PVH entry.
 *
 * QEMU has the debug console (isa-debugcon, port 0xe9) and a way to end the
 * run with a value (isa-debug-exit, VIRQLAB_PORT_QEMU_EXIT), nothing else.
 * So failures are printed here in the very words vmm-mini prints them, and
 * the verdict leaves through the exit port as one of VIRQLAB_QEMU_EXIT_*,
 * which scripts/run-guest-qemu.sh maps back onto the exit-code contract.
 * Cost samples become a table row on the console, and an MSI requested of
 * the host becomes an IPI. Requests only vmm-mini can serve (irqfd, timed
 * MSIs, device reports) end the run as a skip: under QEMU such a test cannot
 * mean anything.
 */
#include "kernel/kernel.h"

static void __attribute__((noreturn)) qemu_exit(uint32_t verdict)
{
	outl(VIRQLAB_PORT_QEMU_EXIT, verdict);
	/* Only reached without -device isa-debug-exit: stop here, visibly. */
	printf("virqlab: no isa-debug-exit device at port 0x%x\n", VIRQLAB_PORT_QEMU_EXIT);
	halt_forever();
}

static void exception(const struct ucall *uc)
{
	const char *name = exception_name(uc->args[0]);
	char num[8];

	if (!name) {
		snprintf(num, sizeof(num), "#%lu", uc->args[0] & 0xff);
		name = num;
	}
	printf("guest exception %s (vector %lu) error 0x%lx at RIP 0x%lx CR2 0x%lx on vCPU %u\n",
	       name, uc->args[0], uc->args[1], uc->args[2], uc->args[3], uc->cpu);
}

/*
 * vmm-mini's costs__samples() and costs__report() for one row: sort the
 * samples where they lie and print the row on the console, whence
 * scripts/costs-peer.sh reads it (and, with raw=1, the samples themselves). The array is the test's own scratch.
 */
static void cost_row(const struct ucall *uc)
{
	static const char *const names[COST_NR] = VIRQLAB_COST_NAMES;
	uint64_t kind = uc->args[1], n = uc->args[3];
	uint64_t *s = (uint64_t *)uc->args[2];

	uint64_t raw = 0;

	if (kind >= COST_NR || n == 0)
		GUEST_FAIL("cost samples: kind %lu, count %lu", kind, n);
	/* raw=1: every sample first, in the order taken, so that the row can be
	 * recomputed on the host (vmm-mini writes them to --out FILE.samples). */
	arg_u64("raw", &raw);
	for (uint64_t i = 0; raw && i < n; i++)
		printf("cost-sample: %s %lu\n", names[kind], s[i]);
	sort_u64(s, n);
	printf("cost: %s samples=%lu median=%lu p99=%lu cycles\n", names[kind], n,
	       percentile_u64(s, n, 50), percentile_u64(s, n, 99));
}

/*
 * vmm-mini's KVM_SIGNAL_MSI to (APIC ID, vector), as a fixed IPI from this
 * vCPU: no device here can address an interrupt at will, but the local APIC
 * can, through the same physical destination and vector.
 */
static void signal_msi(const struct ucall *uc)
{
	if (uc->args[2] < 32 || uc->args[2] > 255 || uc->args[1] >= MAX_CPUS)
		GUEST_FAIL("signal MSI: APIC ID %lu, vector %lu", uc->args[1], uc->args[2]);
	apic_ipi(uc->args[1], uc->args[2]);
}

void ucall_qemu(const struct ucall *uc)
{
	switch (uc->cmd) {
	case UCALL_SYNC:
		if (uc->args[0] == SYNC_PING)
			return;
		if (uc->args[0] == SYNC_SAMPLES) {
			cost_row(uc);
			return;
		}
		if (uc->args[0] == SYNC_SIGNAL_MSI) {
			signal_msi(uc);
			return;
		}
		printf("guest skipped the test: sync request %lu needs vmm-mini\n", uc->args[0]);
		qemu_exit(VIRQLAB_QEMU_EXIT_SKIP);
	case UCALL_DONE:
		qemu_exit(VIRQLAB_QEMU_EXIT_PASS);
	case UCALL_ABORT:
		printf("guest assert failed on vCPU %u at %s\n", uc->cpu, uc->msg);
		qemu_exit(VIRQLAB_QEMU_EXIT_FAIL);
	case UCALL_EXCEPTION:
		exception(uc);
		qemu_exit(VIRQLAB_QEMU_EXIT_FAIL);
	case UCALL_SKIP:
		printf("guest skipped the test: %s\n", uc->msg);
		qemu_exit(VIRQLAB_QEMU_EXIT_SKIP);
	default:
		printf("vCPU %u: unknown ucall %u\n", uc->cpu, uc->cmd);
		qemu_exit(VIRQLAB_QEMU_EXIT_FAIL);
	}
}
