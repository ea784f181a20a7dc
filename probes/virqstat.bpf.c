// SPDX-License-Identifier: GPL-2.0
/*
 * virqstat.bpf.c - count KVM's interrupt and exit tracepoints and vmm-mini's
 * USDT probes for one process, and time packet delivery, interrupt gaps and
 * exit handling.
 *
 * One program serves every tracepoint: its BPF cookie says which one fired.
 * Tracepoint fields are read at offsets the loader took from tracefs format
 * files rather than through BTF types: the trace_event_raw_kvm_* structs
 * live in the kvm module's BTF, which kernels may lack, while the format
 * files are the tracepoints' own ABI on every kernel.
 *
 * Only events in the target process count (its threads: vCPUs, the receive
 * thread, irqfd writes made there) - the same set `perf stat -- CMD` sees.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>
#include "virqstat.h"

const volatile __u32 target_tgid;
const volatile __s32 key_off[NR_TPS][NR_KEY_FIELDS];
const volatile __u32 key_size[NR_TPS][NR_KEY_FIELDS];	/* 0: no field */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_EVENTS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct keyed);
	__type(value, __u64);
} keyed_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NR_HISTS);
	__type(key, __u32);
	__type(value, struct hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct exit_slot);
	__type(value, __u64);
} exit_time SEC(".maps");

struct exit_start {
	__u64 ns;		/* 0: no exit open */
	__u32 tid;
	__u32 reason;
};

/*
 * Per vCPU thread: the exit being handled, in slot tid % EXITING_SLOTS. An
 * array, not a hash keyed by tid: this runs on every exit and every entry,
 * and a hash update and delete there (bucket lock, free list) were about
 * half of kvm_entry's program time (--bpf-stats, probes/README.md).
 * Threads whose tids share a slot are told apart by the tid stored in it;
 * the rare exit lost to such a collision only thins the histogram.
 */
#define EXITING_SLOTS	1024
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, EXITING_SLOTS);
	__type(key, __u32);
	__type(value, struct exit_start);
} exiting SEC(".maps");

__u64 last_irq_ns;

/*
 * A tracepoint program's return value decides whether the event still goes
 * to perf: 0 would hide it from every perf user of the tracepoint, `perf stat`
 * included, and the cross-check would compare against zeros.
 */
#define PASS_ON 1

static __always_inline bool ours(void)
{
	return bpf_get_current_pid_tgid() >> 32 == target_tgid;
}

static __always_inline void count_n(__u32 event, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&counts, &event);

	if (c)
		*c += n;
}

static __always_inline void count(__u32 event)
{
	count_n(event, 1);
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0;

	/* Unrolled binary search: the verifier sees a bounded result. */
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) r += 1;
	return r;
}

static __always_inline void hist_add(__u32 id, __u64 ns)
{
	struct hist *h = bpf_map_lookup_elem(&hists, &id);
	__u32 slot, sub, idx;

	if (!h)
		return;
	slot = ns > 1 ? log2_u64(ns) : 0;
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	/* Position inside [2^slot, 2^(slot+1)) in FINE_SUB equal steps. */
	if (slot >= 4)
		sub = (ns >> (slot - 4)) & (FINE_SUB - 1);
	else
		sub = (ns << (4 - slot)) & (FINE_SUB - 1);
	idx = slot * FINE_SUB + sub;
	/* Hide what the compiler knows, so the verifier sees the checks. */
	barrier_var(slot);
	barrier_var(idx);
	if (slot >= MAX_SLOTS || idx >= MAX_SLOTS * FINE_SUB)
		return;
	__sync_fetch_and_add(&h->log2[slot], 1);
	__sync_fetch_and_add(&h->fine[idx], 1);
}

/*
 * The record is copied to a scratch map value first: the verifier forbids
 * variable offsets into the tracepoint context, not into a map value.
 */
struct record {
	__u8 b[TP_RECORD_MAX + 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct record);
} scratch SEC(".maps");

static __always_inline __u64 read_field(struct record *r, __u32 tp, __u32 f)
{
	__u32 size = key_size[tp][f], off = key_off[tp][f] & (TP_RECORD_MAX - 1);
	__u64 v;

	__builtin_memcpy(&v, &r->b[off], sizeof(v));
	return size >= 8 ? v : v & ((1ull << (size * 8)) - 1);
}

