/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clock.h - one clock for host and guest timestamps.
 *
 * The host kernel stamps datagrams with CLOCK_REALTIME; the guest can only
 * read its TSC. KVM runs the guest TSC at the host's rate (vmm-mini asks for
 * no scaling) with a per-vCPU offset it reports (KVM_VCPU_TSC_OFFSET), so
 *   host_tsc = guest_tsc - offset
 * and a recent (host TSC, CLOCK_REALTIME) anchor, taken where the two reads
 * are closest together, carries a host TSC onto CLOCK_REALTIME. Anchors are
 * refreshed every device-loop pass, so rate error (ppm) never accumulates.
 */
#ifndef VMM_CLOCK_H
#define VMM_CLOCK_H

#include <stdint.h>

struct clock_anchor {
	uint64_t tsc;
	int64_t rt_ns;
	uint64_t tsc_khz;
	uint64_t window;	/* TSC cycles between the bracketing reads */
};

void clock_anchor_take(struct clock_anchor *a, uint64_t tsc_khz);
int64_t clock_host_tsc_to_realtime(const struct clock_anchor *a, uint64_t tsc);
int64_t clock_guest_tsc_to_realtime(const struct clock_anchor *a, uint64_t guest_tsc,
				    int64_t offset);

#endif
