/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio.h - the guest's virtio 1.x PCI transport (drivers/virtio_pci.c)
 * and its NAPI-style virtio-net receive driver (drivers/virtio_net_napi.c).
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include "kernel/kernel.h"
#include "uapi/virtio.h"

static inline uint8_t readb(uint64_t a) { return *(volatile uint8_t *)a; }
static inline uint16_t readw(uint64_t a) { return *(volatile uint16_t *)a; }
static inline void writeb(uint64_t a, uint8_t v) { *(volatile uint8_t *)a = v; }
static inline void writew(uint64_t a, uint16_t v) { *(volatile uint16_t *)a = v; }

/* Where a virtio PCI function's structures are (4.1.4), found at probe. */
struct virtio_pci_dev {
	uint32_t pci;			/* device number on bus 0 */
	uint64_t common, isr, device, notify;
	uint32_t notify_mult;
	uint32_t msix_cap;		/* configuration-space offset */
	uint64_t msix_table;
};

void vpci_probe(struct virtio_pci_dev *d, uint16_t device_id);
void vpci_reset(struct virtio_pci_dev *d);
void vpci_status_or(struct virtio_pci_dev *d, uint8_t bits);
uint8_t vpci_status(struct virtio_pci_dev *d);
uint64_t vpci_device_features(struct virtio_pci_dev *d);
bool vpci_set_features(struct virtio_pci_dev *d, uint64_t features);
uint16_t vpci_queue_max(struct virtio_pci_dev *d, uint16_t q);
bool vpci_queue_enable(struct virtio_pci_dev *d, uint16_t q, uint16_t size, uint64_t desc,
		       uint64_t avail, uint64_t used, uint16_t vector);
bool vpci_config_vector(struct virtio_pci_dev *d, uint16_t vector);
void vpci_msix(struct virtio_pci_dev *d, uint16_t entry, uint32_t apic_id, uint8_t vector);
void vpci_msix_enable(struct virtio_pci_dev *d);
uint64_t vpci_notify_addr(struct virtio_pci_dev *d, uint16_t q);

/* drivers/virtio_net_napi.c */
#define VNET_RX_VECTOR		0x50	/* the receive queue's MSI-X message */
#define VNET_CFG_VECTOR		0x51	/* configuration changes (link down: the run is over) */
#define VNET_QUEUE_SIZE		1024
#define VNET_BUF_SIZE		2112	/* the 54-byte prefix + 2058 bytes of payload, x64 */

typedef void (*vnet_take_fn)(const uint8_t *data, uint32_t len);
extern uint32_t vnet_split;
void vnet_probe(void);
uint64_t vnet_trace_gpa(void);
uint64_t vnet_consume(vnet_take_fn take, uint32_t budget);
extern volatile uint64_t vnet_kicks;

#endif
