// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_net.c - a virtio-net device (virtio 1.2, 5.1 "Network Device")
 * whose receive queue is fed by vmm-mini's io_uring source (rx_source.c),
 * behind --mode virtio, with the same accounting as every other mode.
 *
 * Offered: VIRTIO_F_VERSION_1, VIRTIO_F_EVENT_IDX, VIRTIO_NET_F_MAC,
 * VIRTIO_NET_F_STATUS; nothing else (no mergeable buffers, no offloads, no
 * control queue, one queue pair), so the receive header is the 12-byte v1
 * virtio_net_hdr with num_buffers = 1 (5.1.6.3.2, 5.1.6.4).
 *
 * A received datagram goes straight from the socket into the driver's
 * buffer, after the header and the Ethernet, IPv4 and UDP headers the
 * device writes in front of it (the frame Linux's virtio_net would expect:
 * addresses fixed, UDP checksum 0, which IPv4 allows). A chain of one
 * descriptor (this guest's, and Linux's small-buffer mode) is received in
 * place; any other chain through a host bounce buffer, scattered at use.
 *
 * The end of a run is a link-down (5.1.4: status loses VIRTIO_NET_S_LINK_UP)
 * and a configuration-change interrupt (4.1.4.5), which a stock driver
 * would see as the cable being pulled. With --windows the end of each
 * window is one, and the next opens with the link up again and another
 * configuration interrupt (the cable plugged back in: virtio_net_reopen).
 *
 * The transmit queue exists (a driver needs it); what it is given is
 * dropped and returned at once.
 *
 * Every counter is the receive device's (struct virqnet.c), under its lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uapi/virqlab_payload.h"
#include "vmm/usdt.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"
#include "vmm/virtio.h"

_Static_assert(VIRTIO_NET_BOUNCE_SIZE == VIRQLAB_PAYLOAD_MAX + 64,
	       "a bounce buffer takes any payload");

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x76, 0x71, 0x01 };
static const uint8_t host_mac[6] = { 0x52, 0x54, 0x00, 0x76, 0x71, 0x02 };

static void vnet_guest_error(void *dev, const char *msg)
{
	struct virtio_net *n = dev;

	virqnet_guest_error(n->q, "virtio-net: %s", msg);
}

static void vnet_cfg_read(void *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	struct virtio_net *n = dev;
	struct virtio_net_config c = { .status = n->link, .max_virtqueue_pairs = 1 };

	memcpy(c.mac, mac, sizeof(mac));
	if (off > sizeof(c) || len > sizeof(c) - off) {
		virtio_pci_error(&n->vp, "device configuration read of %u at 0x%x", len, off);
		memset(data, 0xff, len);
		return;
	}
	memcpy(data, (uint8_t *)&c + off, len);
}

static bool event_idx(struct virtio_net *n)
{
	return virtio_pci_negotiated(&n->vp, VIRTIO_F_EVENT_IDX);
}

static void vnet_raise(struct virtio_net *n, uint16_t vector)
{
	if (virtio_pci_msix(&n->vp, vector)) {
		n->q->c.irqs_raised++;
		usdt1(irq_raise, USDT_IRQ_ARRIVAL);
	}
}

/*
 * 2.7.13.4 Notifying the device. The receive queue needs none: the
 * receive thread looks at the available ring every time it wants a buffer
 * (and, out of buffers, keeps the wire drained with a scratch receive that
 * a returned buffer can still take: virqnet_rx_complete), so it never asks
 * for one (avail_event stays out of reach, 2.7.10), as a busy-polling
 * vhost does; mask-direct's device likewise reads the consumer index and
 * is never notified. When a driver notifies anyway, the device takes (and
 * checks) every chain made available at once, into the stash the receive
 * thread takes from first: the buffers are the device's from then on, in
 * any order (no VIRTIO_F_IN_ORDER). A transmit notification drops what
 * was sent.
 */
