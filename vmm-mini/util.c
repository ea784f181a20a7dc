// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - the failure of a checked KVM ioctl, strict number parsing,
 * clocks, sorting and thread pinning, shared by vmm-mini and its tests.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/util.h"

void kvm_ioctl_fail(const char *name)
{
	die("%s: %s", name, strerror(errno));
}

bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool parse_double(const char *s, double min, double max, double *out)
{
	double v;
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= min && v <= max))
		return false;
	*out = v;
	return true;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void sort_u64(uint64_t *v, uint64_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
}

/* Nearest-rank percentile (p in 0..100) of n sorted samples; 0 if none. */
uint64_t percentile_u64(const uint64_t *sorted, uint64_t n, double p)
{
	uint64_t rank = (uint64_t)(p / 100.0 * n + 0.999999);

	if (!n)
		return 0;
	if (rank < 1)
		rank = 1;
	return sorted[(rank > n ? n : rank) - 1];
}

bool thread_cpu_ok(long cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof(set), &set))
		return false;
	return CPU_ISSET(cpu, &set);
}

pthread_attr_t *thread_attr_pinned(pthread_attr_t *attr, int cpu)
{
	cpu_set_t set;
	int err;

	if (cpu < 0)
		return NULL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	err = pthread_attr_init(attr);
	if (!err)
		err = pthread_attr_setaffinity_np(attr, sizeof(set), &set);
	if (err)
		die("pthread_attr_setaffinity_np(CPU %d): %s", cpu, strerror(err));
	return attr;
}
