// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_ring.c - the device side of a split virtqueue (virtio 1.2, 2.7
 * "Split Virtqueues"): taking the chains the driver made available, each
 * one all device-writable (a receive queue) or all device-readable (a
 * transmit queue), and returning them through the used ring, with the
 * event-index rules of 2.7.7 and 2.7.10.
 *
 * Trust: the descriptor table and the available ring are the driver's
 * memory and may change under us at any time. Every index is read once
 * (one load per field, so no double fetch can make a checked value and a
 * used value differ), a descriptor is copied before it is looked at, and
 * what the device keeps of a chain (host pointers, lengths) is what it
 * checked when it took the chain. A bad value is a guest error: counted,
 * the first few printed, the queue marked broken until the driver resets
 * the device (2.1.2: the device SHOULD set DEVICE_NEEDS_RESET), never a
 * crash and never an access outside guest RAM.
 *
 * Called with the device lock held (vmm/virtio.h).
 */
#include <stdlib.h>
#include <string.h>

#include "vmm/util.h"
#include "vmm/virqnet_dev.h"
#include "vmm/virtio.h"

#define VQ_MAX_CHAIN_BYTES	(64u << 10)

static uint16_t *used_event(struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static uint16_t *avail_event(struct virtq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

/*
 * 4.1.4.3.2: the driver MUST NOT write a size that is 0 or not a power of
 * 2; the table in 2.7 gives each part's alignment and size. All three must
 * lie in guest RAM.
 */
int virtq_enable(struct virtq *vq, struct virtio_pci *vp)
{
	const struct virqnet_host *h = vp->host;
	uint16_t n = vq->size;

	if (!n || (n & (n - 1)) || n > vp->ops->queue_max) {
		virtio_pci_error(vp, "queue size %u is not a power of two in 1..%u", n,
				 vp->ops->queue_max);
		return -1;
	}
	if ((vq->desc_gpa & 15) || (vq->avail_gpa & 1) || (vq->used_gpa & 3)) {
		virtio_pci_error(vp, "queue parts misaligned: desc 0x%llx avail 0x%llx used 0x%llx",
				 (unsigned long long)vq->desc_gpa,
				 (unsigned long long)vq->avail_gpa,
				 (unsigned long long)vq->used_gpa);
		return -1;
	}
	vq->desc = h->gpa_to_hva(h->ctx, vq->desc_gpa, VIRTQ_DESC_BYTES(n));
	vq->avail = h->gpa_to_hva(h->ctx, vq->avail_gpa, VIRTQ_AVAIL_BYTES(n));
	vq->used = h->gpa_to_hva(h->ctx, vq->used_gpa, VIRTQ_USED_BYTES(n));
	if (!vq->desc || !vq->avail || !vq->used) {
		virtio_pci_error(vp, "queue desc 0x%llx, avail 0x%llx or used 0x%llx (size %u) "
				 "outside guest RAM", (unsigned long long)vq->desc_gpa,
				 (unsigned long long)vq->avail_gpa,
				 (unsigned long long)vq->used_gpa, n);
		return -1;
	}
	free(vq->chains);
	vq->chains = calloc(n, sizeof(*vq->chains));
	if (!vq->chains)
		die("out of memory for a virtqueue's chains");
	vq->last_avail = vq->used_idx = 0;
	vq->signalled_valid = false;
	vq->broken = false;
	vq->device_polls = vp->ops->polled_queues & (1u << (vq - vp->vq));
	/* The device owns the used ring: start it clean (2.7.8). */
	__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);
	__atomic_store_n(avail_event(vq), vq->device_polls ? 0x8000 : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vq->used->idx, 0, __ATOMIC_RELEASE);
	vq->enabled = true;
	return 0;
}

void virtq_reset(struct virtq *vq)
{
	free(vq->chains);
	*vq = (struct virtq){ .msix_vector = VIRTIO_MSI_NO_VECTOR };
}

static void vq_broken(struct virtq *vq, struct virtio_pci *vp)
{
	vq->broken = true;
	virtio_pci_needs_reset(vp);
}

/*
 * Walk and check one chain (2.7.5): every descriptor device-writable for a
 * receive queue (2.7.5.1: the device MUST NOT write a read-only one) or
 * device-readable for a transmit queue, no indirect table
 * (VIRTIO_F_INDIRECT_DESC is not offered), next within the table, no loop
 * (2.7.5.2: a chain that revisits a descriptor; caught before the second
 * fetch), each buffer in guest RAM (addr + len checked without overflow
 * by gpa_to_hva).
 */
static int walk_chain(struct virtq *vq, struct virtio_pci *vp, uint16_t head, bool writes,
		      struct vq_chain *c)
{
	uint16_t i = head, walked[VQ_MAX_SEGS];

	c->nseg = 0;
	c->total = 0;
	for (unsigned int n = 0;; n++) {
		struct virtq_desc d;
		void *hva;

		if (n == vq->size || n == VQ_MAX_SEGS) {
			virtio_pci_error(vp, "chain at head %u: more than %u descriptors", head, n);
			return -1;
		}
		/*
		 * A loop is caught where it closes, before the descriptor is
		 * read again: each is fetched once per chain (a second copy
		 * could differ from the one checked).
		 */
		for (unsigned int j = 0; j < n; j++)
			if (walked[j] == i) {
				virtio_pci_error(vp, "chain at head %u: descriptor %u twice (a loop)",
						 head, i);
				return -1;
			}
		walked[n] = i;
		gmem_copy(&d, &vq->desc[i], sizeof(d), "desc");	/* one read of the driver's copy */
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			virtio_pci_error(vp, "descriptor %u: INDIRECT, which was not negotiated", i);
			return -1;
		}
		if (!(d.flags & VIRTQ_DESC_F_WRITE) != !writes) {
			virtio_pci_error(vp, "descriptor %u: %s buffer where the device %s", i,
					 writes ? "read-only" : "writable", writes ? "writes" : "reads");
			return -1;
		}
		hva = d.len ? vp->host->gpa_to_hva(vp->host->ctx, d.addr, d.len) : NULL;
		if (d.len && !hva) {
			virtio_pci_error(vp, "descriptor %u: buffer 0x%llx+%u outside guest RAM", i,
					 (unsigned long long)d.addr, d.len);
			return -1;
		}
		if (d.len) {
			uint32_t room = VQ_MAX_CHAIN_BYTES - c->total;
			uint32_t len = d.len < room ? d.len : room;

			c->seg[c->nseg++] = (struct iovec){ hva, len };
			c->total += len;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= vq->size) {
			virtio_pci_error(vp, "descriptor %u: next %u beyond queue size %u", i, d.next,
					 vq->size);
			return -1;
		}
		i = d.next;
	}
}