static void vnet_notify(void *dev, uint16_t queue)
{
	struct virtio_net *n = dev;
	struct virtq *vq = &n->vp.vq[queue];
	int head;

	vq->kicks++;
	if (queue == VIRTIO_NET_RXQ) {
		while (n->nr_stash < VIRTIO_NET_QUEUE_MAX &&
		       (head = virtq_pop(vq, &n->vp, event_idx(n), true)) >= 0)
			n->stash[n->nr_stash++] = head;
		return;
	}
	while ((head = virtq_pop(vq, &n->vp, event_idx(n), false)) >= 0) {
		n->tx_dropped++;
		if (virtq_push(vq, head, 0, event_idx(n)))
			virtio_pci_msix(&n->vp, vq->msix_vector);
	}
}

static void vnet_reset(void *dev)
{
	struct virtio_net *n = dev;

	n->gen++;
	n->q->gen++;	/* and a scratch receive armed before it (virqnet_rx_complete) */
	n->nr_stash = 0;
	n->link = n->q->stop_requested ? 0 : VIRTIO_NET_S_LINK_UP;
}

static const struct virtio_dev_ops vnet_ops = {
	.features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
		    VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS),
	.nr_queues = VIRTIO_NET_NR_QUEUES,
	.queue_max = VIRTIO_NET_QUEUE_MAX,
	.polled_queues = 1u << VIRTIO_NET_RXQ,
	.cfg_read = vnet_cfg_read,
	.notify = vnet_notify,
	.reset = vnet_reset,
	.guest_error = vnet_guest_error,
};

static struct virtq *rxq(struct virtio_net *n)
{
	return &n->vp.vq[VIRTIO_NET_RXQ];
}

static bool in_place(const struct vq_chain *c)
{
	return c->nseg == 1 && c->seg[0].iov_len > VIRTIO_NET_RX_PREFIX;
}

/*
 * A receive chain with no room past the prefix for the smallest datagram
 * this device carries (a virqlab header) can take none: lent, it would be
 * given a datagram, drop it as too big, come back on top of the LIFO stash
 * and be lent again, every datagram after, while good buffers wait. It is
 * refused when taken: a guest error, given back used with length 0 (2.7.8:
 * nothing written), and the next chain taken.
 */
#define VNET_RX_MIN_CHAIN	(VIRTIO_NET_RX_PREFIX + sizeof(struct virqlab_payload))

static void vnet_refuse(struct virtio_net *n, uint16_t head)
{
	struct vq_chain *c = &rxq(n)->chains[head];

	virqnet_guest_error(n->q, "virtio-net: receive buffer at head %u: %u bytes, no room past "
			    "the %zu-byte header for a datagram", head, c->total,
			    (size_t)VIRTIO_NET_RX_PREFIX);
	n->rx_refused++;
	/* No interrupt of its own: the next publish's covers it (virtq_put), and
	 * a second look at used_event in this call could differ from the first. */
	virtq_put(rxq(n), head, 0);
}

/* Receive thread: a chain for the next datagram; its head is the buffer id. */
static bool vnet_lend(struct virqnet *dev, struct rx_buf *b)
{
	struct virtio_net *n = dev->queue;
	struct vq_chain *c;
	int head;

	for (;;) {
		head = -1;
		if (virtio_pci_live(&n->vp) && rxq(n)->enabled) {
			if (n->nr_stash)
				head = n->stash[--n->nr_stash];
			else
				head = virtq_pop(rxq(n), &n->vp, event_idx(n), true);
		}
		if (head < 0)
			return false;
		if (rxq(n)->chains[head].total >= VNET_RX_MIN_CHAIN)
			break;
		vnet_refuse(n, head);
	}
	c = &rxq(n)->chains[head];
	if (in_place(c)) {
		b->data = (uint8_t *)c->seg[0].iov_base + VIRTIO_NET_RX_PREFIX;
		b->cap = c->seg[0].iov_len - VIRTIO_NET_RX_PREFIX;
	} else {
		/* Most drivers post one descriptor per buffer: only the others pay for a bounce. */
		if (!n->bounce[head] && !(n->bounce[head] = malloc(VIRTIO_NET_BOUNCE_SIZE)))
			die("out of memory for a virtio-net bounce buffer");
		b->data = n->bounce[head];
		b->cap = c->total > VIRTIO_NET_RX_PREFIX ? c->total - VIRTIO_NET_RX_PREFIX : 0;
		if (b->cap > VIRTIO_NET_BOUNCE_SIZE)
			b->cap = VIRTIO_NET_BOUNCE_SIZE;
	}
	b->id = head;
	b->gen = n->gen;
	b->guest = true;
	return true;
}

