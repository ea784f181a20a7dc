/* SPDX-License-Identifier: GPL-2.0 */
/*
 * usdt.h - vmm-mini's static probe points (provider "virqlab"), for
 * build/virqstat and any USDT-aware tracer (bpftrace -l 'usdt:build/vmm-mini:*').
 *
 * Each is one nop in the instruction stream and a note in .note.stapsdt
 * until a tracer attaches; so they stay in every build. Arguments are
 * plain integers; the list is the probe ABI, documented in probes/README.md:
 *
 *   run_start(mode)                 receive window opens (driver ready)
 *   run_stop(next_seq, published)   receive window closes (drained)
 *   pkt_arrival(seq, rx_ns)         a virqlab datagram reached the device;
 *                                   rx_ns = kernel receive stamp, CLOCK_REALTIME
 *   irq_raise(kind)                 vmm-mini signalled the irqfd; kind 0 =
 *                                   an arrival, 1 = control (the stop request)
 *   irq_suppress()                  mask-direct: flag set while masked, no irq
 *   pkt_consume(seq, consume_ns)    the guest consumed seq at consume_ns,
 *                                   CLOCK_REALTIME (guest TSC converted)
 */
#ifndef VMM_USDT_H
#define VMM_USDT_H

#include <sys/sdt.h>

#define USDT_IRQ_ARRIVAL	0
#define USDT_IRQ_CONTROL	1

#define usdt0(name)		DTRACE_PROBE(virqlab, name)
#define usdt1(name, a)		DTRACE_PROBE1(virqlab, name, a)
#define usdt2(name, a, b)	DTRACE_PROBE2(virqlab, name, a, b)

#endif
