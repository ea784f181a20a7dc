// SPDX-License-Identifier: GPL-2.0
/*
 * virqstat_out.c - read virqstat's maps and show them: interval rows, the
 * table at the end, and the tab-separated file (format in probes/README.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "virqstat.skel.h"
#include "virqstat_out.h"

const char *const tp_names[NR_TPS] = {
	[TP_KVM_SET_IRQ] = "kvm_set_irq",
	[TP_KVM_MSI_SET_IRQ] = "kvm_msi_set_irq",
	[TP_KVM_APIC_ACCEPT_IRQ] = "kvm_apic_accept_irq",
	[TP_KVM_INJ_VIRQ] = "kvm_inj_virq",
	[TP_KVM_EOI] = "kvm_eoi",
	[TP_KVM_EXIT] = "kvm_exit",
	[TP_KVM_ENTRY] = "kvm_entry",
	[TP_KVM_USERSPACE_EXIT] = "kvm_userspace_exit",
	[TP_KVM_PIO] = "kvm_pio",
	[TP_KVM_MMIO] = "kvm_mmio",
	[TP_KVM_MSR] = "kvm_msr",
	[TP_KVM_VCPU_WAKEUP] = "kvm_vcpu_wakeup",
	[TP_KVM_HALT_POLL_NS] = "kvm_halt_poll_ns",
	[TP_KVM_EMULATE_INSN] = "kvm_emulate_insn",
};

const char *const event_names[NR_EVENTS] = {
	[U_RUN_START] = "run_start",
	[U_RUN_STOP] = "run_stop",
	[U_RX_BATCH] = "rx_batch",
	[U_IRQ_RAISE] = "irq_raise",
	[U_LAT_BATCH] = "lat_batch",
	[U_ARRIVALS] = "arrivals",
	[U_IRQ_SUPPRESS] = "irqs_suppressed",
	[U_LAT_SAMPLES] = "lat_samples",
	[U_IRQ_CONTROL] = "irq_control",
};

static const char *const hist_names[NR_HISTS] = {
	[H_LATENCY] = "latency_ns",
	[H_IRQ_GAP] = "irq_gap_ns",
	[H_EXIT_TIME] = "exit_time_ns",
};

/* Fields that key a tracepoint's counts (see virqstat.bpf.c), by format-file name. */
const char *const key_fields[NR_TPS][NR_KEY_FIELDS] = {
	[TP_KVM_SET_IRQ] = { "gsi" },
	[TP_KVM_MSI_SET_IRQ] = { "data" },
	[TP_KVM_APIC_ACCEPT_IRQ] = { "vec" },
	[TP_KVM_INJ_VIRQ] = { "irq" },
	[TP_KVM_EOI] = { "vector" },
	[TP_KVM_EXIT] = { "exit_reason", "isa" },
	[TP_KVM_USERSPACE_EXIT] = { "reason", "errno" },
	[TP_KVM_PIO] = { "port", "rw" },
	[TP_KVM_MMIO] = { "type" },
	[TP_KVM_MSR] = { "ecx", "write" },
};

struct code_name {
	unsigned int code;
	const char *name;
};

