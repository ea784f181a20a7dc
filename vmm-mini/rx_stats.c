// SPDX-License-Identifier: GPL-2.0
/*
 * rx_stats.c - turn a receive run's counters into figures.
 *
 * Every figure is a count or a timestamp difference: packets and drops from
 * the device model, delivered from the guest's own verification, interrupts
 * from vmm-mini's irqfd writes, exits from both vmm-mini's loop and KVM's
 * binary statistics (deltas over the receive window), latency from the host
 * kernel's receive timestamp to the guest consumer's TSC on one clock.
 * Column names are documented in the README and are never renamed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <asm/kvm_para.h>

#include "vmm/kvm.h"
#include "vmm/kvm_stats.h"
#include "vmm/rx_source.h"
#include "vmm/rx_stats.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

/* KVM per-vCPU counters we report, summed over vCPUs; "" if absent. */
static const char *const kvm_names[] = {
	"exits", "io_exits", "mmio_exits", "irq_injections", "halt_exits", "halt_wakeup",
	"insn_emulation", "irq_exits", "signal_exits",
};
#define NR_KVM ARRAY_SIZE(kvm_names)

/*
 * Time the vCPU threads spent polling before sleeping in HLT (halt_poll_ns):
 * system time that fills the gaps between packets, so it shrinks when probes
 * take time, and CPU time per packet without it is what the work costs.
 */
static const char *const halt_poll_names[] = { "halt_poll_success_ns", "halt_poll_fail_ns" };

struct rx_stats {
	struct kvm_stats kst[VIRQLAB_MAX_VCPUS];
	bool kst_ok;
	uint64_t kvm[3][NR_KVM];	/* window start, window end, lifetime */
	uint64_t user[3][EXIT_KIND_NR];
	uint64_t runs[3];
	uint64_t cpu_user_ns[3], cpu_sys_ns[3];	/* the whole process, every thread */
	uint64_t halt_poll_ns[3];
	bool halt_poll_ok;
	bool taken[3];
};

static struct rx_stats *st;

void rx_stats_init(struct vm *vm)
{
	st = calloc(1, sizeof(*st));
	if (!st)
		die("out of memory");
	st->kst_ok = true;
	st->halt_poll_ok = true;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (kvm_stats_open(&st->kst[i], vm->vcpus[i].fd) < 0)
			st->kst_ok = false;
	if (!st->kst_ok)
		pr_warn("KVM_GET_STATS_FD unavailable: kvm_* columns will be empty");
}

static uint64_t tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000ull + tv.tv_usec * 1000ull;
}

/*
 * vmm-mini's own CPU time: every thread, the vCPUs' time in the guest (counted
 * as user time) and in KVM (system time, halt polling included; the kernel
 * splits the exact sum between the two by tick samples, cputime_adjust()).
 * BPF programs on KVM tracepoints and the traps of USDT uprobes run on these
 * threads, so what probes cost lands here.
 */
static void rx_stats_cpu(int which)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		die("getrusage: %s", strerror(errno));
	st->cpu_user_ns[which] = tv_ns(ru.ru_utime);
	st->cpu_sys_ns[which] = tv_ns(ru.ru_stime);
}

void rx_stats_snapshot(struct vm *vm, int which)
{
	struct kvm_stats_snap snap;

	memset(st->kvm[which], 0, sizeof(st->kvm[which]));
	memset(st->user[which], 0, sizeof(st->user[which]));
	st->runs[which] = 0;
	st->halt_poll_ns[which] = 0;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		for (int k = 0; k < EXIT_KIND_NR; k++)
			st->user[which][k] += __atomic_load_n(&vm->vcpus[i].exits[k], __ATOMIC_RELAXED);
		st->runs[which] += __atomic_load_n(&vm->vcpus[i].runs, __ATOMIC_RELAXED);
		if (!st->kst_ok)
			continue;
		kvm_stats_read(&st->kst[i], &snap);
		for (unsigned int n = 0; n < NR_KVM; n++) {
			int idx = kvm_stats_find(&st->kst[i], kvm_names[n]);

			if (idx >= 0)
				st->kvm[which][n] += snap.val[idx];
		}
		for (unsigned int n = 0; n < ARRAY_SIZE(halt_poll_names); n++) {
			int idx = kvm_stats_find(&st->kst[i], halt_poll_names[n]);

			if (idx >= 0)
				st->halt_poll_ns[which] += snap.val[idx];
			else
				st->halt_poll_ok = false;
		}
	}
	rx_stats_cpu(which);
	st->taken[which] = true;
}

