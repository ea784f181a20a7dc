/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_stats.h - KVM's binary statistics (KVM_GET_STATS_FD): what KVM itself
 * counted, read beside vmm-mini's own counters so that each can check the
 * other.
 */
#ifndef VMM_KVM_STATS_H
#define VMM_KVM_STATS_H

#include <stdbool.h>
#include <stdint.h>

#define KVM_STATS_MAX 96

struct kvm_stats {
	int fd;
	unsigned int nr;
	char names[KVM_STATS_MAX][48];
	uint32_t offsets[KVM_STATS_MAX];	/* into the data block */
	uint32_t data_offset;
};

struct kvm_stats_snap {
	uint64_t val[KVM_STATS_MAX];
};

/* Returns 0, or -errno when this KVM has no binary stats. */
int kvm_stats_open(struct kvm_stats *st, int kvm_fd);
void kvm_stats_read(const struct kvm_stats *st, struct kvm_stats_snap *snap);
/* Index of a counter by name, or -1. */
int kvm_stats_find(const struct kvm_stats *st, const char *name);
void kvm_stats_close(struct kvm_stats *st);

#endif
