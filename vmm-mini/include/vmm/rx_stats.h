/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rx_stats.h - per-run statistics of a receive run: snapshots of vmm-mini's
 * own exit counters and of KVM's binary statistics at the start and end of
 * the receive window, then one summary for people and one TSV row (with a
 * single '#' header line) for programs. With --windows, the same for each
 * window, into its own files (rx_source.h).
 */
#ifndef VMM_RX_STATS_H
#define VMM_RX_STATS_H

#include <stdbool.h>

struct vm;
struct rx_source;

void rx_stats_init(struct vm *vm);
void rx_stats_snapshot(struct vm *vm, int which);	/* 0: start, 1: end */
/*
 * After the vCPUs stopped: the run's (or the last window's) latency log and
 * summary, its TSV row (src->stats); true if the accounting holds.
 */
bool rx_stats_report(struct vm *vm, struct rx_source *src, bool complete);
/* --windows, the receive thread between two windows: the same for the window that ended. */
bool rx_stats_window(struct vm *vm, struct rx_source *src);

#endif