/* Still the device's: the next lend reuses it (the used ring need not follow avail order). */
static void vnet_give_back(struct virqnet *dev, const struct rx_buf *b)
{
	struct virtio_net *n = dev->queue;

	if (b->gen == n->gen && b->id < rxq(n)->size && rxq(n)->chains[b->id].held &&
	    n->nr_stash < VIRTIO_NET_QUEUE_MAX)
		n->stash[n->nr_stash++] = b->id;
}

static uint16_t be16(uint16_t v)
{
	return __builtin_bswap16(v);
}

/* RFC 791 header checksum over the 20-byte IPv4 header. */
static uint16_t ip_csum(const uint8_t *h)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)h[i] << 8 | h[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s;
}

/* virtio_net_hdr + Ethernet + IPv4 + UDP in front of a payload of len bytes. */
static void build_prefix(uint8_t *p, uint32_t len)
{
	struct virtio_net_hdr h = { .num_buffers = 1 };	/* 5.1.6.4: 1 without MRG_RXBUF */
	uint8_t *eth = p + sizeof(h), *ip = eth + 14, *udp = ip + 20;
	uint16_t v;

	memcpy(p, &h, sizeof(h));
	memcpy(eth, mac, 6);
	memcpy(eth + 6, host_mac, 6);
	v = be16(0x0800);
	memcpy(eth + 12, &v, 2);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	v = be16(20 + 8 + len);
	memcpy(ip + 2, &v, 2);
	ip[6] = 0x40;		/* don't fragment */
	ip[8] = 64;
	ip[9] = 17;		/* UDP */
	memcpy(ip + 12, (uint8_t[]){ 10, 0, 2, 2, 10, 0, 2, 15 }, 8);
	v = be16(ip_csum(ip));
	memcpy(ip + 10, &v, 2);
	v = be16(9);		/* discard port, both ends: the socket's are not the frame's */
	memcpy(udp, &v, 2);
	memcpy(udp + 2, &v, 2);
	v = be16(8 + len);
	memcpy(udp + 4, &v, 2);
	memset(udp + 6, 0, 2);	/* no UDP checksum (RFC 768) */
}

static void scatter(const struct vq_chain *c, const uint8_t *src, uint32_t len, uint32_t at)
{
	for (uint16_t i = 0; i < c->nseg && len; i++) {
		uint32_t sl = c->seg[i].iov_len, n;

		if (at >= sl) {
			at -= sl;
			continue;
		}
		n = sl - at < len ? sl - at : len;
		memcpy((uint8_t *)c->seg[i].iov_base + at, src, n);
		src += n, len -= n, at = 0;
	}
}

/* Receive thread: a datagram of len bytes is in buffer buf_id; hand it to the driver. */
/* A datagram of len bytes is in buffer b: hand it to the driver. */
static void vnet_publish(struct virqnet *dev, const struct rx_buf *b, uint32_t len)
{
	struct virtio_net *n = dev->queue;
	uint8_t prefix[VIRTIO_NET_RX_PREFIX];
	struct vq_chain *c;

	if (b->gen != n->gen || !virtio_pci_live(&n->vp) || b->id >= rxq(n)->size ||
	    !rxq(n)->chains[b->id].held) {
		dev->c.drop_not_ready++;	/* reset under an in-flight receive */
		return;
	}
	c = &rxq(n)->chains[b->id];
	build_prefix(prefix, len);
	scatter(c, prefix, sizeof(prefix), 0);
	if (!in_place(c))
		scatter(c, n->bounce[b->id], len, sizeof(prefix));
	dev->c.published++;
	if (virtq_push(rxq(n), b->id, sizeof(prefix) + len, event_idx(n)))
		vnet_raise(n, rxq(n)->msix_vector);
	else
		dev->c.irqs_suppressed++;	/* before used_event, or NO_INTERRUPT */
}

static bool vnet_ready(struct virqnet *dev)
{
	struct virtio_net *n = dev->queue;

	return virtio_pci_live(&n->vp) && rxq(n)->enabled;
}