static double per(uint64_t a, uint64_t b)
{
	return b ? (double)a / b : 0;
}

/*
 * sent and errors from udpgen's one-row --stats file, found by column name.
 * udpgen renames the file into place once its last send has completed; it
 * may still be on its way when the device has seen the last datagram, so
 * wait for it a while.
 */
static bool read_sender(const char *path, uint64_t *sent, uint64_t *errors)
{
	char head[512], row[512], *save, *h, *v;
	bool got_sent = false, got_errors = false;
	FILE *f = NULL;

	for (int i = 0; i < 1000 && !(f = fopen(path, "r")); i++)
		usleep(10000);
	if (!f) {
		pr_warn("--sender-stats %s: %s", path, strerror(errno));
		return false;
	}
	if (!fgets(head, sizeof(head), f) || !fgets(row, sizeof(row), f) || head[0] != '#') {
		fclose(f);
		pr_warn("--sender-stats %s: not a one-row stats file", path);
		return false;
	}
	fclose(f);
	h = strtok_r(head + 1, "\t\n", &save);
	v = row;
	while (h && v) {
		char *end = v + strcspn(v, "\t\n"), *next = *end ? end + 1 : NULL;
		uint64_t x;

		*end = '\0';
		if (parse_u64(v, 0, UINT64_MAX, &x)) {
			if (!strcmp(h, "sent"))
				*sent = x, got_sent = true;
			else if (!strcmp(h, "errors"))
				*errors = x, got_errors = true;
		}
		h = strtok_r(NULL, "\t\n", &save);
		v = next;
	}
	if (!got_sent || !got_errors || *errors > *sent) {
		pr_warn("--sender-stats %s: no valid sent and errors columns", path);
		return false;
	}
	return true;
}

/*
 * The figures of DEV: the device itself once every thread that writes its
 * counters (receive thread, vCPUs) has been joined (virqnet.c,
 * "Ownership"), or a window's view (virqnet_window_close) while the vCPUs
 * still run (STOPPED false).
 */
