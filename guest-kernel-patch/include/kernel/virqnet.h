/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virqnet.h - the guest's driver for the virqnet receive device: the base
 * (conventional, injected-interrupt) driver and the hooks through which the
 * masked direct-read patch (drivers/virqnet_mask_direct.c) attaches.
 */
#ifndef GUEST_VIRQNET_H
#define GUEST_VIRQNET_H

#include "kernel/kernel.h"
#include "uapi/virqnet.h"

#define VIRQNET_RING_SIZE	1024
#define VIRQNET_BUF_SIZE	2048
#define VIRQNET_VECTOR		0x50
#define VIRQNET_CPU		0
/*
 * Several queues (the device's NR_QUEUES, vmm-mini --queues): queue q's
 * interrupt goes to vCPU q, whose consumer drains it. The buffers stay the
 * one VIRQNET_RING_SIZE pool, so each of Q rings has VIRQNET_RING_SIZE / Q
 * slots and a run with several queues holds as many datagrams as one with one.
 */
#define VIRQNET_MAX_QUEUES_GUEST	4

/* System calls the receive path adds. */
enum {
	SYS_rx_recv = SYS_NR_BASE,	/* inject: copy the next datagram out */
	SYS_rx_wait,			/* mask-direct: sleep until the device interrupt */
	SYS_rx_hobble,			/* mask-direct, hobble=1: read a device register */
	SYS_vnet_wait,			/* virtio: sleep until the receive or config interrupt */
	SYS_vnet_kick,			/* virtio: notify the receive queue (an MMIO write) */
};

/* What ring 3 needs to read the device's buffers in place (mask-direct). */
struct virqnet_view {
	struct virqnet_ring *ring;		/* queue 0's: rings[0] */
	struct virqnet_ring *rings[VIRQNET_MAX_QUEUES_GUEST];
	uint8_t *bufs;
	struct virqnet_vcpu_flags *flags;
	struct virqnet_lat_log *latlog;		/* NULL with several queues (one writer) */
	uint32_t ring_size, buf_size, mode;
	uint32_t nr_queues, nr_bufs;		/* nr_bufs = nr_queues * ring_size */
};

extern struct virqnet_view virqnet;
extern volatile uint64_t virqnet_irqs;

void virqnet_probe(void);

/*
 * How long the mask-direct consumer polls the ring, still masked, before it
 * unmasks and sleeps: never (mask-direct), always `cycles` (mask-poll), or
 * `cycles` only while the measured arrival rate is high (adaptive,
 * drivers/virqnet_adaptive.c). Owned by the consumer, in ring 3.
 */
struct virqnet_poll {
	uint64_t cycles;
	bool adaptive, polling;
	uint64_t up_pps, down_pps;	/* adaptive: start polling at >= up, stop at <= down */
	uint64_t tsc_khz, win_cycles, win_start, win_n, votes;
	uint64_t switches_up, switches_down;
};

/* drivers/virqnet_mask_direct.c: the method. */
typedef void (*virqnet_take_fn)(const uint8_t *data, uint32_t len);
void virqnet_md_init(void);
uint64_t virqnet_md_consume(uint32_t q, virqnet_take_fn take, uint32_t budget,
			    struct virqnet_poll *poll, bool hobble);

/* drivers/virqnet_adaptive.c: the cycles to poll after a pass that took `taken`. */
uint64_t virqnet_poll_cycles(struct virqnet_poll *poll, uint32_t taken);

#endif
