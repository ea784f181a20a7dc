// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_pci.c - the driver side of the virtio 1.x PCI transport (virtio
 * 1.2, 4.1 "Virtio Over PCI Bus"): find the function, locate its common,
 * notify, ISR and device structures through the vendor-specific
 * capabilities (4.1.4), run the initialization sequence of 3.1.1 with the
 * common configuration (4.1.4.3), and route MSI-X vectors (4.1.5.1.2;
 * PCI 3.0, 6.8.2). Configuration space through drivers/pci.c; BARs as
 * the VMM (vmm-mini) or the firmware (SeaBIOS under QEMU) assigned them.
 * Only the setup path: none of this runs per packet.
 */
#include "kernel/pci.h"
#include "kernel/virtio.h"

#define PCI_CAP_PTR		0x34
#define MSIX_CTRL_ENABLE	(1u << 31)	/* in the dword at cap + 0 */
#define MSIX_CTRL_MASKALL	(1u << 30)

static uint64_t cap_addr(struct virtio_pci_dev *d, uint32_t cap)
{
	uint32_t bar = pci_read(d->pci, cap + 4) & 0xff;

	if (bar > 5)
		GUEST_FAIL("virtio: capability at 0x%x names BAR %u", cap, bar);
	return pci_bar_mem(d->pci, bar) + pci_read(d->pci, cap + 8);
}

void vpci_probe(struct virtio_pci_dev *d, uint16_t device_id)
{
	int dev = pci_find(VIRTIO_PCI_VENDOR, device_id);
	uint32_t cap;

	if (dev < 0)
		GUEST_FAIL("virtio: no PCI function %04x:%04x on bus 0", VIRTIO_PCI_VENDOR, device_id);
	*d = (struct virtio_pci_dev){ .pci = dev };
	if ((pci_read(dev, 8) & 0xff) < VIRTIO_PCI_REVISION)
		GUEST_FAIL("virtio: revision %u: a transitional device", pci_read(dev, 8) & 0xff);
	for (cap = pci_read(dev, PCI_CAP_PTR) & 0xfc; cap; cap = pci_read(dev, cap) >> 8 & 0xfc) {
		uint32_t w0 = pci_read(dev, cap);

		if ((w0 & 0xff) == PCI_CAP_ID_MSIX) {
			uint32_t t = pci_read(dev, cap + 4);

			d->msix_cap = cap;
			d->msix_table = pci_bar_mem(dev, t & 7) + (t & ~7u);
			continue;
		}
		if ((w0 & 0xff) != PCI_CAP_ID_VNDR)
			continue;
		/* 4.1.4.1: the first capability of each type is the one to use. */
		switch (w0 >> 24) {
		case VIRTIO_PCI_CAP_COMMON_CFG:
			if (!d->common)
				d->common = cap_addr(d, cap);
			break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			if (!d->notify) {
				d->notify = cap_addr(d, cap);
				d->notify_mult = pci_read(dev, cap + 16);
			}
			break;
		case VIRTIO_PCI_CAP_ISR_CFG:
			if (!d->isr)
				d->isr = cap_addr(d, cap);
			break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			if (!d->device)
				d->device = cap_addr(d, cap);
			break;
		}
	}
	if (!d->common || !d->notify || !d->isr || !d->device || !d->msix_cap)
		GUEST_FAIL("virtio: capabilities missing: common %d notify %d isr %d device %d msix %d",
			   !!d->common, !!d->notify, !!d->isr, !!d->device, !!d->msix_cap);
}

/* 4.1.4.3.2: after writing 0 the driver waits until status reads 0. */
void vpci_reset(struct virtio_pci_dev *d)
{
	writeb(d->common + VIRTIO_COMMON_STATUS, 0);
	for (int i = 0; readb(d->common + VIRTIO_COMMON_STATUS); i++)
		if (i == 1000)
			GUEST_FAIL("virtio: device status stays nonzero after a reset");
}

uint8_t vpci_status(struct virtio_pci_dev *d)
{
	return readb(d->common + VIRTIO_COMMON_STATUS);
}

