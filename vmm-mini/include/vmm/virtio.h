/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio.h - vmm-mini's virtio 1.x device side: a split virtqueue that
 * never trusts guest memory (virtio_ring.c), the PCI transport with MSI-X
 * (virtio_pci.c), and the network device's receive queue (virtio_net.c).
 *
 * One lock, the receive device's (struct virqnet.lock), covers all of it:
 * the vCPU threads (register accesses, notifications) and the receive
 * thread (buffers taken and used) both take it.
 */
#ifndef VMM_VIRTIO_H
#define VMM_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "uapi/virtio.h"
#include "vmm/pci.h"

struct vm;
struct virqnet;
struct virqnet_host;
struct virtio_pci;

#define VQ_MAX_SEGS	16	/* longest receive chain taken (else a guest error) */

/* A chain the device holds: what it validated when it took it, never re-read. */
struct vq_chain {
	uint16_t nseg;
	bool held;		/* taken from avail, not yet put in used */
	uint32_t total;		/* bytes, capped */
	struct iovec seg[VQ_MAX_SEGS];
};

struct virtq {
	/* Programmed by the driver (common configuration), checked at enable. */
	uint16_t size, msix_vector;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool enabled;

	/* Host pointers and the device's own indices once enabled. */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_avail, used_idx, signalled_used;
	bool signalled_valid;	/* signalled_used means something (no reset since) */
	bool broken;		/* a guest error: the queue waits for a reset */
	bool device_polls;	/* the device reads avail whenever it wants a buffer: no notifications */
	struct vq_chain *chains;	/* [size], by head descriptor index */
	uint64_t kicks;		/* driver notifications (2.7.13.4) */
};

/*
 * A fresh look at guest memory begins (taking one chain): nothing fetched
 * before it is used after it, so the fuzz build's double-fetch check
 * (virqnet_fetch_hook, vmm/virqnet_dev.h) starts over. A notification that
 * takes every chain made available reads avail.idx once per chain, each
 * value checked on its own; that is not a double fetch.
 */
#ifdef VIRQNET_FUZZ
void virqnet_fetch_scope(void);
#else
#define virqnet_fetch_scope() ((void)0)
#endif

/* virtio_ring.c: 2.7 Split Virtqueues, device side. */
int virtq_enable(struct virtq *vq, struct virtio_pci *vp);
void virtq_reset(struct virtq *vq);
/* A writable chain for the device, or -1 (none available, or the queue broke). */
int virtq_pop(struct virtq *vq, struct virtio_pci *vp, bool event_idx, bool device_writes);
/* Put chain head in the used ring, len bytes written; returns true to interrupt. */
bool virtq_push(struct virtq *vq, uint16_t head, uint32_t len, bool event_idx);
/* The same without the interrupt decision: the next push makes it. */
void virtq_put(struct virtq *vq, uint16_t head, uint32_t len);

/* virtio_pci.c: 4.1 Virtio Over PCI Bus. */
struct virtio_dev_ops {
	uint64_t features;		/* offered */
	uint16_t nr_queues, queue_max;
	uint32_t polled_queues;		/* bit q: queue q needs no driver notifications */
	void (*cfg_read)(void *dev, uint32_t off, uint8_t *data, uint32_t len);
	void (*notify)(void *dev, uint16_t queue);
	void (*reset)(void *dev);
	void (*guest_error)(void *dev, const char *msg);	/* counted, first few printed */
};

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct virtio_pci {
	const struct virqnet_host *host;	/* guest memory and interrupts */
	struct pci_dev pdev;
	const struct virtio_dev_ops *ops;
	void *dev;
	pthread_mutex_t *lock;

	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	uint8_t status, isr, cfg_gen;
	uint16_t queue_sel, config_vector;
	struct virtq vq[VIRTIO_NET_NR_QUEUES];

	struct msix_entry msix[VIRTIO_MSIX_VECTORS];
	uint64_t pba;
	bool msix_enabled, msix_masked;
	/* (APIC ID, vector) -> the host's handle (an irqfd): a bounded few, so a
	 * guest cannot use up KVM's routes */
	struct { uint32_t apic_id, vector; int handle; } routes[8];
	unsigned int nr_routes;
	uint64_t irq_failures;		/* irqfd writes that failed: the first printed */
	char err[160];
};

void virtio_pci_init(struct virtio_pci *vp, struct vm *vm, const struct virqnet_host *host,
		     const struct virtio_dev_ops *ops, void *dev, pthread_mutex_t *lock);
bool virtio_pci_negotiated(const struct virtio_pci *vp, int bit);
bool virtio_pci_live(const struct virtio_pci *vp);	/* DRIVER_OK, not NEEDS_RESET */
/* Send vector's MSI-X message (or mark it pending); false if it could not go. */
bool virtio_pci_msix(struct virtio_pci *vp, uint16_t vector);
void virtio_pci_config_changed(struct virtio_pci *vp);
void virtio_pci_error(struct virtio_pci *vp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void virtio_pci_needs_reset(struct virtio_pci *vp);

/*
 * The network device's state (virtio_net.c), in the header so that the
 * fuzz harness (tests/fuzz/virtio_fuzz.c) can check its invariants: every
 * chain the device holds is stashed or lent, exactly once.
 */
#define VIRTIO_NET_BOUNCE_SIZE	(9000 + 64)	/* VIRQLAB_PAYLOAD_MAX + 64 */

struct virtio_net {
	struct virtio_pci vp;
	struct virqnet *q;
	uint16_t link;			/* virtio_net_config.status */
	uint32_t gen;			/* bumped on every reset: stale receives are dropped */
	uint16_t stash[VIRTIO_NET_QUEUE_MAX];	/* chains taken, returned unused */
	uint32_t nr_stash;
	/* by head, VIRTIO_NET_BOUNCE_SIZE each, made when first needed */
	uint8_t *bounce[VIRTIO_NET_QUEUE_MAX];
	uint64_t tx_dropped;
	uint64_t rx_refused;		/* receive chains too small for any datagram */
};

/*
 * virtio_net.c: 5.1 Network Device, the receive queue behind vmm-mini's
 * source: the virtio mode's queue hooks (vmm/virqnet_dev.h) and its end of
 * run. The hooks run with the receive device's lock held.
 */
extern const struct virqnet_queue_ops virtio_net_queue;
void virtio_net_finish(struct virqnet *dev);
void virtio_net_reopen(struct virqnet *dev);
/* Unplug it and free it (the fuzz harness makes one device per input). */
void virtio_net_detach(struct virqnet *dev);

#endif