static bool report(struct vm *vm, struct virqnet *dev, struct rx_source *src, const char *path,
		   bool complete, bool stopped)
{
	char sender[PATH_MAX + 16];
	struct rx_counters *c = &dev->c;
	uint64_t kvm[NR_KVM], user[EXIT_KIND_NR], sent, delivered, dropped, exits, lat[5], slat[2];
	uint64_t fdelivered, flat[3], pkts;
	bool foreign_ok;
	uint64_t *g = dev->guest_report;
	uint64_t gen_sent = 0, gen_errors = 0;
	uint64_t cpu_user, cpu_sys, halt_poll;
	const char *sent_source;
	bool sender_ok = true, overflow_ok, shared, overflow_checked;
	long long gap_minus_overflow;
	const char *pv_eoi = "-";
	uint64_t msr;
	double dur;
	bool ok;

	if (!st->taken[1])
		rx_stats_snapshot(vm, 1);
	/* Whole-process totals, read after the vCPUs stopped: what tracers see. */
	rx_stats_snapshot(vm, 2);
	/*
	 * Whether the guest turned on KVM's PV EOI, from KVM itself rather than
	 * from the guest's word. A vCPU that never stopped (join_vcpus cleared
	 * started) is still in KVM_RUN, where KVM_GET_MSRS would wait for it;
	 * so is every vCPU while a window before the last is reported ("-").
	 */
	if (stopped && vm->vcpus[0].started && vcpu_get_msr(&vm->vcpus[0], MSR_KVM_PV_EOI_EN, &msr) == 0)
		pv_eoi = msr & 1 ? "1" : "0";
	if (!st->taken[0])
		memset(st->kvm[0], 0, sizeof(st->kvm[0]));
	for (unsigned int n = 0; n < NR_KVM; n++)
		kvm[n] = st->kvm[1][n] - st->kvm[0][n];
	for (int k = 0; k < EXIT_KIND_NR; k++)
		user[k] = st->user[1][k] - st->user[0][k];
	cpu_user = st->cpu_user_ns[1] - st->cpu_user_ns[0];
	cpu_sys = st->cpu_sys_ns[1] - st->cpu_sys_ns[0];
	halt_poll = st->halt_poll_ns[1] - st->halt_poll_ns[0];

	/*
	 * sent: what the generator says it put on the wire (its --stats record:
	 * it numbered sent datagrams 0..sent-1, and errors of them never left
	 * it), else --count, else the highest sequence number + 1.
	 */
	if (src->sender_stats &&
	    read_sender(rx_window_path(src, src->sender_stats, sender, sizeof(sender)), &gen_sent,
			&gen_errors)) {
		sent_source = "sender";
		if (dev->next_seq < gen_sent)
			c->drop_seq_gap += gen_sent - dev->next_seq;
		/* A send error leaves a gap that is no drop: that datagram was never sent. */
		if (gen_errors > c->drop_seq_gap) {
			pr_warn("--sender-stats: %llu send errors but only %llu sequence numbers "
				"missing", (unsigned long long)gen_errors,
				(unsigned long long)c->drop_seq_gap);
			sender_ok = false;
		}
		c->drop_seq_gap -= gen_errors < c->drop_seq_gap ? gen_errors : c->drop_seq_gap;
		sent = gen_sent - gen_errors;
	} else {
		sent_source = src->count ? "count" : "highest_seq";
		sent = src->count ? src->count : dev->next_seq;
		if (src->count && dev->next_seq < src->count)
			c->drop_seq_gap += src->count - dev->next_seq;
	}
	/*
	 * On loopback, one generator to one socket, a datagram that was sent
	 * and never reached the device was dropped by the socket (counted in
	 * sk_drops: queue full, no memory), so with the generator's record
	 * never-arrived = sock_overflow exactly. Without it never-arrived also
	 * holds what the generator never sent, and only sock_overflow <=
	 * never-arrived is known. Anything else lost a datagram somewhere we
	 * cannot see (the loopback backlog), or miscounted one.
	 */
	gap_minus_overflow = (long long)c->drop_seq_gap - (long long)c->sock_overflow;
	overflow_ok = sender_ok && (!strcmp(sent_source, "sender") ? gap_minus_overflow == 0 :
				   gap_minus_overflow >= 0);
	/*
	 * Foreign datagrams on the socket too: its drop count does not say
	 * whose a drop was, so with the generator's record only never-arrived
	 * <= sock_overflow is known, and without it nothing (overflow_check -).
	 */
	shared = c->foreign > 0;
	overflow_checked = !shared || !strcmp(sent_source, "sender");
	if (shared)
		overflow_ok = sender_ok && (!overflow_checked || gap_minus_overflow <= 0);
	dropped = c->drop_ring_full + c->drop_not_ready + c->drop_too_big + c->drop_seq_gap;
	delivered = !dev->ops->has_driver ? c->sink_delivered :
		g[RX_REPORT_DELIVERED - RX_REPORT_DELIVERED];
	exits = st->kst_ok ? kvm[0] : user[EXIT_KIND_IO] + user[EXIT_KIND_MMIO];
	dur = src->first_ns && src->end_ns > src->first_ns ? (src->end_ns - src->first_ns) / 1e9 : 0;
	/*
	 * Foreign datagrams (--accept-foreign, rx_foreign.c): what their sender
	 * sent is not known here, so the check is that every one that arrived
	 * went somewhere once: consumed by the guest (its own count), dropped by
	 * the device, or discarded (another flow's). virqlab's check above does
	 * not include them; per-packet figures count every datagram consumed.
	 */
	fdelivered = g[RX_REPORT_FOREIGN_DELIVERED - RX_REPORT_DELIVERED];
	foreign_ok = c->foreign == fdelivered + c->foreign_dropped + c->foreign_discarded;
	pkts = delivered + fdelivered;
	ok = complete && sent == delivered + dropped && overflow_ok &&
	     (!dev->accept_foreign || foreign_ok);

	sort_u64(dev->lat_ns, dev->nr_lat);
	lat[0] = percentile_u64(dev->lat_ns, dev->nr_lat, 50);
	lat[1] = percentile_u64(dev->lat_ns, dev->nr_lat, 90);
	lat[2] = percentile_u64(dev->lat_ns, dev->nr_lat, 99);
	lat[3] = percentile_u64(dev->lat_ns, dev->nr_lat, 99.9);
	lat[4] = dev->nr_lat ? dev->lat_ns[dev->nr_lat - 1] : 0;
	/* The same packets timed from the sender's stamp (tests/kvm/latency-clock.t). */
	sort_u64(dev->send_lat_ns, dev->nr_lat);
	slat[0] = percentile_u64(dev->send_lat_ns, dev->nr_lat, 50);
	slat[1] = percentile_u64(dev->send_lat_ns, dev->nr_lat, 99);
	if (dev->nr_foreign_lat)	/* no array without --accept-foreign */
		sort_u64(dev->foreign_lat_ns, dev->nr_foreign_lat);
	flat[0] = percentile_u64(dev->foreign_lat_ns, dev->nr_foreign_lat, 50);
	flat[1] = percentile_u64(dev->foreign_lat_ns, dev->nr_foreign_lat, 99);
	flat[2] = dev->nr_foreign_lat ? dev->foreign_lat_ns[dev->nr_foreign_lat - 1] : 0;

	if (src->windows)
		printf("virqnet: window %u of %u:\n", src->window, src->windows);
	printf("virqnet: mode %s on KVM %s%s%s\n", dev->ops->name,
	       vm->flavour.name, vm->flavour.cpu_emulated ? " (emulated CPU)" : "",
	       complete ? "" : " [PARTIAL: run interrupted]");
	if (dev->nr_queues > 1) {
		printf("  %u queues on vCPUs 0..%u, published per queue (Toeplitz hash of the 4-tuple):",
		       dev->nr_queues, dev->nr_queues - 1);
		for (unsigned int i = 0; i < dev->nr_queues; i++)
			printf(" %llu", (unsigned long long)dev->rxq[i].published);
		printf("; %llu flows delivered\n",
		       (unsigned long long)g[RX_REPORT_FLOWS - RX_REPORT_DELIVERED]);
	}
	printf("  sent %llu = delivered %llu + dropped %llu (ring full %llu, not ready %llu, "
	       "too big %llu, never arrived %llu; socket overflow %llu%s; sent from %s)  "
	       "accounting %s\n",
	       (unsigned long long)sent, (unsigned long long)delivered,
	       (unsigned long long)dropped, (unsigned long long)c->drop_ring_full,
	       (unsigned long long)c->drop_not_ready, (unsigned long long)c->drop_too_big,
	       (unsigned long long)c->drop_seq_gap, (unsigned long long)c->sock_overflow,
	       overflow_checked ? "" : ", not checked: foreign datagrams share the socket",
	       sent_source, ok ? "OK" : "MISMATCH");
	if (!overflow_ok)
		printf("  never arrived %llu but the socket dropped %llu (%s): %s\n",
		       (unsigned long long)c->drop_seq_gap, (unsigned long long)c->sock_overflow,
		       shared ? "the socket's drops include foreign datagrams: never-arrived cannot "
		       "exceed them" : !strcmp(sent_source, "sender") ?
		       "sent from the generator's record, they must be equal" :
		       "the socket cannot drop more than never arrived",
		       gap_minus_overflow > 0 ? "datagrams lost outside the socket" :
		       "datagrams counted as arrived that the socket dropped");
	if (dev->accept_foreign)
		printf("  foreign (no virqlab header) %llu = delivered %llu + dropped %llu + discarded "
		       "%llu (another flow's); order and integrity not judged, their sender's count "
		       "unknown here  foreign accounting %s\n", (unsigned long long)c->foreign,
		       (unsigned long long)fdelivered, (unsigned long long)c->foreign_dropped,
		       (unsigned long long)c->foreign_discarded, foreign_ok ? "OK" : "MISMATCH");
	else if (c->foreign)
		printf("  foreign %llu discarded (no --accept-foreign)\n",
		       (unsigned long long)c->foreign);
	printf("  delivered %.0f pps over %.3f s; guest: %llu out of order, %llu duplicate, "
	       "%llu corrupt\n", per(delivered, 1) / (dur > 0 ? dur : 1), dur,
	       (unsigned long long)g[RX_REPORT_OUT_OF_ORDER - RX_REPORT_DELIVERED],
	       (unsigned long long)g[RX_REPORT_DUPLICATE - RX_REPORT_DELIVERED],
	       (unsigned long long)g[RX_REPORT_CORRUPT - RX_REPORT_DELIVERED]);
	printf("  interrupts raised %llu (%.4f/pkt), suppressed %llu; exits %llu (%.4f/pkt, %s); "
	       "user-space exits %llu\n", (unsigned long long)c->irqs_raised,
	       per(c->irqs_raised, pkts), (unsigned long long)c->irqs_suppressed,
	       (unsigned long long)exits, per(exits, pkts),
	       st->kst_ok ? "KVM stats" : "vmm-mini's own count",
	       (unsigned long long)(user[EXIT_KIND_IO] + user[EXIT_KIND_MMIO]));
	if (dev->coalesce_ns)
		printf("  coalescing %llu us: %llu arrivals shared an earlier arrival's "
		       "interrupt\n", (unsigned long long)(dev->coalesce_ns / 1000),
		       (unsigned long long)c->irqs_coalesced);
	if (dev->ops->adaptive)
		printf("  adaptive: polling from %llu pps, back to interrupts at %llu pps: %llu "
		       "switches up, %llu down\n", (unsigned long long)vm->cfg.adaptive_up_pps,
		       (unsigned long long)vm->cfg.adaptive_down_pps,
		       (unsigned long long)g[RX_REPORT_POLL_UP - RX_REPORT_DELIVERED],
		       (unsigned long long)g[RX_REPORT_POLL_DOWN - RX_REPORT_DELIVERED]);
	printf("  latency host rx -> guest consumer: p50 %llu ns, p99 %llu ns, max %llu ns "
	       "(%llu samples)\n", (unsigned long long)lat[0], (unsigned long long)lat[2],
	       (unsigned long long)lat[4], (unsigned long long)dev->nr_lat);
	if (dev->accept_foreign)
		printf("  latency host rx -> guest consumer, foreign: p50 %llu ns, p99 %llu ns, max "
		       "%llu ns (%llu samples, %llu log entries unpaired)\n",
		       (unsigned long long)flat[0], (unsigned long long)flat[1],
		       (unsigned long long)flat[2], (unsigned long long)dev->nr_foreign_lat,
		       (unsigned long long)c->foreign_lat_unpaired);
	printf("  latency sender -> guest consumer: p50 %llu ns, p99 %llu ns; sender stamp after "
	       "the kernel's %llu; consumed after the host read it %llu (by up to %llu ns)\n",
	       (unsigned long long)slat[0], (unsigned long long)slat[1],
	       (unsigned long long)c->send_after_rx, (unsigned long long)c->lat_future,
	       (unsigned long long)c->lat_future_max_ns);
	printf("  vmm-mini CPU over the receive window: user %.3f ms, sys %.3f ms (%.0f ns/pkt)",
	       cpu_user / 1e6, cpu_sys / 1e6, per(cpu_user + cpu_sys, pkts));
	if (st->kst_ok && st->halt_poll_ok)
		printf(", halt polling %.3f ms", halt_poll / 1e6);
	putchar('\n');
	if (c->guest_errors)
		printf("  guest errors rejected by the device: %llu\n",
		       (unsigned long long)c->guest_errors);
	if (g[RX_REPORT_SHADOW_IRQS - RX_REPORT_DELIVERED])
		printf("  platform fault: %llu interrupts delivered inside STI's shadow (the guest "
		       "stepped over the HLT; README \"Known issues\")\n",
		       (unsigned long long)g[RX_REPORT_SHADOW_IRQS - RX_REPORT_DELIVERED]);

	if (path) {
		FILE *f = fopen(path, "w");

		if (!f) {
			pr_warn("--stats %s: %s", path, strerror(errno));
			return ok;
		}
		fprintf(f, "#mode\tsent\tdelivered\tdropped\tdrop_ring_full\tdrop_not_ready"
			"\tdrop_too_big\tdrop_seq_gap\tsock_overflow\treordered\tforeign\tbytes"
			"\tduration_s\tdelivered_pps\tirqs_raised\tirqs_suppressed\tguest_irqs"
			"\tdrain_passes\texits\texits_user\texits_user_io\texits_user_mmio"
			"\tkvm_exits\tkvm_io_exits\tkvm_mmio_exits\tkvm_irq_injections"
			"\tkvm_halt_exits\tkvm_halt_wakeup\tkvm_insn_emulation\tkvm_irq_exits"
			"\tkvm_signal_exits\tirqs_per_pkt\texits_per_pkt\tlat_samples\tlat_p50_ns"
			"\tlat_p90_ns\tlat_p99_ns\tlat_p999_ns\tlat_max_ns\tguest_delivered"
			"\tguest_out_of_order\tguest_duplicate\tguest_corrupt\tguest_errors"
			"\taccounting\tcomplete\tflavour\tcpu_emulated\ttsc_khz\tvcpus"
			"\tlife_kvm_runs\tlife_irqs_raised\tlife_irqs_control");
		for (unsigned int n = 0; n < NR_KVM; n++)
			fprintf(f, "\tlife_kvm_%s", kvm_names[n]);
		fputs("\tguest_shadow_irqs\tcoalesce_us\tirqs_coalesced\tpv_eoi\tsent_source"
		      "\tgap_minus_overflow\toverflow_check\tcpu_user_ns\tcpu_sys_ns"
		      "\tcpu_ns_per_pkt\tkvm_halt_poll_ns\tadaptive_up_pps\tadaptive_down_pps"
		      "\tpoll_switches_up\tpoll_switches_down\tsend_lat_p50_ns\tsend_lat_p99_ns"
		      "\tsend_after_rx\tlat_future\tlat_future_max_ns\taccept_foreign"
		      "\tforeign_delivered\tforeign_dropped\tforeign_discarded\tforeign_accounting"
		      "\tforeign_judged\tforeign_lat_samples\tforeign_lat_p50_ns\tforeign_lat_p99_ns"
		      "\tforeign_lat_max_ns\tforeign_lat_unpaired\tqueues\tqueue_published"
		      "\tguest_flows\n", f);
		fprintf(f, "%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu"
			"\t%.6f\t%.1f\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu",
			dev->ops->name, (unsigned long long)sent,
			(unsigned long long)delivered, (unsigned long long)dropped,
			(unsigned long long)c->drop_ring_full, (unsigned long long)c->drop_not_ready,
			(unsigned long long)c->drop_too_big, (unsigned long long)c->drop_seq_gap,
			(unsigned long long)c->sock_overflow, (unsigned long long)c->reordered,
			(unsigned long long)c->foreign, (unsigned long long)c->bytes, dur,
			dur > 0 ? delivered / dur : 0, (unsigned long long)c->irqs_raised,
			(unsigned long long)c->irqs_suppressed,
			(unsigned long long)g[RX_REPORT_IRQS - RX_REPORT_DELIVERED],
			(unsigned long long)g[RX_REPORT_DRAIN_PASSES - RX_REPORT_DELIVERED],
			(unsigned long long)exits,
			(unsigned long long)(user[EXIT_KIND_IO] + user[EXIT_KIND_MMIO]),
			(unsigned long long)user[EXIT_KIND_IO],
			(unsigned long long)user[EXIT_KIND_MMIO]);
		for (unsigned int n = 0; n < NR_KVM; n++) {
			if (st->kst_ok)
				fprintf(f, "\t%llu", (unsigned long long)kvm[n]);
			else
				fprintf(f, "\t-");
		}
		fprintf(f, "\t%.6f\t%.6f\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu"
			"\t%llu\t%llu\t%s\t%d\t%s\t%d\t%llu\t%u",
			per(c->irqs_raised, pkts), per(exits, pkts),
			(unsigned long long)dev->nr_lat, (unsigned long long)lat[0],
			(unsigned long long)lat[1], (unsigned long long)lat[2],
			(unsigned long long)lat[3], (unsigned long long)lat[4],
			(unsigned long long)g[0],
			(unsigned long long)g[RX_REPORT_OUT_OF_ORDER - RX_REPORT_DELIVERED],
			(unsigned long long)g[RX_REPORT_DUPLICATE - RX_REPORT_DELIVERED],
			(unsigned long long)g[RX_REPORT_CORRUPT - RX_REPORT_DELIVERED],
			(unsigned long long)c->guest_errors, ok ? "ok" : "mismatch", complete,
			vm->flavour.name, vm->flavour.cpu_emulated,
			(unsigned long long)vm->tsc_khz, vm->nr_vcpus);
		fprintf(f, "\t%llu\t%llu\t%llu", (unsigned long long)st->runs[2],
			(unsigned long long)c->irqs_raised, (unsigned long long)c->irqs_control);
		for (unsigned int n = 0; n < NR_KVM; n++) {
			if (st->kst_ok)
				fprintf(f, "\t%llu", (unsigned long long)st->kvm[2][n]);
			else
				fprintf(f, "\t-");
		}
		fprintf(f, "\t%llu\t%llu\t%llu\t%s\t%s\t%lld\t%s\t%llu\t%llu\t%.1f",
			(unsigned long long)g[RX_REPORT_SHADOW_IRQS - RX_REPORT_DELIVERED],
			(unsigned long long)(dev->coalesce_ns / 1000),
			(unsigned long long)c->irqs_coalesced, pv_eoi, sent_source,
			gap_minus_overflow,
			!overflow_checked ? "-" : overflow_ok ? "ok" : "mismatch",
			(unsigned long long)cpu_user, (unsigned long long)cpu_sys,
			per(cpu_user + cpu_sys, pkts));
		if (st->kst_ok && st->halt_poll_ok)
			fprintf(f, "\t%llu", (unsigned long long)halt_poll);
		else
			fputs("\t-", f);
		fprintf(f, "\t%llu\t%llu\t%llu\t%llu", (unsigned long long)vm->cfg.adaptive_up_pps,
			(unsigned long long)vm->cfg.adaptive_down_pps,
			(unsigned long long)g[RX_REPORT_POLL_UP - RX_REPORT_DELIVERED],
			(unsigned long long)g[RX_REPORT_POLL_DOWN - RX_REPORT_DELIVERED]);
		fprintf(f, "\t%llu\t%llu\t%llu\t%llu\t%llu", (unsigned long long)slat[0],
			(unsigned long long)slat[1], (unsigned long long)c->send_after_rx,
			(unsigned long long)c->lat_future, (unsigned long long)c->lat_future_max_ns);
		/* Unchecked is "-", never "ok": without --accept-foreign all are discarded. */
		fprintf(f, "\t%d\t%llu\t%llu\t%llu\t%s\t%s\t%llu\t%llu\t%llu\t%llu\t%llu",
			dev->accept_foreign, (unsigned long long)fdelivered,
			(unsigned long long)c->foreign_dropped,
			(unsigned long long)c->foreign_discarded,
			!dev->accept_foreign ? "-" : foreign_ok ? "ok" : "mismatch",
			dev->accept_foreign ? "count_only" : "-",
			(unsigned long long)dev->nr_foreign_lat, (unsigned long long)flat[0],
			(unsigned long long)flat[1], (unsigned long long)flat[2],
			(unsigned long long)c->foreign_lat_unpaired);
		/* Per queue, comma-separated in queue order: how the hash spread the flows. */
		fprintf(f, "\t%u\t", dev->nr_queues);
		for (unsigned int i = 0; i < dev->nr_queues; i++)
			fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)dev->rxq[i].published);
		fprintf(f, "\t%llu\n", (unsigned long long)g[RX_REPORT_FLOWS - RX_REPORT_DELIVERED]);
		fclose(f);
	}
	return ok;
}

