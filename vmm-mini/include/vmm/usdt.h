/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usdt.h - vmm-mini's static probe points (provider "virqlab"), for
 * build/virqstat and any USDT-aware tracer (bpftrace -l 'usdt:build/vmm-mini:*').
 *
 * Each is one nop in the instruction stream and a note in .note.stapsdt
 * until a tracer attaches, so they stay in every build. An attached probe
 * costs a trap per hit: none fires per packet, or tracing would slow the
 * very receive path it measures (probes/README.md, make bench-probes).
 * Arguments are plain integers and one pointer; this list is the probe ABI:
 *
 *   run_start(mode)                  receive window opens (driver ready)
 *   run_stop(next_seq, published)    receive window closes (drained)
 *   rx_batch(arrivals, suppressed)   one batch of io_uring completions: datagrams
 *                                    received, mask-direct interrupts suppressed
 *                                    (flag set while masked)
 *   irq_raise(kind)                  vmm-mini signalled the irqfd; kind 0 =
 *                                    an arrival, 1 = control (the stop request)
 *   lat_batch(n, lat_ns)             n <= USDT_LAT_BATCH_MAX delivery latencies
 *                                    (uint64_t ns, host receive stamp -> guest
 *                                    consumption) just measured, at lat_ns
 */
#ifndef VMM_USDT_H
#define VMM_USDT_H

#include <sys/sdt.h>

#define USDT_IRQ_ARRIVAL	0
#define USDT_IRQ_CONTROL	1
#define USDT_LAT_BATCH_MAX	64

#define usdt1(name, a)		DTRACE_PROBE1(virqlab, name, a)
#define usdt2(name, a, b)	DTRACE_PROBE2(virqlab, name, a, b)

#endif
