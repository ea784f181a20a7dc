// SPDX-License-Identifier: GPL-2.0
/*
 * virqnet_adaptive.c - when the mask-direct consumer polls: the adaptive
 * mode's rule, interrupt-driven at low arrival rates and polling at high
 * ones, as Linux's NAPI busy polling and DIM choose from a measured rate.
 *
 * The rule (workloads/README.md, keys adaptive_up_pps, adaptive_down_pps,
 * poll_us): the consumer counts what it takes and, once a window of
 * ADAPTIVE_WINDOW_US has passed, compares the window's arrival rate with
 * the thresholds. ADAPTIVE_CONFIRM windows in a row at >= up_pps start the
 * polling (poll_us after each drain, still masked, as mask-poll does:
 * arrivals meanwhile cost no interrupt); as many in a row at <= down_pps
 * stop it (mask-direct: unmask and sleep at once, so an idle or slow
 * stream does not burn the vCPU). up_pps > down_pps is the hysteresis in
 * rate: a rate between the two keeps the current state; the confirmation
 * is the hysteresis in time: one window that a sender's catch-up burst
 * filled does not flip it. A window is judged only at the end of a pass,
 * so it spans at least one pass: after a sleep it includes the idle time,
 * and a stream that stops reads as a low rate at the next arrival.
 *
 * The choice only sets how long the consumer watches the ring before the
 * unmask-and-look handshake (virqnet_mask_direct.c), which it does not
 * change: the no-lost-wakeup argument there holds for any poll length.
 */
#include "kernel/virqnet.h"

#define ADAPTIVE_WINDOW_US	10000
#define ADAPTIVE_CONFIRM	2

__user_text uint64_t virqnet_poll_cycles(struct virqnet_poll *p, uint32_t taken)
{
	uint64_t now, span, arrivals_hz;
	bool other_side;

	if (!p->adaptive)
		return p->cycles;
	now = rdtsc();
	if (!p->win_start) {
		p->win_cycles = ADAPTIVE_WINDOW_US * p->tsc_khz / 1000;
		p->win_start = now;
	}
	p->win_n += taken;
	span = now - p->win_start;
	if (span < p->win_cycles)
		return p->polling ? p->cycles : 0;
	/* rate = win_n / (span / tsc_hz), compared without a division */
	arrivals_hz = p->win_n * p->tsc_khz * 1000;
	other_side = p->polling ? arrivals_hz <= p->down_pps * span : arrivals_hz >= p->up_pps * span;
	p->votes = other_side ? p->votes + 1 : 0;
	if (p->votes >= ADAPTIVE_CONFIRM) {
		p->polling = !p->polling;
		if (p->polling)
			p->switches_up++;
		else
			p->switches_down++;
		p->votes = 0;
	}
	p->win_start = now;
	p->win_n = 0;
	return p->polling ? p->cycles : 0;
}
