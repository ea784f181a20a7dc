// SPDX-License-Identifier: GPL-2.0
/*
 * rx.c - the receive application: probe virqnet, receive until the device
 * says the run is over, verify every datagram exactly once (order,
 * duplicates, integrity), log when each was consumed, and report the counts
 * to the host. It runs in ring 3 in both modes: through recv system calls
 * and copies (inject) or straight from the device's ring (mask-direct).
 *
 * A datagram that arrives late (UDP may reorder on a real network) is
 * delivered once and counted out_of_order; the device has already moved it
 * back from its never-arrived count, so sent = delivered + dropped holds.
 * A duplicate is told from a late one by a bitmap of the last SEEN_WINDOW
 * sequence numbers; one older than that is taken as late (the device, which
 * keeps no such window, counts it so too).
 *
 * With foreign=1 (vmm-mini --accept-foreign) the device also delivers
 * datagrams without virqlab's header, by the same rule as here: shorter than
 * the header, or another magic. They are counted and logged for latency,
 * never judged: nothing in them says what order or content is right. A
 * virqlab datagram whose magic was damaged is then counted foreign, not
 * corrupt; the device's own count of foreign datagrams it published, which
 * must equal this one, and virqlab's sent = delivered + dropped both catch it.
 *
 * Order is per flow (udpgen --flows; uapi/virqlab_payload.h): each flow has
 * its own sequence and its own checks. With several queues (the device's
 * NR_QUEUES) vCPU q runs queue q's consumer; a flow's packets all go to one
 * queue (the device hashes its 4-tuple), so each flow's checks are written
 * by one vCPU only, and the BSP sums them once every consumer has finished.
 */
#include "kernel/virqnet.h"
#include "kernel/virtio.h"
#include "uapi/virqlab_payload.h"

static uint64_t foreign_ok, foreign_delivered;	/* foreign=1 (one queue only) */

#define SEEN_WINDOW	4096

static struct flow_chk {
	uint64_t expected, delivered, bytes, out_of_order, duplicate;
	uint64_t seen[SEEN_WINDOW / 64];	/* bit seq % SEEN_WINDOW: seq was delivered */
} chk[VIRQLAB_MAX_FLOWS];

/* Shared by the consumers: written with locked instructions (rare paths). */
static uint64_t run_key;	/* 1 << 32 | the run's flow id (virqlab_flow_run), once seen */
static uint64_t corrupt, foreign;
static uint64_t passes[VIRQNET_MAX_QUEUES_GUEST];
static volatile uint32_t consumers_done;

static uint8_t rx_buf[VIRQNET_MAX_QUEUES_GUEST][VIRQNET_BUF_SIZE];
static uint64_t stall_after;	/* test only: see take() */

/* Ring 3: mark seq delivered; false if it already was (within the window). */
static __user_text bool seen_first(struct flow_chk *f, uint64_t seq)
{
	uint64_t *w = &f->seen[seq / 64 % (SEEN_WINDOW / 64)], bit = 1ull << (seq % 64);

	if (seq < f->expected) {
		if (f->expected - seq > SEEN_WINDOW)
			return true;	/* too old to tell: taken as late */
		if (*w & bit)
			return false;
	} else {
		/* The slots of expected..seq-1 held seqs a window older: now unseen. */
		for (uint64_t s = f->expected; s < seq && s - f->expected < SEEN_WINDOW; s++)
			f->seen[s / 64 % (SEEN_WINDOW / 64)] &= ~(1ull << (s % 64));
		f->expected = seq + 1;	/* a jump is a drop the device counted */
	}
	*w |= bit;
	return true;
}

/* Ring 3: count a foreign datagram and log it by its place (uapi/virqnet.h). */
static __user_text void take_foreign(uint32_t len)
{
	struct virqnet_lat_log *log = virqnet.latlog;
	uint32_t head = log->head;

	log->ent[head % VIRQNET_LAT_LOG_SIZE] = (struct virqnet_lat_entry){
		VIRQNET_LAT_FOREIGN | (uint64_t)(len & 0x7fffffff) << 32 |
		(uint32_t)foreign_delivered, rdtsc() };
	__atomic_store_n(&log->head, head + 1, __ATOMIC_RELEASE);
	foreign_delivered++;
}

