/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pci.h - a PCI bus 0 for vmm-mini: configuration mechanism #1 and memory
 * BARs decoded in one hole of the device window (vmm-mini/pci.c).
 */
#ifndef VMM_PCI_H
#define VMM_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/devices.h"

#define PCI_CFG_SIZE		256
#define PCI_MAX_BARS		6

#define PCI_VENDOR_ID		0x00
#define PCI_COMMAND		0x04
#define PCI_COMMAND_MEMORY	(1u << 1)
#define PCI_COMMAND_MASTER	(1u << 2)
#define PCI_COMMAND_INTX_DISABLE (1u << 10)
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	(1u << 4)
#define PCI_REVISION		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYS_VENDOR	0x2c
#define PCI_SUBSYS_ID		0x2e
#define PCI_CAP_PTR		0x34

struct pci_dev;

/*
 * A function's hooks. cfg_write sees every configuration write the bus did
 * not handle itself (the header's COMMAND and BARs): capability registers.
 * bar_io handles an access at offset off of BAR bar, which the bus has
 * checked lies inside it.
 */
struct pci_dev_ops {
	void (*cfg_write)(struct pci_dev *pdev, uint32_t off, uint32_t val, uint32_t len);
	void (*cfg_read)(struct pci_dev *pdev, uint32_t off, uint8_t *data, uint32_t len);
	bool (*bar_io)(struct pci_dev *pdev, struct vcpu *vcpu, int bar, uint64_t off,
		       uint8_t *data, uint32_t len, bool is_write);
};

struct pci_dev {
	uint8_t cfg[PCI_CFG_SIZE];	/* the header and capabilities, as read */
	uint8_t wmask[PCI_CFG_SIZE];	/* bits the driver may write, byte by byte */
	uint32_t bar_size[PCI_MAX_BARS];	/* 0: no BAR; else a power of 2 >= 16 */
	const struct pci_dev_ops *ops;
	void *opaque;
	unsigned int slot;
};

void pci__init(struct vm *vm);
void pci__register(struct pci_dev *pdev, unsigned int slot);
void pci__unregister(struct pci_dev *pdev);
/* A BAR's address as programmed now (memory decoding on or off). */
uint64_t pci_bar_addr(const struct pci_dev *pdev, int bar);
/* Access a BAR as a memory access would (the virtio PCI_CFG window). */
bool pci_bar_access(struct pci_dev *pdev, struct vcpu *vcpu, int bar, uint64_t off,
		    uint8_t *data, uint32_t len, bool is_write);

static inline void pci_cfg_put(struct pci_dev *p, uint32_t off, uint32_t v, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		p->cfg[off + i] = v >> (8 * i);
}

static inline uint32_t pci_cfg_get(const struct pci_dev *p, uint32_t off, uint32_t len)
{
	uint32_t v = 0;

	for (uint32_t i = 0; i < len; i++)
		v |= (uint32_t)p->cfg[off + i] << (8 * i);
	return v;
}

#endif
