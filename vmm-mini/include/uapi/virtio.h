/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio.h - the virtio 1.x ABI that vmm-mini's virtio-net device (--mode
 * virtio) and the guest's driver share: the PCI transport's capabilities and
 * common configuration (virtio 1.2, 4.1 "Virtio Over PCI Bus"), the split
 * virtqueue (2.7 "Split Virtqueues"), and the network device's feature bits,
 * configuration and header (5.1 "Network Device"). Written from the
 * specification; everything is little-endian, as virtio 1.x is.
 *
 * Where vmm-mini puts the device (its "firmware" assigns the BARs, as
 * kvmtool does; a driver reads them from configuration space):
 *   bus 0 device VIRTIO_PCI_SLOT; BAR0 VIRTIO_PCI_BAR0_GPA (the virtio
 *   structures), BAR1 VIRTIO_PCI_BAR1_GPA (the MSI-X table and PBA).
 */
#ifndef VIRQLAB_VIRTIO_H
#define VIRQLAB_VIRTIO_H

#include <stdint.h>

/* 4.1.2 PCI Device Discovery: modern-only device, 0x1040 + device type. */
#define VIRTIO_PCI_VENDOR		0x1af4
#define VIRTIO_ID_NET			1
#define VIRTIO_PCI_DEVICE_NET		(0x1040 + VIRTIO_ID_NET)
#define VIRTIO_PCI_REVISION		1	/* non-transitional: >= 1 */
#define VIRTIO_PCI_SUBSYS_ID		0x0040	/* SHOULD be >= 0x40 */

/* The PCI hole the bus decodes BARs in, inside the guest's 2 MiB UC window. */
#define VIRTIO_PCI_HOLE_GPA		0xc0100000ULL
#define VIRTIO_PCI_HOLE_SIZE		0x100000ULL
#define VIRTIO_PCI_SLOT			1
#define VIRTIO_PCI_BAR0_GPA		0xc0100000ULL
#define VIRTIO_PCI_BAR0_SIZE		0x4000
#define VIRTIO_PCI_BAR1_GPA		0xc0110000ULL
#define VIRTIO_PCI_BAR1_SIZE		0x1000

/* BAR0 layout: one structure per page. */
#define VIRTIO_BAR0_COMMON		0x0000
#define VIRTIO_BAR0_ISR			0x1000
#define VIRTIO_BAR0_DEVICE		0x2000
#define VIRTIO_BAR0_NOTIFY		0x3000
#define VIRTIO_NOTIFY_MULTIPLIER	4	/* queue q notifies at NOTIFY + 4 * q */

/* BAR1: the MSI-X table (PCI 3.0, 6.8.2) and its pending-bit array. */
#define VIRTIO_MSIX_TABLE		0x000
#define VIRTIO_MSIX_PBA			0x800
#define VIRTIO_MSIX_VECTORS		3	/* config, receiveq0, transmitq0 */
#define VIRTIO_MSI_NO_VECTOR		0xffff

/* 4.1.4 Virtio Structure PCI Capabilities: vendor-specific capability 0x09. */
#define PCI_CAP_ID_VNDR			0x09
#define PCI_CAP_ID_MSIX			0x11
enum virtio_pci_cap_type {
	VIRTIO_PCI_CAP_COMMON_CFG = 1,
	VIRTIO_PCI_CAP_NOTIFY_CFG = 2,
	VIRTIO_PCI_CAP_ISR_CFG = 3,
	VIRTIO_PCI_CAP_DEVICE_CFG = 4,
	VIRTIO_PCI_CAP_PCI_CFG = 5,
};

struct virtio_pci_cap {
	uint8_t cap_vndr, cap_next, cap_len, cfg_type;
	uint8_t bar, id, padding[2];
	uint32_t offset, length;
};