/* Ring 3: check one datagram and log its consumption time. */
static __user_text void take(const uint8_t *p, uint32_t len)
{
	struct virqnet_lat_log *log = virqnet.latlog;
	struct virqlab_payload h;
	uint64_t key, none = 0;
	struct flow_chk *f;
	uint32_t head;
	bool late;

	if (foreign_ok && p) {
		uint32_t magic = 0;

		if (len >= sizeof(h))
			memcpy(&magic, p, sizeof(magic));
		if (magic != VIRQLAB_PAYLOAD_MAGIC) {
			take_foreign(len);
			return;
		}
	}
	if (!p || len < sizeof(h)) {
		__atomic_fetch_add(&corrupt, 1, __ATOMIC_RELAXED);
		return;
	}
	memcpy(&h, p, sizeof(h));
	if (h.magic != VIRQLAB_PAYLOAD_MAGIC || h.len != len || virqlab_csum(p, len) != h.csum) {
		__atomic_fetch_add(&corrupt, 1, __ATOMIC_RELAXED);
		return;
	}
	for (uint32_t i = sizeof(h); i < len; i++) {
		if (p[i] != virqlab_fill_byte(h.seq, i)) {
			__atomic_fetch_add(&corrupt, 1, __ATOMIC_RELAXED);
			return;
		}
	}
	/* The first packet names the run; one compare-exchange, whichever vCPU sees it first. */
	key = 1ull << 32 | virqlab_flow_run(h.flow);
	if (__atomic_load_n(&run_key, __ATOMIC_ACQUIRE) != key &&
	    !__atomic_compare_exchange_n(&run_key, &none, key, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE) && none != key) {
		__atomic_fetch_add(&foreign, 1, __ATOMIC_RELAXED);
		return;
	}
	f = &chk[virqlab_flow_index(h.flow)];
	late = h.seq < f->expected;
	if (!seen_first(f, h.seq)) {
		f->duplicate++;
		return;
	}
	f->out_of_order += late;	/* late, but delivered */
	f->delivered++;
	f->bytes += len;

	if (log) {
		head = log->head;
		log->ent[head % VIRQNET_LAT_LOG_SIZE] =
			(struct virqnet_lat_entry){ virqlab_seq_key(h.flow, h.seq), rdtsc() };
		__atomic_store_n(&log->head, head + 1, __ATOMIC_RELEASE);
	}

	/*
	 * stall_after=N (mask-direct, tests only): after N datagrams stop
	 * consuming, still masked, until the device asks for the report - the
	 * state of the stall in README "Known issues", made on purpose so that
	 * vmm-mini's report of an undrained ring runs under test.
	 */
	if (f->delivered == stall_after)
		while (!READ_ONCE(virqnet.ring->stop))
			syscall3(SYS_rx_wait, 0, 0, 0);
}

/* The consumers run on vCPU q for queue q; q and the budget travel in one argument. */
#define APP_ARG(q, budget)	((long)(q) << 32 | (budget))
#define APP_QUEUE(arg)		((uint32_t)((unsigned long)(arg) >> 32))
#define APP_BUDGET(arg)		((uint32_t)(arg))

static __user_text void inject_app(long arg)
{
	uint8_t *buf = rx_buf[APP_QUEUE(arg)];
	long n;

	while ((n = syscall3(SYS_rx_recv, (long)buf, VIRQNET_BUF_SIZE, 0)) > 0)
		take(buf, n);
	syscall3(SYS_exit, n < 0, 0, 0);
}

static struct virqnet_poll poll[VIRQNET_MAX_QUEUES_GUEST];
static uint64_t hobble;		/* debug: defeat the method (virqnet_md_consume) */

static __user_text void mask_direct_app(long arg)
{
	uint32_t q = APP_QUEUE(arg);

	passes[q] = virqnet_md_consume(q, take, APP_BUDGET(arg), &poll[q], hobble);
	syscall3(SYS_exit, 0, 0, 0);
}

static __user_text void virtio_app(long budget)
{
	passes[0] = vnet_consume(take, budget);
	syscall3(SYS_exit, 0, 0, 0);
}

static uint64_t app_budget;
static uint32_t go;

/* Queue q's consumer, on vCPU q; the exit code of its ring-3 application. */
static long consume_queue(uint32_t q)
{
	if (virqnet.mode == VIRQNET_MODE_MASK_DIRECT)
		return enter_user(mask_direct_app, APP_ARG(q, app_budget));
	if (virqnet.mode == VIRQNET_MODE_INJECT)
		return enter_user(inject_app, APP_ARG(q, 0));
	if (virqnet.mode == VIRQNET_MODE_VIRTIO && q == 0)
		return enter_user(virtio_app, app_budget);
	GUEST_FAIL("virqnet mode %u has no guest consumer for queue %u", virqnet.mode, q);
}

/* An AP: once the BSP has set the device up, drain this vCPU's queue if it has one. */
static void rx_ap(void)
{
	uint32_t q = this_cpu()->cpu;

	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		pause();
	if (q >= virqnet.nr_queues)
		return;
	GUEST_ASSERT_EQ(consume_queue(q), 0);
	__atomic_fetch_add(&consumers_done, 1, __ATOMIC_RELEASE);
}

