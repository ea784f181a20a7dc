// SPDX-License-Identifier: GPL-2.0
/*
 * smp_qemu.c - starting the APs under QEMU. vmm-mini starts every vCPU
 * itself, in 64-bit mode; QEMU's PVH entry starts only the BSP and leaves
 * the others waiting for a STARTUP IPI, as firmware would. The BSP finds
 * them in the ACPI MADT (ACPI 6.4, 5.2.12), copies the real-mode trampoline
 * (head.S) below 1 MiB, and starts them one at a time: the next gets its
 * vCPU index only after the previous has checked in (cpus_online), so one
 * trampoline and one ap_boot_cpu serve all.
 */
#include "kernel/acpi.h"
#include "kernel/kernel.h"

#define MADT_LAPIC		0	/* processor local APIC: 8-bit ID */
#define MADT_X2APIC		9	/* processor local x2APIC: 32-bit ID */
#define MADT_ENABLED		1u	/* flags bit 0 */
#define MADT_ENTRIES_OFF	44	/* header, local APIC address, flags */
#define AP_START_CYCLES		(10ull * 1000 * 1000 * 1000)	/* seconds, not a rate */

extern const uint8_t ap_trampoline[], ap_trampoline_end[], ap_tramp_cr3[];
volatile uint32_t ap_boot_cpu;

/* The APIC ID of the next enabled CPU entry at or after *off, or -1. */
static int64_t next_cpu(const struct acpi_header *madt, uint32_t *off)
{
	const uint8_t *t = (const uint8_t *)madt;

	while (*off + 2 <= madt->length) {
		const uint8_t *e = t + *off;
		uint32_t id = 0, flags = 0;

		if (e[1] < 2 || *off + e[1] > madt->length)
			GUEST_FAIL("MADT entry at offset %u: bad length %u", *off, e[1]);
		*off += e[1];
		if (e[0] == MADT_LAPIC && e[1] >= 8) {
			id = e[3];
			memcpy(&flags, e + 4, 4);
		} else if (e[0] == MADT_X2APIC && e[1] >= 16) {
			memcpy(&id, e + 4, 4);
			memcpy(&flags, e + 8, 4);
		} else {
			continue;
		}
		if (flags & MADT_ENABLED)
			return id;
	}
	return -1;
}

static void start_one(uint32_t apic_id, uint32_t cpu)
{
	uint64_t t0 = rdtsc();

	WRITE_ONCE(ap_boot_cpu, cpu);
	apic_start_ap(apic_id, AP_TRAMPOLINE_PA);
	while (READ_ONCE(cpus_online) != cpu + 1) {
		if (rdtsc() - t0 > AP_START_CYCLES)
			GUEST_FAIL("AP with APIC ID %u (vCPU %u) did not start", apic_id, cpu);
		pause();
	}
}

/* BSP, with its own APIC up: returns how many vCPUs run, itself included. */
uint32_t smp_start_aps(void)
{
	const struct acpi_header *madt = acpi_find("APIC");
	uint32_t me = this_cpu()->apic_id, off = MADT_ENTRIES_OFF, cpu = 1;
	uint32_t cr3 = read_cr3();
	int64_t id;

	if (!madt)
		return 1;
	memcpy((void *)AP_TRAMPOLINE_PA, ap_trampoline, ap_trampoline_end - ap_trampoline);
	memcpy((void *)(AP_TRAMPOLINE_PA + (ap_tramp_cr3 - ap_trampoline)), &cr3, 4);
	while ((id = next_cpu(madt, &off)) >= 0) {
		if (id == me)
			continue;
		if (cpu == MAX_CPUS)
			GUEST_FAIL("the MADT lists more than %d CPUs", MAX_CPUS);
		start_one(id, cpu++);
	}
	return cpu;
}

/* From ap_start64 (head.S), on the AP's boot stack. */
void qemu_ap_main(uint64_t cpu)
{
	kmain(NULL, cpu, VIRQLAB_VMM_QEMU);
}