/* 4.1.4.3 Common configuration structure layout (the 1.0 part: 0x38 bytes). */
#define VIRTIO_COMMON_DFSELECT		0x00	/* le32 device_feature_select */
#define VIRTIO_COMMON_DF		0x04	/* le32 device_feature, RO */
#define VIRTIO_COMMON_GFSELECT		0x08	/* le32 driver_feature_select */
#define VIRTIO_COMMON_GF		0x0c	/* le32 driver_feature */
#define VIRTIO_COMMON_MSIX		0x10	/* le16 config_msix_vector */
#define VIRTIO_COMMON_NUMQ		0x12	/* le16 num_queues, RO */
#define VIRTIO_COMMON_STATUS		0x14	/* u8 device_status */
#define VIRTIO_COMMON_CFGGEN		0x15	/* u8 config_generation, RO */
#define VIRTIO_COMMON_Q_SELECT		0x16	/* le16 */
#define VIRTIO_COMMON_Q_SIZE		0x18	/* le16 */
#define VIRTIO_COMMON_Q_MSIX		0x1a	/* le16 */
#define VIRTIO_COMMON_Q_ENABLE		0x1c	/* le16 */
#define VIRTIO_COMMON_Q_NOFF		0x1e	/* le16 queue_notify_off, RO */
#define VIRTIO_COMMON_Q_DESCLO		0x20	/* le64 queue_desc */
#define VIRTIO_COMMON_Q_DESCHI		0x24
#define VIRTIO_COMMON_Q_AVAILLO		0x28	/* le64 queue_driver */
#define VIRTIO_COMMON_Q_AVAILHI		0x2c
#define VIRTIO_COMMON_Q_USEDLO		0x30	/* le64 queue_device */
#define VIRTIO_COMMON_Q_USEDHI		0x34
#define VIRTIO_COMMON_SIZE		0x38

/* 2.1 Device Status Field. */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	64
#define VIRTIO_STATUS_FAILED		128

/* 4.1.4.5 ISR status: bit 0 a queue interrupt, bit 1 a configuration change. */
#define VIRTIO_ISR_QUEUE		1
#define VIRTIO_ISR_CONFIG		2

/* Feature bits (6 "Reserved Feature Bits", 5.1.3 "Feature bits"). */
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
#define VIRTIO_F_INDIRECT_DESC		28
#define VIRTIO_F_EVENT_IDX		29
#define VIRTIO_F_VERSION_1		32
#define VIRTIO_BIT(b)			(1ull << (b))

/* 2.7.5 The Virtqueue Descriptor Table. */
#define VIRTQ_DESC_F_NEXT		1
#define VIRTQ_DESC_F_WRITE		2
#define VIRTQ_DESC_F_INDIRECT		4

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/*
 * 2.7.6 The Virtqueue Available Ring: flags, idx, ring[size], then
 * used_event (with VIRTIO_F_EVENT_IDX). 2.7.8 The Virtqueue Used Ring:
 * flags, idx, ring[size] of {id, len}, then avail_event.
 */
#define VIRTQ_AVAIL_F_NO_INTERRUPT	1
#define VIRTQ_USED_F_NO_NOTIFY		1

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* [size], then uint16_t used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];	/* [size], then uint16_t avail_event */
};

/* Bytes of each part for a queue of size n (2.7, the table of sizes). */
#define VIRTQ_DESC_BYTES(n)		(16ull * (n))
#define VIRTQ_AVAIL_BYTES(n)		(6ull + 2ull * (n))
#define VIRTQ_USED_BYTES(n)		(6ull + 8ull * (n))

/*
 * 2.7.7.2 / 2.7.10: with VIRTIO_F_EVENT_IDX, notify when the index moved
 * from old past event: event lies in [old, new). Free-running 16-bit indices.
 */
static inline int virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

/* 5.1.4 Device configuration layout (MAC and STATUS offered). */
#define VIRTIO_NET_S_LINK_UP		1
struct virtio_net_config {
	uint8_t mac[6];
	uint16_t status;
	uint16_t max_virtqueue_pairs;
};

/*
 * 5.1.6 Device Operation: every receive buffer starts with this header;
 * with VIRTIO_F_VERSION_1 it is 12 bytes and num_buffers is present even
 * without VIRTIO_NET_F_MRG_RXBUF (then the device sets it to 1).
 */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

#define VIRTIO_NET_RXQ			0
#define VIRTIO_NET_TXQ			1
#define VIRTIO_NET_NR_QUEUES		2
#define VIRTIO_NET_QUEUE_MAX		1024

/*
 * What the device puts in front of each datagram's payload: the header,
 * then the Ethernet (14), IPv4 (20) and UDP (8) headers it synthesizes,
 * since its source is a UDP socket and virtio-net carries frames.
 */
#define VIRTIO_NET_FRAME_HDRS		42
#define VIRTIO_NET_RX_PREFIX		(sizeof(struct virtio_net_hdr) + VIRTIO_NET_FRAME_HDRS)

_Static_assert(sizeof(struct virtio_pci_cap) == 16, "virtio_pci_cap is 16 bytes");
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is 16 bytes");
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "v1 virtio_net_hdr is 12 bytes");

#endif /* VIRQLAB_VIRTIO_H */
