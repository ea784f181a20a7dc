/* SPDX-License-Identifier: GPL-2.0 */
/*
 * costs.h - the primitive-cost self-test, host side: collect the guest's TSC
 * samples, time host-sent MSIs, and print the table and the TSV.
 */
#ifndef VMM_COSTS_H
#define VMM_COSTS_H

#include <stdint.h>

struct vm;
struct vcpu;

int costs__samples(struct vcpu *vcpu, uint64_t kind, uint64_t gpa, uint64_t count);
int costs__msi_timed(struct vcpu *vcpu, uint64_t apic_id, uint64_t vector, uint64_t count,
		     uint64_t armed_gpa);
int costs__report(struct vm *vm, const char *tsv_path);
void costs__stop(struct vm *vm);

#endif
