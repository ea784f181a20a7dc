/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cost_probes.h - the operations the costs self-test times, chosen per VMM
 * at run time (cost_probes.c), so that one guest image measures the same
 * primitives under vmm-mini and under QEMU+KVM.
 */
#ifndef GUEST_COST_PROBES_H
#define GUEST_COST_PROBES_H

#include <stdint.h>

struct cost_probes {
	uint16_t pio_port;		/* inl: a port the VMM serves in user space */
	uint64_t mmio_read;		/* readl: an address it serves in user space */
	uint64_t doorbell;		/* writel: raises one MSI to us, on VIRQLAB_VEC_TEST */
	uint32_t doorbell_value;
	const char *msi_na;		/* why the host-timed MSI row cannot run; NULL: it can */
};

void cost_probes_find(struct cost_probes *p);	/* skips the test where none exist */

#endif