/*
 * Take the next available chain (2.7.13 from the device's side). When the
 * ring is empty and event indices are on, ask to be notified of the next
 * one (avail_event = the index we wait for, 2.7.10), then look once more:
 * a buffer made available between the two looks would otherwise wait for
 * a notification the driver decided not to send. A queue the device polls
 * (device_polls) asks for none: avail_event stays 0x8000 past what it took,
 * where a driver's batch of at most size entries never reaches.
 */
int virtq_pop(struct virtq *vq, struct virtio_pci *vp, bool event_idx, bool device_writes)
{
	uint16_t avail, head;
	struct vq_chain *c;

	virqnet_fetch_scope();
	if (!vq->enabled || vq->broken)
		return -1;
	avail = gmem_load(&vq->avail->idx, __ATOMIC_ACQUIRE, "avail.idx");
	if (avail == vq->last_avail && event_idx && !vq->device_polls) {
		__atomic_store_n(avail_event(vq), vq->last_avail, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* A second look, which supersedes the first entirely. */
		avail = gmem_load(&vq->avail->idx, __ATOMIC_ACQUIRE, "avail.idx after avail_event");
	}
	if (avail == vq->last_avail)
		return -1;
	if ((uint16_t)(avail - vq->last_avail) > vq->size) {
		virtio_pci_error(vp, "available index %u is %u ahead of the device's %u, queue size %u",
				 avail, (uint16_t)(avail - vq->last_avail), vq->last_avail, vq->size);
		vq_broken(vq, vp);
		return -1;
	}
	head = gmem_load(&vq->avail->ring[vq->last_avail & (vq->size - 1)], __ATOMIC_RELAXED,
			 "avail.ring");
	if (head >= vq->size) {
		virtio_pci_error(vp, "available ring entry %u: head %u beyond queue size %u",
				 vq->last_avail, head, vq->size);
		vq_broken(vq, vp);
		return -1;
	}
	c = &vq->chains[head];
	if (c->held) {
		virtio_pci_error(vp, "head %u made available again while the device holds it", head);
		vq_broken(vq, vp);
		return -1;
	}
	if (walk_chain(vq, vp, head, device_writes, c) < 0) {
		vq_broken(vq, vp);
		return -1;
	}
	vq->last_avail++;
	c->held = true;
	/* A polling device keeps avail_event half the index space ahead: never crossed. */
	if (event_idx && vq->device_polls)
		__atomic_store_n(avail_event(vq), vq->last_avail + 0x8000, __ATOMIC_RELAXED);
	return head;
}

/*
 * 2.7.8: write the element, then publish idx (release: the driver that
 * sees idx sees the element and the buffer's bytes). Then decide on the
 * interrupt (2.7.7): with event indices, only if idx just crossed the
 * driver's used_event; the full fence orders our idx store before our
 * load of used_event, the device's half of the no-lost-wakeup argument in
 * guest-kernel-patch/drivers/virtio_net_napi.c. Without event indices,
 * unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT. virtq_put is the first
 * half alone: an element whose interrupt the next push decides (its range
 * old..new covers every element put since the last signal).
 */
void virtq_put(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct virtq_used_elem *e = &vq->used->ring[vq->used_idx & (vq->size - 1)];

	vq->chains[head].held = false;
	__atomic_store_n(&e->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
	vq->used_idx++;
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
}

bool virtq_push(struct virtq *vq, uint16_t head, uint32_t len, bool event_idx)
{
	uint16_t old = vq->signalled_used, ev;
	bool valid = vq->signalled_valid;

	virtq_put(vq, head, len);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!event_idx)
		return !(gmem_load(&vq->avail->flags, __ATOMIC_RELAXED, "avail.flags") &
			 VIRTQ_AVAIL_F_NO_INTERRUPT);
	ev = gmem_load(used_event(vq), __ATOMIC_RELAXED, "avail.used_event");
	vq->signalled_used = vq->used_idx;
	vq->signalled_valid = true;
	return !valid || virtq_need_event(ev, vq->used_idx, old);
}