/*
 * The raw samples behind lat_p50_ns..lat_max_ns, for latency CDFs: one
 * number per line, in the order the guest consumed the packets, under a
 * "#lat_ns" header. Before report(), which sorts them.
 */
static void write_latencies(struct virqnet *dev, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		pr_warn("--latency-log %s: %s", path, strerror(errno));
		return;
	}
	fputs("#lat_ns\n", f);
	for (uint64_t i = 0; i < dev->nr_lat; i++)
		fprintf(f, "%llu\n", (unsigned long long)dev->lat_ns[i]);
	if (fclose(f))
		pr_warn("--latency-log %s: %s", path, strerror(errno));
}

const char *rx_window_path(const struct rx_source *src, const char *base, char *buf, size_t n)
{
	if (!base || !src->windows)
		return base;
	if ((size_t)snprintf(buf, n, "%s.%u", base, src->window) >= n)
		die("%s.%u: path too long", base, src->window);
	return buf;
}

static bool report_files(struct vm *vm, struct virqnet *dev, struct rx_source *src,
			 bool complete, bool stopped)
{
	char lat[PATH_MAX + 16], stats[PATH_MAX + 16];

	if (src->latency_log)
		write_latencies(dev, rx_window_path(src, src->latency_log, lat, sizeof(lat)));
	return report(vm, dev, src, rx_window_path(src, src->stats, stats, sizeof(stats)),
		      complete, stopped);
}

