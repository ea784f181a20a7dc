// SPDX-License-Identifier: GPL-2.0
/*
 * virqnet_modes.c - the receive modes, one table entry each: how the guest
 * hears of a published descriptor (notify), how its buffers come back
 * (reclaim from the consumer index in guest memory, or ack through the
 * RX_ACK register), what the timer does, and how the run ends. The names
 * are the ones every workload, stats file, plot and README section uses.
 * Every hook but finish runs with dev->lock held (virqnet.c, top).
 *
 *   sink         no guest driver: the device receives and discards, the
 *                ceiling of the host side alone
 *   inject       one interrupt per arrival; the driver fetches each
 *                descriptor through registers and acknowledges with RX_ACK
 *   coalesce     inject with interrupt moderation (a NIC's rx-usecs)
 *   virtio       a virtio-net PCI device (virtio_net.c) and a NAPI-style
 *                driver: the conventional baseline closest to the method
 *   mask-direct  the method: a flag in the vCPU, an interrupt only while
 *                unmasked; the consumer reads the ring in place
 *   mask-poll    mask-direct whose consumer polls the ring poll_us before
 *                it unmasks and sleeps (--poll-us, the guest's poll_us=)
 *   adaptive     mask-poll while the measured arrival rate is high,
 *                mask-direct while it is low, with hysteresis (the rule:
 *                guest-kernel-patch/drivers/virqnet_adaptive.c)
 *
 * Several queues (--queues Q > 1, .multiqueue): inject, coalesce, mask-direct
 * and mask-poll, whose guest consumers run one per queue on the queue's vCPU
 * (guest-kernel-patch/tests/rx.c); the device's per-queue state (ring,
 * flag area, coalesce's timer) is struct virqnet_rxq. adaptive refuses
 * Q > 1 (its rule measures one arrival rate; per queue it would see 1/Q of
 * it, a different rule), and so does virtio (one receive queue).
 */
#include <stdio.h>
#include <string.h>

#include "vmm/usdt.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"
#include "vmm/virtio.h"

/* RX_ACK: the driver consumed n descriptors (virqnet.c checked n). */
static void ack_slots(struct virqnet *dev, struct virqnet_rxq *q, uint32_t n)
{
	virqnet_free_slots(dev, q, n);
}

/* The consumer index the guest advanced in memory, read once and checked. */
static void reclaim_from_ring(struct virqnet *dev, struct virqnet_rxq *q)
{
	uint32_t c = gmem_load(&q->ring->cons, __ATOMIC_ACQUIRE, "ring.cons");
	uint32_t n = c - q->cons;

	if (n > q->prod - q->cons)
		virqnet_guest_error(dev, "consumer index %u beyond producer %u (host cons %u)", c,
				    q->prod, q->cons);
	else if (n)
		virqnet_free_slots(dev, q, n);
}

/* The guest driver reports, then ends the run itself. */
static void finish_ask_guest(struct virqnet *dev)
{
	virqnet_request_stop(dev);
}

/* No driver to ask: the device ends the VM. */
static void finish_end_vm(struct virqnet *dev)
{
	dev->host.end_run(dev->host.ctx);
}

/*
 * The method's handshake, device half. The guest's half is in the driver
 * (guest-kernel-patch), and the argument that no arrival is ever stranded
 * needs both:
 *
 *   device: store prod; xchg pending <- 1 (full barrier); load masked
 *   guest:  store pending <- 0; store masked <- 0; mfence; load prod
 *
 * This is Dekker's pattern. If the device reads masked == 1, the guest's
 * store of masked <- 0 is later in the global order, so the guest's load of
 * prod that follows its fence sees this descriptor and drains it. If the
 * device reads masked == 0 and pending was 0, it raises the interrupt. If
 * pending was already 1, an interrupt raised earlier is still unhandled (the
 * handler clears pending before the consumer reads prod), so that handler's
 * drain will see this descriptor. In every case someone looks at the ring
 * after this descriptor is visible.
 */
static void notify_mask_direct(struct virqnet *dev, struct virqnet_rxq *q)
{
	struct virqnet_vcpu_flags *f = q->irq_flags;

	if (gmem_xchg(&f->pending, 1, "flags.pending") == 0 &&
	    gmem_load(&f->masked, __ATOMIC_SEQ_CST, "flags.masked") == 0)
		virqnet_raise_irq(dev, q);
	else
		dev->c.irqs_suppressed++;
}

