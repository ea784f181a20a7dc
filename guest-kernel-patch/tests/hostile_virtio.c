// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_virtio.c - a guest that attacks vmm-mini's virtio-net device
 * (--mode virtio): features it was not offered or a legacy driver's, a
 * DRIVER_OK out of order, impossible queue sizes, queues outside RAM or
 * misaligned, narrow and read-only register accesses, notifications for
 * queues that do not exist, a PCI_CFG window of a bad length, then, on a
 * live queue, an available index far ahead, a head beyond the queue, a
 * buffer outside RAM, a descriptor loop, read-only and indirect
 * descriptors, a head made available twice, and an MSI-X message no vCPU
 * can take. Each must be refused and counted (the virqnet ERRORS register
 * reads the same counter), a broken queue must say DEVICE_NEEDS_RESET, and
 * a reset must bring the device back; vmm-mini must neither crash nor
 * touch memory outside guest RAM (the host test runs it under ASan too).
 * Along the way, the PCI rules a stock driver relies on: BAR sizing reads
 * back ~(size - 1), absent functions read all ones, the PCI_CFG window
 * reads a register, the transmit queue gives a sent buffer back.
 */
#include "kernel/pci.h"
#include "kernel/virqnet.h"
#include "kernel/virtio.h"

#define QS 8

static struct virtq_desc desc[QS] __attribute__((aligned(16)));
static struct { uint16_t flags, idx, ring[QS], used_event; } avail __attribute__((aligned(4)));
static struct { uint16_t flags, idx; struct virtq_used_elem ring[QS]; uint16_t ev; } used
	__attribute__((aligned(4)));
static uint8_t bufs[QS][VNET_BUF_SIZE] __attribute__((aligned(64)));
static struct virtq_desc tdesc[QS] __attribute__((aligned(16)));
static struct { uint16_t flags, idx, ring[QS], used_event; } tavail __attribute__((aligned(4)));
static struct { uint16_t flags, idx; struct virtq_used_elem ring[QS]; uint16_t ev; } tused
	__attribute__((aligned(4)));
static struct virtio_pci_dev d;
static const uint64_t good = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX);

static uint32_t errors(void)
{
	return readl(VIRQNET_MMIO_GPA + VIRQNET_REG_ERRORS);
}

static void expect_counted(const char *what, uint32_t before)
{
	for (int i = 0; i < 1000000 && errors() == before; i++)
		pause();
	if (errors() == before)
		GUEST_FAIL("%s was not counted", what);
}

