/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rx_stats.h - per-run statistics of a receive run: snapshots of vmm-mini's
 * own exit counters and of KVM's binary statistics at the start and end of
 * the receive window, then one summary for people and one TSV row (with a
 * single '#' header line) for programs.
 */
#ifndef VMM_RX_STATS_H
#define VMM_RX_STATS_H

#include <stdbool.h>

struct vm;
struct rx_source;

void rx_stats_init(struct vm *vm);
void rx_stats_snapshot(struct vm *vm, int which);	/* 0: start, 1: end */
/* Prints the summary, writes the TSV (if path), returns true if accounting holds. */
bool rx_stats_report(struct vm *vm, struct rx_source *src, const char *path, bool complete);
/* Writes every latency sample in consumption order (before the report sorts them). */
void rx_stats_write_latencies(struct vm *vm, const char *path);

#endif
