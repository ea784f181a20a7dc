// SPDX-License-Identifier: GPL-2.0
/*
 * costs.c - the primitive-cost test, host side, in the style of
 * kvm-unit-tests' vmexit: the guest times each primitive with its TSC and
 * hands over the raw samples; we report median and p99 in cycles and ns.
 *
 * MSI delivery is timed across the two sides: a host thread stamps its TSC
 * just before KVM_SIGNAL_MSI, the guest handler stamps its own, and KVM's
 * TSC offset for the vCPU (guest = host + offset, no scaling is configured)
 * puts both on one clock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/costs.h"
#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/util.h"

#define MAX_SAMPLES 100000

static const char *const cost_names[COST_NR] = VIRQLAB_COST_NAMES;

struct costs {
	uint64_t *samples[COST_NR];
	uint64_t count[COST_NR];
	const char *missing[COST_NR];	/* why a row has no data */

	/* MSI timing thread */
	pthread_t msi_thread;
	bool msi_running;
	struct vm *vm;
	volatile uint32_t *armed;
	uint64_t *host_tsc;
	uint64_t msi_count;
	uint32_t apic_id;
	uint8_t vector;
};

static struct costs *costs_get(struct vm *vm)
{
	if (!vm->costs) {
		vm->costs = calloc(1, sizeof(*vm->costs));
		if (!vm->costs)
			die("out of memory");
	}
	return vm->costs;
}

/* Wait for the guest to arm sample i (it is about to halt), then send. */
static void *msi_thread_fn(void *arg)
{
	struct costs *c = arg;

	for (uint64_t i = 0; i < c->msi_count; i++) {
		while (__atomic_load_n(c->armed, __ATOMIC_ACQUIRE) != i + 1) {
			if (atomic_load(&c->vm->stopping))
				return NULL;
			__builtin_ia32_pause();
		}
		c->host_tsc[i] = rdtsc();
		irq__signal_msi(c->vm, c->apic_id, c->vector);
	}
	return NULL;
}

int costs__msi_timed(struct vcpu *vcpu, uint64_t apic_id, uint64_t vector, uint64_t count,
		     uint64_t armed_gpa)
{
	struct costs *c = costs_get(vcpu->vm);
	int err;

	if (c->msi_running || count == 0 || count > MAX_SAMPLES || (armed_gpa & 3))
		return -1;
	c->armed = gpa_to_hva(vcpu->vm, armed_gpa, sizeof(uint32_t));
	if (!c->armed)
		return -1;
	c->host_tsc = calloc(count, sizeof(uint64_t));
	if (!c->host_tsc)
		die("out of memory");
	c->vm = vcpu->vm;
	c->msi_count = count;
	c->apic_id = apic_id;
	c->vector = vector;
	err = pthread_create(&c->msi_thread, NULL, msi_thread_fn, c);
	if (err)
		die("pthread_create: %s", strerror(err));
	c->msi_running = true;
	return 0;
}

static int msi_to_deltas(struct vcpu *vcpu, struct costs *c, uint64_t *s, uint64_t count)
{
	int64_t offset;
	int err;

	if (!c->msi_running || count != c->msi_count)
		return -1;
	pthread_join(c->msi_thread, NULL);
	c->msi_running = false;
	err = vcpu_get_tsc_offset(vcpu, &offset);
	if (err) {
		c->missing[COST_MSI] = "KVM_VCPU_TSC_OFFSET unavailable";
		return 1;
	}
	for (uint64_t i = 0; i < count; i++)
		s[i] = s[i] - (c->host_tsc[i] + (uint64_t)offset);
	return 0;
}

int costs__samples(struct vcpu *vcpu, uint64_t kind, uint64_t gpa, uint64_t count)
{
	struct costs *c = costs_get(vcpu->vm);
	const uint64_t *src;
	uint64_t *s;
	int r;

	if (kind >= COST_NR || count == 0 || count > MAX_SAMPLES || c->samples[kind])
		return -1;
	src = gpa_to_hva(vcpu->vm, gpa, count * sizeof(uint64_t));
	if (!src)
		return -1;
	s = malloc(count * sizeof(uint64_t));
	if (!s)
		die("out of memory");
	memcpy(s, src, count * sizeof(uint64_t));
	if (kind == COST_MSI) {
		r = msi_to_deltas(vcpu, c, s, count);
		if (r) {
			free(s);
			return r < 0 ? -1 : 0;
		}
	}
	c->samples[kind] = s;
	c->count[kind] = count;
	return 0;
}

