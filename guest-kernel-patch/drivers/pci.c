// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - just enough PCI for one device model: configuration mechanism
 * #1 (ports 0xcf8/0xcfc, PCI Local Bus 3.0, 3.2.2.3.2) on bus 0, a memory
 * BAR, and a single-vector MSI (PCI 3.0, 6.8.1). Under QEMU for its devices; under
 * vmm-mini for the virtio-net function of --mode virtio (vmm-mini/pci.c), the
 * only time vmm-mini has a PCI bus at all.
 */
#include "kernel/kernel.h"
#include "kernel/pci.h"

#define PCI_CONFIG_ADDR		0xcf8
#define PCI_CONFIG_DATA		0xcfc
#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	(1u << 1)
#define PCI_COMMAND_MASTER	(1u << 2)	/* an MSI is a DMA write: needs it */
#define PCI_STATUS_CAP_LIST	(1u << 20)	/* in the dword at 0x04 */
#define PCI_BAR0		0x10
#define PCI_CAP_PTR		0x34
#define PCI_CAP_ID_MSI		0x05
#define MSI_CTRL_ENABLE		(1u << 16)	/* in the dword at cap + 0 */
#define MSI_CTRL_64BIT		(1u << 23)
#define MSI_CTRL_MME_MASK	(7u << 20)	/* multiple message enable: one */
#define MSI_ADDR_BASE		0xfee00000u	/* SDM Vol. 3A 11.11.1 */

static uint32_t cfg_addr(uint32_t dev, uint32_t off)
{
	return 0x80000000u | dev << 11 | (off & 0xfc);
}

uint32_t pci_read(uint32_t dev, uint32_t off)
{
	outl(PCI_CONFIG_ADDR, cfg_addr(dev, off));
	return inl(PCI_CONFIG_DATA);
}

void pci_write(uint32_t dev, uint32_t off, uint32_t v)
{
	outl(PCI_CONFIG_ADDR, cfg_addr(dev, off));
	outl(PCI_CONFIG_DATA, v);
}

/* Device number on bus 0, function 0, or -1. Only called where PCI exists. */
int pci_find(uint16_t vendor, uint16_t device)
{
	uint32_t want = (uint32_t)device << 16 | vendor;

	for (uint32_t dev = 0; dev < 32; dev++)
		if (pci_read(dev, 0) == want)
			return dev;
	return -1;
}

/*
 * A 32-bit memory BAR's address, with memory decoding and bus mastering
 * on. The firmware (SeaBIOS, which runs before QEMU's PVH option ROM) has
 * assigned it; we only read it.
 */
uint64_t pci_bar_mem(uint32_t dev, int bar)
{
	uint32_t v = pci_read(dev, PCI_BAR0 + 4 * bar);

	if (v & 1)
		GUEST_FAIL("PCI device %u BAR%d is an I/O BAR", dev, bar);
	if (!(v & ~0xfu))
		GUEST_FAIL("PCI device %u BAR%d is unassigned", dev, bar);
	pci_write(dev, PCI_COMMAND,
		  pci_read(dev, PCI_COMMAND) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return v & ~0xfu;
}

/* Point the device's one MSI at (apic_id, vector): fixed, edge, physical. */
void pci_msi_enable(uint32_t dev, uint32_t apic_id, uint8_t vector)
{
	uint32_t cap = 0, ctrl;

	if (pci_read(dev, PCI_COMMAND) & PCI_STATUS_CAP_LIST)
		cap = pci_read(dev, PCI_CAP_PTR) & 0xfc;
	while (cap && (pci_read(dev, cap) & 0xff) != PCI_CAP_ID_MSI)
		cap = (pci_read(dev, cap) >> 8) & 0xfc;
	if (!cap)
		GUEST_FAIL("PCI device %u has no MSI capability", dev);
	ctrl = pci_read(dev, cap);
	pci_write(dev, cap + 4, MSI_ADDR_BASE | apic_id << 12);
	if (ctrl & MSI_CTRL_64BIT) {
		pci_write(dev, cap + 8, 0);
		pci_write(dev, cap + 12, vector);
	} else {
		pci_write(dev, cap + 8, vector);
	}
	pci_write(dev, cap, (ctrl & ~MSI_CTRL_MME_MASK) | MSI_CTRL_ENABLE);
}