static void to_features(void)
{
	vpci_reset(&d);
	vpci_status_or(&d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
}

/* A clean device with one live receive queue of QS buffers, none available. */
static void live(void)
{
	to_features();
	GUEST_ASSERT(vpci_set_features(&d, good));
	for (int i = 0; i < QS; i++)
		desc[i] = (struct virtq_desc){ (uint64_t)bufs[i], VNET_BUF_SIZE, VIRTQ_DESC_F_WRITE, 0 };
	avail.idx = 0;
	GUEST_ASSERT(vpci_queue_enable(&d, VIRTIO_NET_RXQ, QS, (uint64_t)desc, (uint64_t)&avail,
				       (uint64_t)&used, 1));
	GUEST_ASSERT(vpci_config_vector(&d, 0));
	vpci_status_or(&d, VIRTIO_STATUS_DRIVER_OK);
	GUEST_ASSERT(vpci_status(&d) & VIRTIO_STATUS_DRIVER_OK);
}

/* Make one head available (after editing desc[head]) and notify; it must be refused. */
static void expect_queue_error(const char *what, uint16_t head, uint16_t idx_step)
{
	uint32_t before = errors();

	avail.ring[avail.idx % QS] = head;
	__atomic_store_n(&avail.idx, avail.idx + idx_step, __ATOMIC_RELEASE);
	writew(vpci_notify_addr(&d, VIRTIO_NET_RXQ), VIRTIO_NET_RXQ);
	expect_counted(what, before);
	if (!(vpci_status(&d) & VIRTIO_STATUS_NEEDS_RESET))
		GUEST_FAIL("%s: the device does not say DEVICE_NEEDS_RESET", what);
	live();
}

static void expect_queue_refused(const char *what, uint16_t size, uint64_t dgpa)
{
	uint32_t before = errors();

	to_features();
	GUEST_ASSERT(vpci_set_features(&d, good));
	if (vpci_queue_enable(&d, VIRTIO_NET_RXQ, size, dgpa, (uint64_t)&avail, (uint64_t)&used, 1))
		GUEST_FAIL("device enabled a queue with %s", what);
	expect_counted(what, before);
}

static void hostile_virtio(void)
{
	uint64_t ram = boot_info->mem_bytes;
	uint32_t before, bar0;

	require_vmm_mini("the virtio-net device");
	GUEST_ASSERT_EQ(readl(VIRQNET_MMIO_GPA + VIRQNET_REG_MODE), VIRQNET_MODE_VIRTIO);
	GUEST_ASSERT_EQ(pci_read(0, 0), 0xffffffffu);	/* an empty slot */
	vpci_probe(&d, VIRTIO_PCI_DEVICE_NET);
	bar0 = pci_read(d.pci, 0x10);
	pci_write(d.pci, 0x10, 0xffffffffu);
	GUEST_ASSERT_EQ(pci_read(d.pci, 0x10), ~(uint32_t)(VIRTIO_PCI_BAR0_SIZE - 1));
	pci_write(d.pci, 0x10, bar0);

	/* Feature negotiation (3.1.1, 6): FEATURES_OK must not stick. */
	before = errors();
	to_features();
	if (vpci_set_features(&d, good | VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF)))
		GUEST_FAIL("device accepted a feature it did not offer");
	expect_counted("a feature that was not offered", before);
	before = errors();
	to_features();
	if (vpci_set_features(&d, VIRTIO_BIT(VIRTIO_F_EVENT_IDX)))
		GUEST_FAIL("device accepted a driver without VIRTIO_F_VERSION_1");
	expect_counted("a legacy driver", before);
	before = errors();
	to_features();
	vpci_status_or(&d, VIRTIO_STATUS_DRIVER_OK);
	if (vpci_status(&d) & VIRTIO_STATUS_DRIVER_OK)
		GUEST_FAIL("device took DRIVER_OK without FEATURES_OK");
	expect_counted("DRIVER_OK before FEATURES_OK", before);

	/* Queue setup (2.7, 4.1.4.3.2). */
	expect_queue_refused("size 7", 7, (uint64_t)desc);
	expect_queue_refused("size 2048", 2048, (uint64_t)desc);
	expect_queue_refused("descriptors past the end of RAM", QS, ram - 64);
	expect_queue_refused("descriptors in the MMIO window", QS, VIRTIO_PCI_BAR0_GPA);
	expect_queue_refused("misaligned descriptors", QS, (uint64_t)desc + 8);

	/* Register accesses (4.1.3.1 natural widths; read-only fields; notifications). */
	before = errors();
	(void)readb(d.common + VIRTIO_COMMON_DF);
	expect_counted("a 1-byte read of a 32-bit register", before);
	before = errors();
	writew(d.common + VIRTIO_COMMON_NUMQ, 9);
	expect_counted("a write to num_queues", before);
	before = errors();
	writew(d.notify + 7 * d.notify_mult, 7);
	expect_counted("a notification for queue 7", before);
	before = errors();
	pci_write(d.pci, 0x98 + 12, 3);		/* PCI_CFG window: length 3 */
	(void)pci_read(d.pci, 0x98 + 16);
	expect_counted("a PCI_CFG window of length 3", before);

	/* What works must work: the PCI_CFG window reads device_status (4.1.4.9). */
	live();
	pci_write(d.pci, 0x98 + 4, 0);		/* bar 0 */
	pci_write(d.pci, 0x98 + 8, VIRTIO_COMMON_STATUS);
	pci_write(d.pci, 0x98 + 12, 1);
	GUEST_ASSERT_EQ(pci_read(d.pci, 0x98 + 16) & 0xff, vpci_status(&d));

	/* ... and the transmit queue gives a sent buffer back, dropped (length 0). */
	to_features();
	GUEST_ASSERT(vpci_set_features(&d, good));
	GUEST_ASSERT(vpci_queue_enable(&d, VIRTIO_NET_TXQ, QS, (uint64_t)tdesc, (uint64_t)&tavail,
				       (uint64_t)&tused, VIRTIO_MSI_NO_VECTOR));
	vpci_status_or(&d, VIRTIO_STATUS_DRIVER_OK);
	tdesc[0] = (struct virtq_desc){ (uint64_t)bufs[0], 60, 0, 0 };
	tavail.ring[0] = 0;
	__atomic_store_n(&tavail.idx, 1, __ATOMIC_RELEASE);
	writew(vpci_notify_addr(&d, VIRTIO_NET_TXQ), VIRTIO_NET_TXQ);
	GUEST_ASSERT_EQ(__atomic_load_n(&tused.idx, __ATOMIC_ACQUIRE), 1);
	GUEST_ASSERT_EQ(tused.ring[0].id, 0);
	GUEST_ASSERT_EQ(tused.ring[0].len, 0);

	/* A live queue, then one bad chain at a time; each breaks it until reset. */
	live();
	expect_queue_error("an available index 5000 ahead", 0, 5000);
	expect_queue_error("a head beyond the queue", QS + 3, 1);
	desc[1].addr = ram - 16;
	expect_queue_error("a buffer past the end of RAM", 1, 1);
	desc[2].flags = VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT;
	desc[2].next = 2;
	expect_queue_error("a descriptor chained to itself", 2, 1);
	desc[3].flags = 0;
	expect_queue_error("a read-only receive buffer", 3, 1);
	desc[4].flags = VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_INDIRECT;
	expect_queue_error("an indirect descriptor (not negotiated)", 4, 1);
	avail.ring[avail.idx % QS] = 5;		/* head 5 twice in a row */
	avail.idx++;
	expect_queue_error("a head made available twice", 5, 1);

	/* An MSI-X message to no vCPU: counted when the device would send it. */
	vpci_msix(&d, 0, 99, VNET_CFG_VECTOR);
	vpci_msix_enable(&d);
	before = errors();
	expect_queue_error("a bad available index with a bad MSI-X message", 0, 5000);
	if (errors() < before + 2)
		GUEST_FAIL("the MSI-X message to vCPU 99 was not counted (%u -> %u)", before, errors());
	printf("hostile-virtio: every attack refused and counted (%u errors)\n", errors());
}
GUEST_TEST("hostile-virtio", hostile_virtio, NULL);
