/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virqstat_out.h - virqstat's results in user space: totals read from the
 * BPF maps, and the ways they are shown (interval rows, the table at the
 * end, the tab-separated file).
 */
#ifndef VIRQSTAT_OUT_H
#define VIRQSTAT_OUT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/types.h>
#include "virqstat.h"

struct virqstat_bpf;

enum tp_state {
	TP_ABSENT,		/* this kernel has no such tracepoint */
	TP_ATTACHED,		/* attached; live or idle once counted */
	TP_FAILED,		/* exists, but attaching failed */
	TP_OFF,			/* not attached: --no-tracepoints */
};

struct totals {
	uint64_t ev[NR_EVENTS];
};

/* More than virqstat.bpf.c has, which is 7. */
#define MAX_PROGS	16

struct run_info {
	int pid;
	const char *comm;	/* the command or /proc/PID/exe */
	char cmdline[512];
	uint64_t start_ns, end_ns;	/* CLOCK_MONOTONIC */
	enum tp_state tp[NR_TPS];
	bool usdt;			/* vmm-mini's probes attached */
	char usdt_why[PATH_MAX + 128];	/* else why not */
	bool interrupted;
	/* --bpf-stats: each program's runs and run time, from the kernel */
	int nprogs;
	struct prog_cost {
		char name[32];
		uint64_t runs, run_ns;
	} prog[MAX_PROGS];
};

extern const char *const tp_names[NR_TPS];
extern const char *const event_names[NR_EVENTS];
extern const char *const key_fields[NR_TPS][NR_KEY_FIELDS];

void totals_read(struct virqstat_bpf *skel, struct totals *t);
void interval_print(FILE *f, const struct totals *now, const struct totals *prev,
		    double secs, bool header);
void table_print(FILE *f, struct virqstat_bpf *skel, const struct run_info *ri);
int tsv_write(const char *path, struct virqstat_bpf *skel, const struct run_info *ri);

/* Percentile of a fine histogram, in ns (the middle of its sub-slot); 0 if empty. */
uint64_t hist_percentile(const struct hist *h, double pct);

#endif