static void rx(void)
{
	uint64_t budget = 0, poll_us = 0, adaptive = 0, split = 0;
	uint64_t sum[5] = { 0 }, flows = 0, npasses = 0;
	long code;

	require_vmm_mini("the virqnet device");
	if (arg_u64("budget", &budget) && budget == 0)
		GUEST_FAIL("budget=0: the consumer must take at least one per pass");
	/* poll_us=N: mask-direct consumer polls N us before it sleeps (0: never). */
	arg_u64("poll_us", &poll_us);
	/* adaptive=1: poll only while the arrival rate is high (drivers/virqnet_adaptive.c). */
	arg_u64("adaptive", &adaptive);
	arg_u64("adaptive_up_pps", &poll[0].up_pps);
	arg_u64("adaptive_down_pps", &poll[0].down_pps);
	arg_u64("hobble", &hobble);
	arg_u64("stall_after", &stall_after);
	/* foreign=1: vmm-mini --accept-foreign delivers datagrams without our header. */
	arg_u64("foreign", &foreign_ok);
	/* split=1 (virtio): each buffer a chain of two descriptors. */
	if (arg_u64("split", &split))
		vnet_split = split;
	if (poll_us && !boot_info->tsc_khz)
		GUEST_FAIL("poll_us=%llu: the VMM gave no TSC frequency", (unsigned long long)poll_us);
	poll[0].cycles = poll_us * boot_info->tsc_khz / 1000;
	poll[0].tsc_khz = boot_info->tsc_khz;
	poll[0].adaptive = adaptive;
	if (adaptive && (!poll_us || !poll[0].up_pps || poll[0].down_pps >= poll[0].up_pps))
		GUEST_FAIL("adaptive=1: needs poll_us > 0 and adaptive_down_pps < adaptive_up_pps"
			   " (have %llu, %llu, %llu)", (unsigned long long)poll_us,
			   (unsigned long long)poll[0].down_pps,
			   (unsigned long long)poll[0].up_pps);
	for (uint32_t q = 1; q < VIRQNET_MAX_QUEUES_GUEST; q++)
		poll[q] = poll[0];
	virqnet_probe();
	/* Default budget: the whole ring (mask-direct), or NAPI's 64 (virtio). */
	if (!budget)
		budget = virqnet.mode == VIRQNET_MODE_VIRTIO ? 64 : VIRQNET_RING_SIZE;
	if (stall_after && virqnet.mode != VIRQNET_MODE_MASK_DIRECT)
		GUEST_FAIL("stall_after=%llu: mask-direct only", (unsigned long long)stall_after);
	if (virqnet.nr_queues > 1 && virqnet.mode != VIRQNET_MODE_MASK_DIRECT &&
	    virqnet.mode != VIRQNET_MODE_INJECT)
		GUEST_FAIL("virqnet mode %u: one queue only (have %u)", virqnet.mode,
			   virqnet.nr_queues);
	if (virqnet.nr_queues > 1 && (adaptive || stall_after || hobble || foreign_ok))
		GUEST_FAIL("adaptive, stall_after, hobble and foreign take one queue (have %u)",
			   virqnet.nr_queues);
	app_budget = budget;
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	code = consume_queue(0);
	GUEST_ASSERT_EQ(code, 0);
	/* The other consumers end once they see the stop on their own rings. */
	while (__atomic_load_n(&consumers_done, __ATOMIC_ACQUIRE) < virqnet.nr_queues - 1)
		pause();

	for (uint32_t k = 0; k < VIRQLAB_MAX_FLOWS; k++) {
		sum[0] += chk[k].delivered;
		sum[1] += chk[k].bytes;
		sum[2] += chk[k].out_of_order;
		sum[3] += chk[k].duplicate;
		flows += chk[k].delivered > 0;
	}
	for (uint32_t q = 0; q < VIRQNET_MAX_QUEUES_GUEST; q++)
		npasses += passes[q];
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_DELIVERED, sum[0]);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_BYTES, sum[1]);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_OUT_OF_ORDER, sum[2]);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_DUPLICATE, sum[3]);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_CORRUPT, corrupt);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_DRAIN_PASSES, npasses);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_IRQS, virqnet_irqs);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_SHADOW_IRQS, irq_shadow_count());
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_FOREIGN, foreign);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_POLL_UP, poll[0].switches_up);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_POLL_DOWN, poll[0].switches_down);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_FOREIGN_DELIVERED, foreign_delivered);
	GUEST_SYNC(SYNC_REPORT, RX_REPORT_FLOWS, flows);
}
GUEST_TEST("rx", rx, rx_ap);