/* The exit reasons a small guest meets; others print as numbers. */
static const struct code_name svm_exits[] = {
	{ 0x040, "exception_de" }, { 0x046, "exception_ud" }, { 0x04e, "exception_pf" },
	{ 0x060, "intr" }, { 0x061, "nmi" }, { 0x064, "vintr" }, { 0x072, "cpuid" },
	{ 0x077, "pause" }, { 0x078, "hlt" }, { 0x07b, "ioio" }, { 0x07c, "msr" },
	{ 0x07f, "shutdown" }, { 0x081, "vmmcall" }, { 0x400, "npf" },
	{ 0x401, "avic_incomplete_ipi" }, { 0x402, "avic_unaccelerated_access" },
};
static const struct code_name vmx_exits[] = {
	{ 0, "exception_nmi" }, { 1, "external_interrupt" }, { 2, "triple_fault" },
	{ 7, "interrupt_window" }, { 10, "cpuid" }, { 12, "hlt" }, { 30, "io_instruction" },
	{ 31, "msr_read" }, { 32, "msr_write" }, { 40, "pause" }, { 44, "apic_access" },
	{ 45, "eoi_induced" }, { 48, "ept_violation" }, { 49, "ept_misconfig" },
	{ 52, "preemption_timer" }, { 56, "apic_write" },
};
static const struct code_name user_exits[] = {
	{ 0, "unknown" }, { 2, "io" }, { 4, "debug" }, { 5, "hlt" }, { 6, "mmio" },
	{ 8, "shutdown" }, { 9, "fail_entry" }, { 10, "intr" }, { 17, "internal_error" },
	{ 24, "system_event" },
};

static const char *lookup(const struct code_name *t, size_t n, unsigned int code)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

#define LOOKUP(t, code) lookup(t, sizeof(t) / sizeof(t[0]), code)

void totals_read(struct virqstat_bpf *skel, struct totals *t)
{
	int fd = bpf_map__fd(skel->maps.counts), ncpu = libbpf_num_possible_cpus();
	uint64_t *v = calloc(ncpu > 0 ? ncpu : 1, sizeof(*v));

	memset(t, 0, sizeof(*t));
	for (uint32_t e = 0; v && e < NR_EVENTS; e++) {
		if (bpf_map_lookup_elem(fd, &e, v))
			continue;
		for (int c = 0; c < ncpu; c++)
			t->ev[e] += v[c];
	}
	free(v);
}

static const char *const row_events[] = {
	"arrivals", "irq_raise", "irqs_suppressed", "kvm_msi_set_irq", "kvm_inj_virq",
	"kvm_exit", "kvm_userspace_exit",
};
static const int row_ids[] = {
	U_ARRIVALS, U_IRQ_RAISE, U_IRQ_SUPPRESS, TP_KVM_MSI_SET_IRQ, TP_KVM_INJ_VIRQ,
	TP_KVM_EXIT, TP_KVM_USERSPACE_EXIT,
};

void interval_print(FILE *f, const struct totals *now, const struct totals *prev,
		    double secs, bool header)
{
	if (header) {
		fprintf(f, "%-8s", "time");
		for (size_t i = 0; i < sizeof(row_ids) / sizeof(row_ids[0]); i++)
			fprintf(f, " %18s", row_events[i]);
		fprintf(f, "   (per second)\n");
	}
	{
		time_t t = time(NULL);
		struct tm tm;
		char buf[16];

		strftime(buf, sizeof(buf), "%H:%M:%S", localtime_r(&t, &tm));
		fprintf(f, "%-8s", buf);
	}
	for (size_t i = 0; i < sizeof(row_ids) / sizeof(row_ids[0]); i++)
		fprintf(f, " %18.0f", (now->ev[row_ids[i]] - prev->ev[row_ids[i]]) / secs);
	fputc('\n', f);
}

static bool hist_read(struct virqstat_bpf *skel, uint32_t id, struct hist *h)
{
	return !bpf_map_lookup_elem(bpf_map__fd(skel->maps.hists), &id, h);
}

static uint64_t hist_total(const struct hist *h)
{
	uint64_t n = 0;

	for (int i = 0; i < MAX_SLOTS; i++)
		n += h->log2[i];
	return n;
}

static uint64_t slot_lo(int slot)
{
	return slot ? 1ull << slot : 0;
}

/* Lower bound of fine sub-slot i: 2^s + sub * 2^s / FINE_SUB. */
static double fine_lo(int i)
{
	int s = i / FINE_SUB, sub = i % FINE_SUB;
	double base = (double)(1ull << s);

	return base + sub * base / FINE_SUB;
}

