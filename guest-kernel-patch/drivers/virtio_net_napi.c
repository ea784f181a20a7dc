// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_net_napi.c - a NAPI-style receive driver for virtio-net (virtio
 * 1.2, 5.1 "Network Device"), the conventional baseline closest to the
 * masked direct-read method: what a Linux guest's virtio_net does on KVM.
 *
 *   interrupt  ->  callbacks off, through shared memory, no exit
 *              ->  poll the used ring, up to `budget` buffers a pass
 *              ->  callbacks back on: used_event = the next index
 *              ->  look once more  ->  sleep
 *
 * as Linux's vring_interrupt() / virtnet_poll() / virtqueue_napi_complete()
 * (virtqueue_enable_cb_prepare(), napi_complete_done(), virtqueue_poll())
 * do. With VIRTIO_F_EVENT_IDX (2.7.7 "Used Buffer Notification
 * Suppression") the device interrupts only when the used index passes
 * used_event, so once it has interrupted it will not again until the
 * driver moves used_event: turning callbacks off costs nothing, not even
 * a store (Linux's event_triggered). The handler (ring 0) only wakes the
 * consumer; the consumer (ring 3, as the mask-direct one in tests/rx.c)
 * reads each buffer in place, hands it to take(), and gives it straight
 * back to the available ring (2.7.13), one idx store per pass, notifying
 * the device only when avail_event asks for it (2.7.10).
 *
 * Setup: the device's latency log is the virqnet registers' (see
 * uapi/virqnet.h, VIRQNET_MODE_VIRTIO); the packets are virtio's alone.
 */
#include "kernel/virqnet.h"
#include "kernel/virtio.h"

static struct virtq_desc desc[VNET_QUEUE_SIZE] __attribute__((aligned(4096)));
static struct {
	uint16_t flags, idx, ring[VNET_QUEUE_SIZE], used_event;
} avail __attribute__((aligned(4096)));
static struct {
	uint16_t flags, idx;
	struct virtq_used_elem ring[VNET_QUEUE_SIZE];
	uint16_t avail_event;
} used __attribute__((aligned(4096)));
static uint8_t bufs[VNET_QUEUE_SIZE][VNET_BUF_SIZE] __attribute__((aligned(64)));
static struct virqnet_trace trace __attribute__((aligned(64)));

static struct virtio_pci_dev vdev;
static uint64_t notify_addr;
static volatile uint32_t kicked, link_down;
uint32_t vnet_split;		/* buffers as 2-descriptor chains (header part, rest) */
static uint16_t nbufs;		/* buffers made available: the queue, or half of it split */
volatile uint64_t vnet_kicks;

static inline void vn_trace(uint32_t event, uint32_t a, uint64_t b, uint64_t c)
{
	uint32_t i = __atomic_fetch_add(&trace.head, 1, __ATOMIC_RELAXED);

	trace.ent[i % VIRQNET_TRACE_SIZE] = (struct virqnet_trace_entry){ rdtsc(), event, a, b, c };
}

/*
 * The receive interrupt, ring 0. No store turns callbacks off: the device
 * interrupted because used idx passed used_event, and it will not again
 * before the consumer re-arms (Linux: vring_interrupt sets event_triggered
 * and virtqueue_disable_cb then writes nothing).
 */
static void vnet_rx_isr(struct irq_frame *f)
{
	virqnet_irqs++;
	vn_trace(VIRQNET_TR_ISR, f->cs & 3, f->rip, used.idx);
	kicked = 1;
	apic_eoi();
}

/* A configuration change (4.1.4.5): the link went down (the run is over) or the device broke. */
static void vnet_cfg_isr(struct irq_frame *f)
{
	uint16_t st = readw(vdev.device + 6);	/* virtio_net_config.status */

	if (vpci_status(&vdev) & VIRTIO_STATUS_NEEDS_RESET)
		GUEST_FAIL("virtio-net: the device needs a reset (it found a driver error)");
	if (!(st & VIRTIO_NET_S_LINK_UP))
		link_down = 1;
	kicked = 1;
	apic_eoi();
}

/* As mask-direct's rx_wait: test and HLT in one IF=0 section (STI's shadow). */
static long sys_vnet_wait(long a, long b, long c)
{
	while (!kicked) {
		safe_halt();
		cli();
		vn_trace(VIRQNET_TR_WAKE, kicked, 0, 0);
	}
	kicked = 0;
	return 0;
}

/* 4.1.5.2: the queue index, written to its notification address. */
static long sys_vnet_kick(long a, long b, long c)
{
	vnet_kicks++;
	writew(notify_addr, VIRTIO_NET_RXQ);
	return 0;
}

/* Where the handshake trace is, for vmm-mini to print if the consumer stalls. */
uint64_t vnet_trace_gpa(void)
{
	return (uint64_t)&trace;
}

void vnet_probe(void)
{
	uint64_t want = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
			VIRTIO_BIT(VIRTIO_NET_F_STATUS), have;
	uint16_t max;

	vpci_probe(&vdev, VIRTIO_PCI_DEVICE_NET);
	/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, setup, DRIVER_OK. */
	vpci_reset(&vdev);
	vpci_status_or(&vdev, VIRTIO_STATUS_ACKNOWLEDGE);
	vpci_status_or(&vdev, VIRTIO_STATUS_DRIVER);
	have = vpci_device_features(&vdev);
	if ((have & want) != want)
		GUEST_FAIL("virtio-net: features 0x%llx lack some of 0x%llx", (unsigned long long)have,
			   (unsigned long long)want);
	if (!vpci_set_features(&vdev, want))
		GUEST_FAIL("virtio-net: the device refused features 0x%llx", (unsigned long long)want);
	max = vpci_queue_max(&vdev, VIRTIO_NET_RXQ);
	if (max < VNET_QUEUE_SIZE)
		GUEST_FAIL("virtio-net: receive queue holds %u, want %u", max, VNET_QUEUE_SIZE);

	/*
	 * Every buffer one writable descriptor, all available (5.1.6.3); or,
	 * split=1, two chained over the same bytes (64, then the rest), which
	 * the device must fill as one (2.7.4 Message Framing): half as many.
	 */
	nbufs = vnet_split ? VNET_QUEUE_SIZE / 2 : VNET_QUEUE_SIZE;
	for (uint16_t i = 0; i < nbufs; i++) {
		uint16_t h = vnet_split ? 2 * i : i;

		if (vnet_split) {
			desc[h] = (struct virtq_desc){ (uint64_t)bufs[h], 64,
						       VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, h + 1 };
			desc[h + 1] = (struct virtq_desc){ (uint64_t)bufs[h] + 64, VNET_BUF_SIZE - 64,
							   VIRTQ_DESC_F_WRITE, 0 };
		} else {
			desc[h] = (struct virtq_desc){ (uint64_t)bufs[h], VNET_BUF_SIZE,
						       VIRTQ_DESC_F_WRITE, 0 };
		}
		avail.ring[i] = h;
	}
	avail.used_event = 0;	/* interrupt for the first buffer used */
	__atomic_store_n(&avail.idx, nbufs, __ATOMIC_RELEASE);

	irq_register(VNET_RX_VECTOR, vnet_rx_isr);
	irq_register(VNET_CFG_VECTOR, vnet_cfg_isr);
	syscall_register(SYS_vnet_wait, sys_vnet_wait);
	syscall_register(SYS_vnet_kick, sys_vnet_kick);
	vpci_msix(&vdev, 0, VIRQNET_CPU, VNET_CFG_VECTOR);
	vpci_msix(&vdev, 1, VIRQNET_CPU, VNET_RX_VECTOR);
	vpci_msix_enable(&vdev);
	if (!vpci_config_vector(&vdev, 0) ||
	    !vpci_queue_enable(&vdev, VIRTIO_NET_RXQ, VNET_QUEUE_SIZE, (uint64_t)desc,
			       (uint64_t)&avail, (uint64_t)&used, 1))
		GUEST_FAIL("virtio-net: receive queue or MSI-X vectors refused");
	notify_addr = vpci_notify_addr(&vdev, VIRTIO_NET_RXQ);
	vpci_status_or(&vdev, VIRTIO_STATUS_DRIVER_OK);
	/* 2.7.13.4: the buffers above were made available; the device asked for a notification. */
	mfence();
	if (virtq_need_event(READ_ONCE(used.avail_event), nbufs, 0))
		sys_vnet_kick(0, 0, 0);
}

/*
 * The consumer, ring 3: the NAPI poll loop. It returns once the device has
 * taken the link down and everything used before that is consumed.
 *
 * Why no used buffer is ever stranded (the device half is virtq_push() in
 * vmm-mini/virtio_ring.c, which checks after every buffer it uses):
 *
 *   device: store used elem; store used.idx; MFENCE; load used_event ->
 *           interrupt iff used_event == the index just used (2.7.7.2's
 *           vring_need_event(used_event, idx, idx - 1))
 *   driver: store used_event <- last (next index to read); MFENCE;
 *           load used.idx -> poll again if it moved, else sleep
 *
 * Each side stores, fences and loads the other's variable, so at least one
 * sees the other's store (Dekker; x86-TSO forbids both loads returning the
 * old values). If the driver's look misses the buffer at index `last`, the
 * device's store of idx past it is later in the global order than that
 * look, hence than the driver's store of used_event = last, which the
 * device's load then returns: it interrupts. The interrupt sets `kicked`;
 * sys_vnet_wait tests `kicked` and halts with interrupts off until STI's
 * shadow, so a wake-up after the test is not lost either. Between an
 * interrupt and the re-arm the device sends none (used_event lies behind
 * idx: need_event is false until 65536 more buffers, when one spurious
 * interrupt costs a pass). The link-down store is made by the config
 * handler after the device published its last buffer, so a look at
 * used.idx after reading link_down (load-load order) sees them all.
 */
__user_text uint64_t vnet_consume(vnet_take_fn take, uint32_t budget)
{
	const uint16_t mask = VNET_QUEUE_SIZE - 1;
	uint16_t last = 0, avail_idx = nbufs;
	uint64_t passes = 0;

	for (;;) {
		uint16_t idx = __atomic_load_n(&used.idx, __ATOMIC_ACQUIRE), old_avail = avail_idx;
		uint32_t n = 0;

		for (; last != idx && n < budget; last++, n++) {
			uint32_t id = used.ring[last & mask].id, len = used.ring[last & mask].len;

			bool ok = id < VNET_QUEUE_SIZE && !(vnet_split && (id & 1));

			if (ok && len >= VIRTIO_NET_RX_PREFIX && len <= VNET_BUF_SIZE)
				take(bufs[id] + VIRTIO_NET_RX_PREFIX, len - VIRTIO_NET_RX_PREFIX);
			else
				take(NULL, 0);	/* counted as corrupt */
			avail.ring[avail_idx++ & mask] = ok ? id : 0;
		}
		passes++;
		if (n) {
			/* 2.7.13.3-4: publish idx, then a notification only if avail_event asks. */
			__atomic_store_n(&avail.idx, avail_idx, __ATOMIC_RELEASE);
			mfence();
			if (virtq_need_event(READ_ONCE(used.avail_event), avail_idx, old_avail))
				syscall3(SYS_vnet_kick, 0, 0, 0);
		}
		if (n == budget)
			continue;	/* budget spent: stay scheduled, callbacks still off */
		/* virtqueue_enable_cb_prepare(), then virtqueue_poll(). */
		WRITE_ONCE(avail.used_event, last);
		mfence();
		idx = __atomic_load_n(&used.idx, __ATOMIC_ACQUIRE);
		vn_trace(VIRQNET_TR_LOOK, last, idx, 0);
		if (idx != last)
			continue;
		if (READ_ONCE(link_down)) {
			if (__atomic_load_n(&used.idx, __ATOMIC_ACQUIRE) != last)
				continue;
			return passes;
		}
		vn_trace(VIRQNET_TR_SLEEP, last, 0, 0);
		syscall3(SYS_vnet_wait, 0, 0, 0);
	}
}
