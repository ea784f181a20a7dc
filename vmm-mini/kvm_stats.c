// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_stats.c - read KVM's binary statistics for a VM or vCPU fd
 * (Documentation/virt/kvm/api.rst, 4.133 KVM_GET_STATS_FD): a header, an
 * array of self-describing descriptors, and a data block re-read with pread
 * whenever a snapshot is wanted. Only scalar cumulative and instant u64
 * counters are kept; histograms are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/kvm.h"
#include "vmm/kvm_stats.h"
#include "vmm/util.h"

int kvm_stats_open(struct kvm_stats *st, int kvm_fd)
{
	struct kvm_stats_header hdr;
	struct kvm_stats_desc *d;
	size_t dsize;
	char *descs;

	memset(st, 0, sizeof(*st));
	st->fd = __kvm_ioctl_val(kvm_fd, KVM_GET_STATS_FD, 0);
	if (st->fd < 0)
		return -errno;
	if (pread(st->fd, &hdr, sizeof(hdr), 0) != sizeof(hdr) || hdr.name_size > 256) {
		close(st->fd);
		st->fd = -1;
		return -EINVAL;
	}
	dsize = sizeof(*d) + hdr.name_size;
	descs = calloc(hdr.num_desc, dsize);
	if (!descs)
		die("out of memory for KVM stats");
	if (pread(st->fd, descs, dsize * hdr.num_desc, hdr.desc_offset) !=
	    (ssize_t)(dsize * hdr.num_desc)) {
		free(descs);
		close(st->fd);
		st->fd = -1;
		return -EIO;
	}
	st->data_offset = hdr.data_offset;
	for (uint32_t i = 0; i < hdr.num_desc && st->nr < KVM_STATS_MAX; i++) {
		uint32_t type;

		d = (struct kvm_stats_desc *)(descs + i * dsize);
		type = d->flags & KVM_STATS_TYPE_MASK;
		if (d->size != 1 || (type != KVM_STATS_TYPE_CUMULATIVE &&
				     type != KVM_STATS_TYPE_INSTANT && type != KVM_STATS_TYPE_PEAK))
			continue;
		snprintf(st->names[st->nr], sizeof(st->names[0]), "%.*s", (int)hdr.name_size,
			 d->name);
		st->offsets[st->nr] = d->offset;
		st->nr++;
	}
	free(descs);
	return 0;
}

void kvm_stats_read(const struct kvm_stats *st, struct kvm_stats_snap *snap)
{
	memset(snap, 0, sizeof(*snap));
	for (unsigned int i = 0; i < st->nr; i++)
		if (pread(st->fd, &snap->val[i], 8, st->data_offset + st->offsets[i]) != 8)
			snap->val[i] = 0;
}

int kvm_stats_find(const struct kvm_stats *st, const char *name)
{
	for (unsigned int i = 0; i < st->nr; i++)
		if (!strcmp(st->names[i], name))
			return i;
	return -1;
}

void kvm_stats_close(struct kvm_stats *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
}