uint64_t hist_percentile(const struct hist *h, double pct)
{
	uint64_t total = hist_total(h), want, seen = 0;

	if (!total)
		return 0;
	/* The sample of rank ceil(pct% of n), as vmm-mini's nearest-rank does. */
	want = (uint64_t)(pct / 100.0 * total + 0.999999);
	if (want < 1)
		want = 1;
	for (int i = 0; i < MAX_SLOTS * FINE_SUB; i++) {
		seen += h->fine[i];
		if (seen >= want)
			return (uint64_t)(fine_lo(i) + (fine_lo(i + 1) - fine_lo(i)) / 2);
	}
	return 0;
}

static void print_log2(FILE *f, const __u64 *slots, const char *unit)
{
	int lo = -1, hi = -1;
	uint64_t max = 0;

	for (int i = 0; i < MAX_SLOTS; i++) {
		if (!slots[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
		if (slots[i] > max)
			max = slots[i];
	}
	if (lo < 0) {
		fprintf(f, "     (no samples)\n");
		return;
	}
	fprintf(f, "%24s : %-10s distribution\n", unit, "count");
	for (int i = lo; i <= hi; i++) {
		int stars = max ? (int)(slots[i] * 40 / max) : 0;

		fprintf(f, "%10llu -> %-10llu : %-10llu |%-40.*s|\n",
			(unsigned long long)slot_lo(i), (unsigned long long)(1ull << (i + 1)) - 1,
			(unsigned long long)slots[i], stars,
			"****************************************");
	}
}

static void key_text(char *buf, size_t n, int tp, uint64_t key, bool human)
{
	uint32_t k0 = (uint32_t)key, k1 = key >> 32;
	const char *name = NULL;

	if (human && tp == TP_KVM_EXIT)
		name = k1 == 2 ? LOOKUP(svm_exits, k0) : k1 == 1 ? LOOKUP(vmx_exits, k0) : NULL;
	if (human && tp == TP_KVM_USERSPACE_EXIT) {
		name = LOOKUP(user_exits, k0);
		if ((int32_t)k1 < 0) {
			snprintf(buf, n, "error %d (%s)", (int32_t)k1, strerror(-(int32_t)k1));
			return;
		}
	}
	if (name) {
		snprintf(buf, n, "%s (0x%x)", name, k0);
	} else if (key_fields[tp][1]) {
		snprintf(buf, n, "%s=%u,%s=%d", key_fields[tp][0], k0, key_fields[tp][1],
			 (int32_t)k1);
	} else {
		snprintf(buf, n, "%s=%u", key_fields[tp][0], k0);
	}
}

struct keyed_row {
	struct keyed k;
	uint64_t n;
};

static int cmp_rows(const void *a, const void *b)
{
	const struct keyed_row *x = a, *y = b;

	if (x->k.event != y->k.event)
		return x->k.event < y->k.event ? -1 : 1;
	return x->n < y->n ? 1 : x->n > y->n ? -1 : 0;
}

/* All keyed counts, by tracepoint, most frequent first. */
static struct keyed_row *keyed_read(struct virqstat_bpf *skel, size_t *nr)
{
	int fd = bpf_map__fd(skel->maps.keyed_counts);
	struct keyed k, next, *cur = NULL;
	struct keyed_row *rows = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, cur, &next)) {
		uint64_t v;

		k = next;
		cur = &k;
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;
		if (n == cap) {
			struct keyed_row *r = realloc(rows, (cap = cap ? 2 * cap : 64) * sizeof(*r));

			if (!r)
				break;
			rows = r;
		}
		rows[n++] = (struct keyed_row){ k, v };
	}
	if (n)
		qsort(rows, n, sizeof(*rows), cmp_rows);
	*nr = n;
	return rows;
}

static const char *tp_state(const struct run_info *ri, const struct totals *t, int tp)
{
	switch (ri->tp[tp]) {
	case TP_ABSENT: return "absent";
	case TP_FAILED: return "failed";
	case TP_OFF: return "off";
	default: return t->ev[tp] ? "live" : "idle";
	}
}

