// SPDX-License-Identifier: GPL-2.0
/*
 * cost_probes.c - which port, address and doorbell the costs self-test
 * times, decided by the VMM we booted under (no build-time switch):
 *
 *   vmm-mini: its cost port and cost page (test_dev.c: one table lookup, no
 *   work) and its MMIO doorbell, which sends the MSI with KVM_SIGNAL_MSI
 *   during the exit.
 *
 *   QEMU+KVM: the ACPI PM timer, a port QEMU's user space serves (what
 *   kvm-unit-tests' vmexit calls inl_from_qemu; the port is the FADT's
 *   PM_TMR_BLK); the identification register of the edu PCI device (BAR0,
 *   offset 0), an MMIO register served by QEMU's user space, as no memory
 *   slot backs a BAR's registers; and edu's "raise interrupt" register
 *   (offset 0x60), whose write makes QEMU send the device's MSI (msi_notify,
 *   KVM_SIGNAL_MSI with the kernel irqchip) during the exit, as vmm-mini's
 *   doorbell does. QEMU has no host-timed MSI: its device models raise MSIs
 *   from their own threads and stamp no host TSC, so that row is n/a.
 *
 * Under QEMU's TCG there are no exits to time: the test skips.
 */
#include "kernel/acpi.h"
#include "kernel/kernel.h"
#include "kernel/pci.h"
#include "cost_probes.h"

#define EDU_VENDOR		0x1234	/* QEMU's docs/specs/edu.txt */
#define EDU_DEVICE		0x11e8
#define EDU_REG_ID		0x00	/* 0x010000ed: version 1.0, "ed" */
#define EDU_REG_IRQ_RAISE	0x60	/* write: status |= value, raise the interrupt */
#define EDU_IRQ_BIT		1

/* CPUID 0x40000000 names the hypervisor; KVM's is "KVMKVMKVM\0\0\0". */
static bool on_kvm(void)
{
	uint32_t sig[3], max;

	cpuid(0x40000000, &max, &sig[0], &sig[1], &sig[2]);
	return !memcmp(sig, "KVMKVMKVM\0\0\0", 12);
}

static void qemu_probes(struct cost_probes *p)
{
	const struct acpi_header *fadt;
	uint32_t pm_tmr = 0;
	uint64_t bar;
	int edu;

	if (!on_kvm())
		GUEST_SKIP("'costs' under QEMU needs KVM: TCG has no exits to time");
	fadt = acpi_find("FACP");
	if (fadt && fadt->length >= ACPI_FADT_PM_TMR_BLK + 4)
		memcpy(&pm_tmr, (const uint8_t *)fadt + ACPI_FADT_PM_TMR_BLK, 4);
	if (!pm_tmr || pm_tmr > 0xfffc)
		GUEST_FAIL("no ACPI PM timer port in the FADT (0x%x)", pm_tmr);
	edu = pci_find(EDU_VENDOR, EDU_DEVICE);
	if (edu < 0)
		GUEST_SKIP("'costs' under QEMU needs -device edu (run-guest-qemu.sh adds it)");
	bar = pci_bar_mem(edu, 0);
	if (bar < VIRQLAB_MMIO_BASE)
		GUEST_FAIL("edu BAR0 at 0x%lx, below the uncached window paging maps", bar);
	GUEST_ASSERT_EQ(readl(bar + EDU_REG_ID) & 0xffff, 0xed);
	pci_msi_enable(edu, this_cpu()->apic_id, VIRQLAB_VEC_TEST);

	p->pio_port = pm_tmr;
	p->mmio_read = bar + EDU_REG_ID;
	p->doorbell = bar + EDU_REG_IRQ_RAISE;
	p->doorbell_value = EDU_IRQ_BIT;
	p->msi_na = "QEMU devices raise MSIs from their own threads, with no host TSC stamp";
	printf("costs: QEMU+KVM probes: PM timer port 0x%x, edu BAR0 0x%lx\n", pm_tmr, bar);
}

void cost_probes_find(struct cost_probes *p)
{
	*p = (struct cost_probes){ 0 };
	if (guest_vmm == VIRQLAB_VMM_QEMU) {
		qemu_probes(p);
		return;
	}
	p->pio_port = VIRQLAB_PORT_COST;
	p->mmio_read = VIRQLAB_MMIO_COST_GPA;
	p->doorbell = VIRQLAB_MMIO_DOORBELL_GPA;
	p->doorbell_value = VIRQLAB_DOORBELL(this_cpu()->apic_id, VIRQLAB_VEC_TEST);
}