SEC("tracepoint")
int on_kvm_tp(void *ctx)
{
	__u32 tp = bpf_get_attach_cookie(ctx);
	__u64 k0, k1, one = 1, *c;
	struct keyed key = {};
	struct record *r;
	__u32 zero = 0;

	if (!ours() || tp >= NR_TPS)
		return PASS_ON;
	barrier_var(tp);	/* index with the register just checked */
	count(tp);
	if (!key_size[tp][0])
		return PASS_ON;
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (!r)
		return PASS_ON;
	bpf_probe_read_kernel(r->b, TP_RECORD_MAX, ctx);
	k0 = read_field(r, tp, 0);
	k1 = key_size[tp][1] ? read_field(r, tp, 1) : 0;
	key.event = tp;
	key.key = (k0 & 0xffffffff) | k1 << 32;
	c = bpf_map_lookup_elem(&keyed_counts, &key);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&keyed_counts, &key, &one, BPF_NOEXIST);

	if (tp == TP_KVM_EXIT) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid(), slot = tid % EXITING_SLOTS;
		struct exit_start *s = bpf_map_lookup_elem(&exiting, &slot);

		if (s) {
			s->tid = tid;
			s->reason = (__u32)k0;
			s->ns = bpf_ktime_get_ns();
		}
	}
	return PASS_ON;
}

/* kvm_entry has no key: it only closes the exit opened on its thread. */
SEC("tracepoint")
int on_kvm_entry(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), slot = tid % EXITING_SLOTS;
	struct exit_start *s;
	struct exit_slot es;
	__u64 ns, one = 1, *c;

	if (!ours())
		return PASS_ON;
	count(TP_KVM_ENTRY);
	s = bpf_map_lookup_elem(&exiting, &slot);
	if (!s || !s->ns || s->tid != tid)
		return PASS_ON;
	ns = bpf_ktime_get_ns() - s->ns;
	es.reason = s->reason;
	s->ns = 0;
	hist_add(H_EXIT_TIME, ns);
	es.slot = ns > 1 ? log2_u64(ns) : 0;
	c = bpf_map_lookup_elem(&exit_time, &es);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&exit_time, &es, &one, BPF_NOEXIST);
	return PASS_ON;
}

SEC("usdt")
int BPF_USDT(on_run_start, __u64 mode)
{
	if (ours())
		count(U_RUN_START);
	return 0;
}

SEC("usdt")
int BPF_USDT(on_run_stop, __u64 next_seq, __u64 published)
{
	if (ours())
		count(U_RUN_STOP);
	return 0;
}

SEC("usdt")
int BPF_USDT(on_rx_batch, __u64 arrivals, __u64 suppressed)
{
	if (!ours())
		return 0;
	count(U_RX_BATCH);
	count_n(U_ARRIVALS, arrivals);
	count_n(U_IRQ_SUPPRESS, suppressed);
	return 0;
}

SEC("usdt")
int BPF_USDT(on_irq_raise, __u64 kind)
{
	__u64 now, prev;

	if (!ours())
		return 0;
	if (kind) {
		count(U_IRQ_CONTROL);
		return 0;
	}
	count(U_IRQ_RAISE);
	now = bpf_ktime_get_ns();
	prev = __sync_lock_test_and_set(&last_irq_ns, now);
	if (prev && now > prev)
		hist_add(H_IRQ_GAP, now - prev);
	return 0;
}

struct lat_buf {
	__u64 ns[LAT_BATCH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lat_buf);
} lat_scratch SEC(".maps");

/* n latencies at `lat` in vmm-mini's memory: one copy, then binned here. */
SEC("usdt")
int BPF_USDT(on_lat_batch, __u64 n, __u64 lat)
{
	struct lat_buf *b;
	__u32 zero = 0;

	if (!ours())
		return 0;
	count(U_LAT_BATCH);
	b = bpf_map_lookup_elem(&lat_scratch, &zero);
	if (!b || !n || n > LAT_BATCH_MAX)
		return 0;
	barrier_var(n);
	if (n > LAT_BATCH_MAX || bpf_probe_read_user(b->ns, n * sizeof(__u64), (void *)lat))
		return 0;
	count_n(U_LAT_SAMPLES, n);
	for (__u32 i = 0; i < LAT_BATCH_MAX; i++) {
		if (i >= n)
			break;
		hist_add(H_LATENCY, b->ns[i]);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