void table_print(FILE *f, struct virqstat_bpf *skel, const struct run_info *ri)
{
	struct totals t;
	struct keyed_row *rows;
	struct hist h;
	size_t nr;
	uint64_t pkts;

	totals_read(skel, &t);
	pkts = t.ev[U_ARRIVALS];
	fprintf(f, "\nvirqstat: pid %d (%s), %.3f s%s\n", ri->pid, ri->comm,
		(ri->end_ns - ri->start_ns) / 1e9, ri->interrupted ? " [interrupted]" : "");
	fprintf(f, "%-22s %-7s %12s %10s\n", "KVM tracepoint", "state", "count",
		pkts ? "per pkt" : "");
	for (int tp = 0; tp < NR_TPS; tp++) {
		fprintf(f, "  %-20s %-7s %12llu", tp_names[tp], tp_state(ri, &t, tp),
			(unsigned long long)t.ev[tp]);
		if (pkts)
			fprintf(f, " %10.4f", (double)t.ev[tp] / pkts);
		fputc('\n', f);
	}
	if (ri->usdt) {
		fprintf(f, "%-30s %12s %10s\n", "vmm-mini USDT", "count", pkts ? "per pkt" : "");
		for (int e = U_RUN_START; e < NR_EVENTS; e++) {
			fprintf(f, "  %-28s %12llu", event_names[e], (unsigned long long)t.ev[e]);
			if (pkts)
				fprintf(f, " %10.4f", (double)t.ev[e] / pkts);
			fputc('\n', f);
		}
	} else {
		fprintf(f, "vmm-mini USDT: not attached: %s\n", ri->usdt_why);
	}

	rows = keyed_read(skel, &nr);
	for (size_t i = 0; i < nr; i++) {
		char key[96];
		int tp = rows[i].k.event;

		if (tp != TP_KVM_EXIT && tp != TP_KVM_USERSPACE_EXIT && tp != TP_KVM_APIC_ACCEPT_IRQ)
			continue;
		if (!i || rows[i - 1].k.event != rows[i].k.event)
			fprintf(f, "%s by %s:\n", tp_names[tp], key_fields[tp][0]);
		key_text(key, sizeof(key), tp, rows[i].k.key, true);
		fprintf(f, "  %-40s %12llu\n", key, (unsigned long long)rows[i].n);
	}
	free(rows);

	for (uint32_t id = 0; id < NR_HISTS; id++) {
		static const char *const titles[NR_HISTS] = {
			[H_LATENCY] = "delivery latency, host receive stamp -> guest consumption",
			[H_IRQ_GAP] = "gap between arrival interrupts",
			[H_EXIT_TIME] = "exit handling, kvm_exit -> kvm_entry",
		};

		if (!hist_read(skel, id, &h) || !hist_total(&h))
			continue;
		fprintf(f, "%s (%llu samples): p50 %llu ns, p99 %llu ns\n", titles[id],
			(unsigned long long)hist_total(&h),
			(unsigned long long)hist_percentile(&h, 50),
			(unsigned long long)hist_percentile(&h, 99));
		print_log2(f, h.log2, "ns");
	}
	if (ri->nprogs)
		fprintf(f, "%-22s %12s %14s %10s\n", "BPF program", "runs", "run ns", "ns/run");
	for (int i = 0; i < ri->nprogs; i++) {
		const struct prog_cost *pc = &ri->prog[i];

		fprintf(f, "  %-20s %12llu %14llu %10.0f\n", pc->name, (unsigned long long)pc->runs,
			(unsigned long long)pc->run_ns, pc->runs ? (double)pc->run_ns / pc->runs : 0.0);
	}
}

