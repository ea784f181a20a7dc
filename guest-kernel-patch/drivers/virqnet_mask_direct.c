// SPDX-License-Identifier: GPL-2.0
/*
 * virqnet_mask_direct.c - the masked direct-read method, as a patch to the
 * virqnet driver.
 *
 * The device does not inject one interrupt per arrival: it sets `pending`
 * in this vCPU's flag area and raises an interrupt only while `masked` is
 * clear. The handler masks and wakes the consumer; the consumer, in ring 3,
 * reads descriptors and buffers straight from the device's ring (no exits,
 * no copies), advancing `cons` itself, until the ring is empty; then it
 * unmasks and looks once more before it sleeps (virqnet_md_consume in
 * tests/rx.c holds that loop; the handshake argument is below). With
 * several queues each vCPU runs this for its own queue, with its own flag
 * area and wake-up: the handshake is per queue and unchanged.
 */
#include "kernel/virqnet.h"

static volatile uint32_t kicked[MAX_CPUS];	/* per vCPU: each drains its own queue */

/*
 * The handshake's steps, for vmm-mini to print if the guest ever stops
 * consuming (uapi/virqnet.h, struct virqnet_trace). The handler may
 * interrupt the consumer mid-entry: the slot is claimed with one locked
 * instruction, so each writer fills its own.
 */
static struct virqnet_trace trace __attribute__((aligned(64)));

static inline void md_trace(uint32_t event, uint32_t a, uint64_t b, uint64_t c)
{
	uint32_t i = __atomic_fetch_add(&trace.head, 1, __ATOMIC_RELAXED);

	trace.ent[i % VIRQNET_TRACE_SIZE] = (struct virqnet_trace_entry){ rdtsc(), event, a, b, c };
}

/*
 * Handler, ring 0: mask first, then clear pending (a locked exchange, so
 * the clear is ordered before the consumer's next read of prod).
 */
static void virqnet_md_isr(struct irq_frame *f)
{
	struct virqnet_vcpu_flags *fl = &virqnet.flags[this_cpu()->cpu];

	__atomic_fetch_add(&virqnet_irqs, 1, __ATOMIC_RELAXED);	/* one per vCPU may run */
	md_trace(VIRQNET_TR_ISR, fl->pending | fl->masked << 1 | (f->cs & 3) << 8, f->rip, f->rflags);
	WRITE_ONCE(fl->masked, 1);
	__atomic_exchange_n(&fl->pending, 0, __ATOMIC_SEQ_CST);
	kicked[this_cpu()->cpu] = 1;
	apic_eoi();
}

/*
 * Sleep until the handler has run. The test of `kicked` and the HLT are one
 * critical section (IF=0 until STI's shadow ends inside HLT), so an
 * interrupt that arrives after the consumer's last look cannot be missed.
 */
static long sys_rx_wait(long a, long b, long c)
{
	volatile uint32_t *k = &kicked[this_cpu()->cpu];

	while (!*k) {
		safe_halt();
		cli();
		md_trace(VIRQNET_TR_WAKE, *k, 0, 0);
	}
	*k = 0;
	return 0;
}

/* hobble=1: one device-register read, an MMIO exit, per descriptor. */
static long sys_rx_hobble(long a, long b, long c)
{
	return readl(VIRQNET_MMIO_GPA + VIRQNET_REG_STATUS);
}

void virqnet_md_init(void)
{
	irq_register(VIRQNET_VECTOR, virqnet_md_isr);
	syscall_register(SYS_rx_wait, sys_rx_wait);
	syscall_register(SYS_rx_hobble, sys_rx_hobble);
	writel(VIRQNET_MMIO_GPA + VIRQNET_REG_TRACE_LO, (uint32_t)(uintptr_t)&trace);
	writel(VIRQNET_MMIO_GPA + VIRQNET_REG_TRACE_HI, (uint64_t)(uintptr_t)&trace >> 32);
}