/*
 * Interrupt moderation (coalesce), like a NIC's rx-usecs: the first
 * arrival after an interrupt starts a timer, and the arrivals until it
 * expires share one interrupt, which the receive thread raises (tick). The
 * conventional driver's handler already pulls every descriptor the device
 * holds, so no arrival waits for an interrupt of its own. A quarter of the
 * ring pending raises it at once: moderation alone must never fill the ring.
 */
static void coalesce_fire(struct virqnet *dev, struct virqnet_rxq *q)
{
	if (q->coal_pending) {
		q->coal_pending = 0;
		virqnet_raise_irq(dev, q);
	}
}

static void notify_coalesce(struct virqnet *dev, struct virqnet_rxq *q)
{
	if (q->coal_pending++ == 0)
		q->coal_deadline_ns = now_ns() + dev->coalesce_ns;
	else
		dev->c.irqs_coalesced++;
	if (q->coal_pending >= dev->ring_size / 4)
		coalesce_fire(dev, q);
}

static uint64_t tick_coalesce(struct virqnet *dev, struct virqnet_rxq *q, uint64_t now, bool flush)
{
	if (!q->coal_pending)
		return UINT64_MAX;
	if (flush || now >= q->coal_deadline_ns) {
		coalesce_fire(dev, q);
		return UINT64_MAX;
	}
	return q->coal_deadline_ns - now;
}

/* Sorted as the figures show them: the host's ceiling, then baselines, then the method. */
const struct virqnet_mode_ops virqnet_modes[] = {
	{
		.name = "sink", .driver = VIRQNET_MODE_SINK, .has_driver = false,
		.summary = "the device receives and discards: no guest driver",
		.finish = finish_end_vm,
	}, {
		.name = "inject", .driver = VIRQNET_MODE_INJECT, .has_driver = true,
		.summary = "one interrupt per arrival, descriptors read through registers",
		.multiqueue = true,
		.notify = virqnet_raise_irq, .ack = ack_slots, .finish = finish_ask_guest,
	}, {
		.name = "coalesce", .driver = VIRQNET_MODE_INJECT, .has_driver = true,
		.coalesce = true, .multiqueue = true,
		.summary = "inject with interrupt moderation (--coalesce-us)",
		.notify = notify_coalesce, .ack = ack_slots, .tick = tick_coalesce,
		.finish = finish_ask_guest,
	}, {
		.name = "mask-direct", .driver = VIRQNET_MODE_MASK_DIRECT, .has_driver = true,
		.summary = "the method: a flag in the vCPU, the ring read in place",
		.multiqueue = true,
		.notify = notify_mask_direct, .reclaim = reclaim_from_ring,
		.finish = finish_ask_guest,
	}, {
		.name = "mask-poll", .driver = VIRQNET_MODE_MASK_DIRECT, .has_driver = true,
		.poll = true, .multiqueue = true,
		.summary = "mask-direct whose consumer polls before it sleeps (--poll-us)",
		.notify = notify_mask_direct, .reclaim = reclaim_from_ring,
		.finish = finish_ask_guest,
	}, {
		.name = "adaptive", .driver = VIRQNET_MODE_MASK_DIRECT, .has_driver = true,
		.poll = true, .adaptive = true,
		.summary = "mask-poll at high arrival rates, mask-direct at low ones",
		.notify = notify_mask_direct, .reclaim = reclaim_from_ring,
		.finish = finish_ask_guest,
	}, {
		/* Modes with a queue of their own last: tests/fuzz drives the others. */
		.name = "virtio", .driver = VIRQNET_MODE_VIRTIO, .has_driver = true,
		.summary = "virtio-net (event index, MSI-X) with a NAPI driver, budget=N",
		.queue = &virtio_net_queue, .finish = virtio_net_finish,
		.reopen = virtio_net_reopen,
	},
};

const unsigned int virqnet_nr_modes = ARRAY_SIZE(virqnet_modes);

const struct virqnet_mode_ops *virqnet_mode_find(const char *name)
{
	for (unsigned int i = 0; i < virqnet_nr_modes; i++)
		if (!strcmp(name, virqnet_modes[i].name))
			return &virqnet_modes[i];
	return NULL;
}

const char *virqnet_mode_names(void)
{
	static char list[256];

	if (!list[0])
		for (unsigned int i = 0; i < virqnet_nr_modes; i++) {
			size_t n = strlen(list);

			snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
				 virqnet_modes[i].name);
		}
	return list;
}