static void tsv_hist(FILE *f, const char *name, const struct hist *h)
{
	for (int i = 0; i < MAX_SLOTS; i++)
		if (h->log2[i])
			fprintf(f, "hist_log2\t%s\t%llu\t%llu\n", name,
				(unsigned long long)slot_lo(i), (unsigned long long)h->log2[i]);
	for (int i = 0; i < MAX_SLOTS * FINE_SUB; i++)
		if (h->fine[i])
			fprintf(f, "hist_fine\t%s\t%.0f\t%llu\n", name, fine_lo(i),
				(unsigned long long)h->fine[i]);
	fprintf(f, "pctl\t%s\tsamples\t%llu\n", name, (unsigned long long)hist_total(h));
	fprintf(f, "pctl\t%s\tp50\t%llu\n", name, (unsigned long long)hist_percentile(h, 50));
	fprintf(f, "pctl\t%s\tp90\t%llu\n", name, (unsigned long long)hist_percentile(h, 90));
	fprintf(f, "pctl\t%s\tp99\t%llu\n", name, (unsigned long long)hist_percentile(h, 99));
}

int tsv_write(const char *path, struct virqstat_bpf *skel, const struct run_info *ri)
{
	int efd = bpf_map__fd(skel->maps.exit_time);
	struct exit_slot k, next, *cur = NULL;
	struct keyed_row *rows;
	struct totals t;
	struct hist h;
	size_t nr;
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -1;
	totals_read(skel, &t);
	fprintf(f, "#section\tname\tkey\tvalue\n");
	fprintf(f, "meta\tpid\t-\t%d\n", ri->pid);
	fprintf(f, "meta\tbinary\t-\t%s\n", ri->comm);
	fprintf(f, "meta\tcommand\t-\t%s\n", ri->cmdline[0] ? ri->cmdline : "-");
	fprintf(f, "meta\tduration_s\t-\t%.6f\n", (ri->end_ns - ri->start_ns) / 1e9);
	fprintf(f, "meta\tcomplete\t-\t%d\n", !ri->interrupted);
	fprintf(f, "meta\tusdt\t-\t%s\n", ri->usdt ? "attached" : ri->usdt_why);
	for (int tp = 0; tp < NR_TPS; tp++) {
		fprintf(f, "tracepoint\t%s\tstate\t%s\n", tp_names[tp], tp_state(ri, &t, tp));
		fprintf(f, "count\t%s\ttotal\t%llu\n", tp_names[tp], (unsigned long long)t.ev[tp]);
	}
	rows = keyed_read(skel, &nr);
	for (size_t i = 0; i < nr; i++) {
		char key[96];

		key_text(key, sizeof(key), rows[i].k.event, rows[i].k.key, false);
		fprintf(f, "count\t%s\t%s\t%llu\n", tp_names[rows[i].k.event], key,
			(unsigned long long)rows[i].n);
	}
	free(rows);
	for (int e = U_RUN_START; e < NR_EVENTS; e++)
		fprintf(f, "usdt\t%s\ttotal\t%llu\n", event_names[e], (unsigned long long)t.ev[e]);
	for (uint32_t id = 0; id < NR_HISTS; id++)
		if (hist_read(skel, id, &h))
			tsv_hist(f, hist_names[id], &h);
	while (!bpf_map_get_next_key(efd, cur, &next)) {
		uint64_t v;

		k = next;
		cur = &k;
		if (!bpf_map_lookup_elem(efd, &k, &v))
			fprintf(f, "exit_time_log2\texit_reason=%u\t%llu\t%llu\n", k.reason,
				(unsigned long long)slot_lo(k.slot), (unsigned long long)v);
	}
	for (int i = 0; i < ri->nprogs; i++) {
		fprintf(f, "bpf\t%s\truns\t%llu\n", ri->prog[i].name,
			(unsigned long long)ri->prog[i].runs);
		fprintf(f, "bpf\t%s\trun_ns\t%llu\n", ri->prog[i].name,
			(unsigned long long)ri->prog[i].run_ns);
	}
	err = ferror(f);
	if (fclose(f) || err)
		return -1;
	return 0;
}