bool rx_stats_report(struct vm *vm, struct rx_source *src, bool complete)
{
	bool ok = report_files(vm, vm->virqnet, src, complete, true);

	if (src->windows) {
		fflush(stdout);
		pr_info("virqnet: window %u of %u done: accounting %s%s", src->window, src->windows,
			ok ? "OK" : "MISMATCH", complete ? "" : " (partial)");
	}
	return ok;
}

/*
 * --windows: the window that just ended (the guest has reported it), as
 * its own run: the device's view of it (virqnet_window_close: the device
 * starts afresh), its KVM deltas, files, and a line runners wait for. The
 * next window's statistics start where this one's ended until it opens.
 */
bool rx_stats_window(struct vm *vm, struct rx_source *src)
{
	struct virqnet view;
	bool ok;

	virqnet_window_close(vm->virqnet, &view);
	ok = report_files(vm, &view, src, true, false);
	fflush(stdout);
	pr_info("virqnet: window %u of %u done: accounting %s", src->window, src->windows,
		ok ? "OK" : "MISMATCH");
	memcpy(st->kvm[0], st->kvm[1], sizeof(st->kvm[0]));
	memcpy(st->user[0], st->user[1], sizeof(st->user[0]));
	st->runs[0] = st->runs[1];
	st->cpu_user_ns[0] = st->cpu_user_ns[1];
	st->cpu_sys_ns[0] = st->cpu_sys_ns[1];
	st->halt_poll_ns[0] = st->halt_poll_ns[1];
	st->taken[1] = false;
	return ok;
}