void costs__stop(struct vm *vm)
{
	struct costs *c = vm->costs;

	if (c && c->msi_running) {
		pthread_join(c->msi_thread, NULL);
		c->msi_running = false;
	}
}

static double cyc_to_ns(struct vm *vm, uint64_t cyc)
{
	return vm->tsc_khz ? cyc * 1e6 / vm->tsc_khz : 0;
}

/*
 * FILE.samples beside the TSV: every sample as the guest measured it, in its
 * order, so that a reader (tests/kvm/costs-peer.t) recomputes the medians
 * and p99s from the raw cycles instead of trusting ours.
 */
static void write_samples(const struct costs *c, const char *tsv_path)
{
	char path[4096];
	FILE *f;

	if (snprintf(path, sizeof(path), "%s.samples", tsv_path) >= (int)sizeof(path))
		die("%s.samples: path too long", tsv_path);
	f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "#operation\tcycles\n");
	for (int k = 0; k < COST_NR; k++)
		for (uint64_t i = 0; i < c->count[k]; i++)
			fprintf(f, "%s\t%llu\n", cost_names[k], (unsigned long long)c->samples[k][i]);
	if (fclose(f))
		die("%s: %s", path, strerror(errno));
}

int costs__report(struct vm *vm, const char *tsv_path)
{
	struct costs *c = costs_get(vm);
	const struct kvm_flavour *f = &vm->flavour;
	FILE *tsv = NULL;
	int missing = 0;

	if (tsv_path)
		write_samples(c, tsv_path);

	if (tsv_path) {
		tsv = fopen(tsv_path, "w");
		if (!tsv)
			die("%s: %s", tsv_path, strerror(errno));
		fprintf(tsv, "#operation\tsamples\tmedian_cycles\tp99_cycles\tmedian_ns\tp99_ns"
			"\tvmm\tflavour\tcpu_emulated\ttsc_khz\n");
	}
	printf("vmm-mini primitive costs: KVM %s%s, host kernel %s, TSC %.3f MHz\n", f->name,
	       f->cpu_emulated ? " (emulated CPU: figures from emulation, not hardware)" : "",
	       f->host_kernel, vm->tsc_khz / 1000.0);
	printf("%-20s %8s %14s %12s %11s %11s\n", "operation", "samples", "median_cycles",
	       "p99_cycles", "median_ns", "p99_ns");
	for (int k = 0; k < COST_NR; k++) {
		uint64_t n = c->count[k], med, p99;

		if (!n) {
			printf("%-20s %8s  (no data: %s)\n", cost_names[k], "-",
			       c->missing[k] ? c->missing[k] : "guest sent no samples");
			missing++;
			continue;
		}
		sort_u64(c->samples[k], n);
		med = percentile_u64(c->samples[k], n, 50);
		p99 = percentile_u64(c->samples[k], n, 99);
		printf("%-20s %8llu %14llu %12llu %11.0f %11.0f\n", cost_names[k],
		       (unsigned long long)n, (unsigned long long)med, (unsigned long long)p99,
		       cyc_to_ns(vm, med), cyc_to_ns(vm, p99));
		if (tsv)
			fprintf(tsv, "%s\t%llu\t%llu\t%llu\t%.0f\t%.0f\tvmm-mini\t%s\t%d\t%llu\n",
				cost_names[k], (unsigned long long)n, (unsigned long long)med,
				(unsigned long long)p99, cyc_to_ns(vm, med), cyc_to_ns(vm, p99),
				f->name, f->cpu_emulated, (unsigned long long)vm->tsc_khz);
	}
	if (tsv) {
		fclose(tsv);
		printf("TSV: %s\n", tsv_path);
	}
	return missing;
}
