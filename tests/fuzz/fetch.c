// SPDX-License-Identifier: GPL-2.0
/*
 * fetch.c - the fuzz build's double-fetch check. The device model reads
 * guest memory only through gmem_load/gmem_copy (vmm/virqnet_dev.h), each
 * naming the field; in the fuzz build they report here. A guest may change
 * its memory between two reads, so one call into the device that fetches
 * the same field at the same address twice may check one value and use
 * another (QEMU's device fuzzing found such bugs): a finding. The harness
 * marks where each call begins (fuzz_fetch_begin); the device marks where
 * it takes a fresh, independent look (virqnet_fetch_scope, vmm/virtio.h).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vmm/virqnet_dev.h"
#include "vmm/virtio.h"

extern const char *prog_name;

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/*
 * The fields fetched since the last mark, hashed by address: a reclaim may
 * read the whole 4096-entry latency log in one call.
 */
#define FETCH_SLOTS 16384

static struct fetch {
	const void *p;
	const char *field;
	uint32_t gen;
} fetches[FETCH_SLOTS];
static uint32_t fetch_gen = 1;

void fuzz_fetch_begin(void)
{
	fetch_gen++;
}

void virqnet_fetch_scope(void)
{
	fetch_gen++;
}

void virqnet_fetch_hook(const void *p, unsigned long len, const char *field)
{
	uint32_t h = (uint32_t)(((uintptr_t)p >> 2) * 2654435761u) % FETCH_SLOTS;

	for (uint32_t i = 0; i < FETCH_SLOTS; i++, h = (h + 1) % FETCH_SLOTS) {
		struct fetch *f = &fetches[h];

		if (f->gen != fetch_gen) {
			*f = (struct fetch){ p, field, fetch_gen };
			return;
		}
		if (f->p == p && !strcmp(f->field, field))
			fuzz_fail("double fetch of %s at %p (%lu bytes) in one call into the device",
				  field, p, len);
	}
	fuzz_fail("more guest fetches in one call than the table holds");
}
