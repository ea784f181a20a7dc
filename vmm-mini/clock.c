// SPDX-License-Identifier: GPL-2.0
/*
 * clock.c - host TSC <-> CLOCK_REALTIME anchors (see clock.h for why).
 */
#include <time.h>

#include "vmm/clock.h"
#include "vmm/util.h"

/* Best of three: the anchor whose clock_gettime was bracketed most tightly. */
void clock_anchor_take(struct clock_anchor *a, uint64_t tsc_khz)
{
	a->window = UINT64_MAX;
	a->tsc_khz = tsc_khz;
	for (int i = 0; i < 3; i++) {
		struct timespec ts;
		uint64_t t0 = rdtsc(), t1;

		clock_gettime(CLOCK_REALTIME, &ts);
		t1 = rdtsc();
		if (t1 - t0 < a->window) {
			a->window = t1 - t0;
			a->tsc = t0 + (t1 - t0) / 2;
			a->rt_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		}
	}
}

int64_t clock_host_tsc_to_realtime(const struct clock_anchor *a, uint64_t tsc)
{
	int64_t dt = (int64_t)(tsc - a->tsc);

	return a->rt_ns + (int64_t)((double)dt * 1e6 / (double)a->tsc_khz);
}

int64_t clock_guest_tsc_to_realtime(const struct clock_anchor *a, uint64_t guest_tsc,
				    int64_t offset)
{
	return clock_host_tsc_to_realtime(a, guest_tsc - (uint64_t)offset);
}