void vpci_status_or(struct virtio_pci_dev *d, uint8_t bits)
{
	writeb(d->common + VIRTIO_COMMON_STATUS, vpci_status(d) | bits);
}

uint64_t vpci_device_features(struct virtio_pci_dev *d)
{
	uint64_t f;

	writel(d->common + VIRTIO_COMMON_DFSELECT, 0);
	f = readl(d->common + VIRTIO_COMMON_DF);
	writel(d->common + VIRTIO_COMMON_DFSELECT, 1);
	return f | (uint64_t)readl(d->common + VIRTIO_COMMON_DF) << 32;
}

/* 3.1.1 steps 5-6: write ours, set FEATURES_OK, and re-read that it stuck. */
bool vpci_set_features(struct virtio_pci_dev *d, uint64_t features)
{
	writel(d->common + VIRTIO_COMMON_GFSELECT, 0);
	writel(d->common + VIRTIO_COMMON_GF, (uint32_t)features);
	writel(d->common + VIRTIO_COMMON_GFSELECT, 1);
	writel(d->common + VIRTIO_COMMON_GF, features >> 32);
	vpci_status_or(d, VIRTIO_STATUS_FEATURES_OK);
	return vpci_status(d) & VIRTIO_STATUS_FEATURES_OK;
}

uint16_t vpci_queue_max(struct virtio_pci_dev *d, uint16_t q)
{
	writew(d->common + VIRTIO_COMMON_Q_SELECT, q);
	return readw(d->common + VIRTIO_COMMON_Q_SIZE);
}

static void write64(uint64_t a, uint64_t v)
{
	writel(a, (uint32_t)v);
	writel(a + 4, v >> 32);
}

/* 4.1.5.1.3: size, the three parts, the vector (read back: 4.1.5.1.2), enable. */
bool vpci_queue_enable(struct virtio_pci_dev *d, uint16_t q, uint16_t size, uint64_t desc,
		       uint64_t avail, uint64_t used, uint16_t vector)
{
	writew(d->common + VIRTIO_COMMON_Q_SELECT, q);
	writew(d->common + VIRTIO_COMMON_Q_SIZE, size);
	write64(d->common + VIRTIO_COMMON_Q_DESCLO, desc);
	write64(d->common + VIRTIO_COMMON_Q_AVAILLO, avail);
	write64(d->common + VIRTIO_COMMON_Q_USEDLO, used);
	writew(d->common + VIRTIO_COMMON_Q_MSIX, vector);
	if (readw(d->common + VIRTIO_COMMON_Q_MSIX) != vector)
		return false;
	writew(d->common + VIRTIO_COMMON_Q_ENABLE, 1);
	return readw(d->common + VIRTIO_COMMON_Q_ENABLE) == 1;
}

bool vpci_config_vector(struct virtio_pci_dev *d, uint16_t vector)
{
	writew(d->common + VIRTIO_COMMON_MSIX, vector);
	return readw(d->common + VIRTIO_COMMON_MSIX) == vector;
}

/* One MSI-X table entry: fixed, edge, physical destination; unmasked. */
void vpci_msix(struct virtio_pci_dev *d, uint16_t entry, uint32_t apic_id, uint8_t vector)
{
	uint64_t e = d->msix_table + 16ull * entry;

	writel(e + 0, 0xfee00000u | apic_id << 12);
	writel(e + 4, 0);
	writel(e + 8, vector);
	writel(e + 12, 0);
}

void vpci_msix_enable(struct virtio_pci_dev *d)
{
	uint32_t w = pci_read(d->pci, d->msix_cap);

	pci_write(d->pci, d->msix_cap, (w & ~MSIX_CTRL_MASKALL) | MSIX_CTRL_ENABLE);
}

uint64_t vpci_notify_addr(struct virtio_pci_dev *d, uint16_t q)
{
	writew(d->common + VIRTIO_COMMON_Q_SELECT, q);
	return d->notify + (uint64_t)readw(d->common + VIRTIO_COMMON_Q_NOFF) * d->notify_mult;
}
