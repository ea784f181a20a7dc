// SPDX-License-Identifier: GPL-2.0
/*
 * ioport.c - the port-I/O and MMIO registries. Few devices, so a flat table
 * searched linearly beats anything clever; registration happens before any
 * vCPU runs, so lookups need no lock.
 */
#include <string.h>

#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/util.h"

struct io_range {
	uint64_t start;
	uint64_t len;
	io_handler_fn fn;
	void *dev;
	const char *name;
};

#define MAX_RANGES 16

struct io_space {
	struct io_range ranges[MAX_RANGES];
	unsigned int nr;
};

static struct io_space pio_space, mmio_space;

static void io_register(struct io_space *sp, uint64_t start, uint64_t len, io_handler_fn fn,
			void *dev, const char *name)
{
	for (unsigned int i = 0; i < sp->nr; i++) {
		struct io_range *r = &sp->ranges[i];

		if (start < r->start + r->len && r->start < start + len)
			die("device %s overlaps %s at 0x%llx", name, r->name,
			    (unsigned long long)start);
	}
	if (sp->nr == MAX_RANGES)
		die("too many devices registering %s", name);
	sp->ranges[sp->nr++] = (struct io_range){ start, len, fn, dev, name };
}

static struct io_range *io_find(struct io_space *sp, uint64_t addr, uint32_t len)
{
	for (unsigned int i = 0; i < sp->nr; i++) {
		struct io_range *r = &sp->ranges[i];

		if (addr >= r->start && addr - r->start < r->len && len <= r->len - (addr - r->start))
			return r;
	}
	return NULL;
}

void ioport__register(uint16_t port, uint16_t count, io_handler_fn fn, void *dev, const char *name)
{
	io_register(&pio_space, port, count, fn, dev, name);
}

void mmio__register(uint64_t gpa, uint64_t len, io_handler_fn fn, void *dev, const char *name)
{
	io_register(&mmio_space, gpa, len, fn, dev, name);
}

/* String I/O (rep outs/ins) arrives as count elements of size bytes each. */
bool ioport__emulate(struct vcpu *vcpu, uint16_t port, uint8_t *data, uint32_t size,
		     uint32_t count, bool is_write)
{
	struct io_range *r = io_find(&pio_space, port, size);

	if (!r)
		return false;
	for (uint32_t i = 0; i < count; i++, data += size)
		if (!r->fn(vcpu, port, data, size, is_write, r->dev))
			return false;
	return true;
}

bool mmio__emulate(struct vcpu *vcpu, uint64_t gpa, uint8_t *data, uint32_t len, bool is_write)
{
	struct io_range *r = io_find(&mmio_space, gpa, len);

	return r && r->fn(vcpu, gpa, data, len, is_write, r->dev);
}
