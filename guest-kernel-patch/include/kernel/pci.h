/* SPDX-License-Identifier: GPL-2.0 */
/* pci.h - configuration space, a memory BAR and one MSI (drivers/pci.c). */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include <stdint.h>

uint32_t pci_read(uint32_t dev, uint32_t off);
void pci_write(uint32_t dev, uint32_t off, uint32_t v);
int pci_find(uint16_t vendor, uint16_t device);	/* bus 0 device number, or -1 */
uint64_t pci_bar_mem(uint32_t dev, int bar);
void pci_msi_enable(uint32_t dev, uint32_t apic_id, uint8_t vector);

#endif