/*
 * Whether the driver has taken everything: it said so when it last re-armed
 * its interrupt (used_event = the next index it will read, 2.7.7). Only the
 * moment of the stop request depends on it; a lying driver delays that.
 */
static bool vnet_drained(struct virqnet *dev)
{
	struct virtio_net *n = dev->queue;
	struct virtq *vq = rxq(n);

	if (!virtio_pci_live(&n->vp) || !vq->enabled || vq->broken || !event_idx(n))
		return true;
	return gmem_load(&vq->avail->ring[vq->size], __ATOMIC_ACQUIRE, "avail.used_event") ==
	       vq->used_idx;
}

/* The run is over: link down, and a configuration interrupt to say so. */
void virtio_net_finish(struct virqnet *dev)
{
	struct virtio_net *n = dev->queue;

	pthread_mutex_lock(&dev->lock);
	dev->stop_requested = true;
	n->link = 0;
	if (virtio_pci_live(&n->vp)) {
		virtio_pci_config_changed(&n->vp);
		dev->c.irqs_control++;
		usdt1(irq_raise, USDT_IRQ_CONTROL);
	}
	pthread_mutex_unlock(&dev->lock);
}

/*
 * --windows: the next window, link up again (5.1.4) and a configuration
 * interrupt to say so; Linux's virtio_net turns its carrier back on. Under
 * dev->lock (virqnet_reopen), which stop_requested already cleared.
 */
void virtio_net_reopen(struct virqnet *dev)
{
	struct virtio_net *n = dev->queue;

	n->link = VIRTIO_NET_S_LINK_UP;
	if (virtio_pci_live(&n->vp)) {
		virtio_pci_config_changed(&n->vp);
		dev->c.irqs_control++;
		usdt1(irq_raise, USDT_IRQ_CONTROL);
	}
}

static void vnet_dump(struct virqnet *dev, const char *why)
{
	struct virtio_net *n = dev->queue;
	struct virtq *vq = rxq(n);

	pr_warn("virtio-net: %s: status 0x%x, rx queue size %u enabled %d broken %d, last_avail %u, "
		"avail idx %u, used idx %u, used_event %u, kicks %llu; tx dropped %llu; irqs raised "
		"%llu, suppressed %llu; receive buffers refused %llu, irqfd failures %llu", why,
		n->vp.status, vq->size, vq->enabled, vq->broken,
		vq->last_avail,
		vq->enabled ? gmem_load(&vq->avail->idx, __ATOMIC_ACQUIRE, "avail.idx") : 0,
		vq->used_idx, vq->enabled ? gmem_load(&vq->avail->ring[vq->size], __ATOMIC_ACQUIRE,
					      "avail.used_event") : 0,
		(unsigned long long)vq->kicks, (unsigned long long)n->tx_dropped,
		(unsigned long long)dev->c.irqs_raised, (unsigned long long)dev->c.irqs_suppressed,
		(unsigned long long)n->rx_refused, (unsigned long long)n->vp.irq_failures);
}

/* Plug the device into the VM: a PCI function on bus 0 (virtio_pci.c). */
static void *vnet_attach(struct virqnet *dev, struct vm *vm)
{
	struct virtio_net *n = calloc(1, sizeof(*n));

	if (!n)
		die("out of memory");
	n->q = dev;
	virtio_pci_init(&n->vp, vm, &dev->host, &vnet_ops, n, &dev->lock);
	return n;
}

void virtio_net_detach(struct virqnet *dev)
{
	struct virtio_net *n = dev->queue;

	if (!n)
		return;
	pci__unregister(&n->vp.pdev);
	for (int q = 0; q < VIRTIO_NET_NR_QUEUES; q++)
		virtq_reset(&n->vp.vq[q]);
	for (int h = 0; h < VIRTIO_NET_QUEUE_MAX; h++)
		free(n->bounce[h]);
	free(n);
	dev->queue = NULL;
}

const struct virqnet_queue_ops virtio_net_queue = {
	.attach = vnet_attach,
	.lend = vnet_lend,
	.give_back = vnet_give_back,
	.publish = vnet_publish,
	.ready = vnet_ready,
	.drained = vnet_drained,
	.dump = vnet_dump,
};