/*
 * The consumer, ring 3: take every descriptor between cons and prod in
 * place, publish cons, then unmask and look once more; sleep only when that
 * last look finds nothing. At most `budget` descriptors are taken per pass
 * before the unmask-and-look step (budget=1 flips between draining and
 * idling as fast as possible: the stress test of the handshake). When
 * `poll` says so after a pass (virqnet_poll_cycles: mask-poll always,
 * adaptive while the arrival rate is high) the consumer, still masked,
 * watches prod that long before the unmask-and-look: arrivals meanwhile
 * only set pending, so a steady stream needs no interrupt at all (the
 * polling variant; it burns the vCPU while it waits). It happens before
 * the handshake and changes nothing in the argument below.
 *
 * `hobble` is a debug knob that deliberately takes the method's point away,
 * to prove that regression verdicts catch it (workload key `hobble`,
 * workloads/README.md): one exit per descriptor, as a driver that touched
 * a device register per packet would make. The exit is exactly that: a read
 * of the STATUS register, by a system call (ring 3 has no MMIO mapping).
 * CPUID in ring 3 was tried first and is no exit on nested PVM, where ring
 * 3 runs on the hardware untrapped; an MMIO read exits on every flavour.
 * Nothing else changes, so delivery stays exactly-once.
 *
 * Why no arrival is ever stranded (the device half is notify_mask_direct()
 * in vmm-mini/virqnet_modes.c):
 *
 *   device: store prod;  xchg pending <- 1;  load masked  -> raise if it
 *           was pending == 0 && masked == 0
 *   guest:  store pending <- 0;  store masked <- 0;  MFENCE;  load prod
 *
 * Both sides store, fence (XCHG is a full barrier, MFENCE is one) and then
 * load the other's variable, so at least one of them sees the other's store
 * (Dekker; x86-TSO forbids both loads returning the old values). Either
 * the guest's last look sees the new prod and drains it, or the device sees
 * masked == 0. In the latter case it raises the interrupt unless pending
 * was already 1; pending == 1 with masked == 0 means an interrupt was raised
 * and its handler has not yet cleared pending, and that handler wakes the
 * consumer, whose next pass reads prod after the descriptor was published.
 * The wake-up itself cannot be lost: sys_rx_wait tests `kicked` with
 * interrupts off and halts in STI's shadow (a platform that delivers an
 * interrupt inside that shadow would return it onto the HLT; the interrupt
 * entry steps over such a HLT: irq_step_over_shadowed_hlt, arch/irq.c).
 */
__user_text uint64_t virqnet_md_consume(uint32_t q, virqnet_take_fn take, uint32_t budget,
					 struct virqnet_poll *poll, bool hobble)
{
	/* Queue q, whose interrupt and flag area are vCPU q's, the one this runs on. */
	struct virqnet_ring *r = virqnet.rings[q];
	struct virqnet_vcpu_flags *fl = &virqnet.flags[q];
	uint32_t mask = virqnet.ring_size - 1, cons = READ_ONCE(r->cons);
	uint64_t passes = 0;

	for (;;) {
		uint32_t prod = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE), n;
		uint64_t poll_cycles;

		for (n = 0; cons != prod && n < budget; n++, cons++) {
			const struct virqnet_desc *d = &r->desc[cons & mask];
			uint32_t buf = d->buf_id, len = d->len;

			if (hobble)
				syscall3(SYS_rx_hobble, 0, 0, 0);
			if (buf < virqnet.nr_bufs && len <= virqnet.buf_size)
				take(virqnet.bufs + (uint64_t)buf * virqnet.buf_size, len);
			else
				take(NULL, 0);	/* counted as corrupt */
			__atomic_store_n(&r->cons, cons + 1, __ATOMIC_RELEASE);
		}
		passes++;
		poll_cycles = virqnet_poll_cycles(poll, n);
		if (poll_cycles && cons == prod) {
			uint64_t until = rdtsc() + poll_cycles;

			while (__atomic_load_n(&r->prod, __ATOMIC_ACQUIRE) == cons &&
			       !READ_ONCE(r->stop) && rdtsc() < until)
				pause();
			if (__atomic_load_n(&r->prod, __ATOMIC_ACQUIRE) != cons)
				continue;
		}
		WRITE_ONCE(fl->pending, 0);
		WRITE_ONCE(fl->masked, 0);
		mfence();
		prod = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE);
		md_trace(VIRQNET_TR_LOOK, cons, prod, 0);
		if (prod != cons) {
			WRITE_ONCE(fl->masked, 1);
			continue;
		}
		if (READ_ONCE(r->stop))
			return passes;
		md_trace(VIRQNET_TR_SLEEP, cons, 0, 0);
		syscall3(SYS_rx_wait, 0, 0, 0);
	}
}
