// SPDX-License-Identifier: GPL-2.0
/*
 * acpi.c - find an ACPI table by signature, for the few facts only the
 * firmware's tables give under QEMU: the PM timer's port (FADT), later the
 * CPUs (MADT). vmm-mini writes no ACPI tables; there acpi_find() finds
 * nothing.
 *
 * The RSDP comes from the PVH start info (pvh.c). Revision 2 and later
 * carry the XSDT (64-bit entries), older ones only the RSDT (32-bit); both
 * are walked the same way (ACPI 6.4, 5.2.5 to 5.2.8). Every table we return
 * has passed its checksum: a corrupt table is a firmware bug worth failing
 * on, not a pointer worth following.
 */
#include "kernel/acpi.h"
#include "kernel/kernel.h"

struct acpi_rsdp {
	char signature[8];		/* "RSD PTR " */
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;		/* revision >= 2 */
	uint64_t xsdt;
	uint8_t ext_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

uint64_t acpi_rsdp_pa;

static bool checksum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

/*
 * Tables must lie where paging maps RAM: up to mem_bytes rounded up to 2 MiB
 * (paging.c). SeaBIOS puts QEMU's tables in a reserved range at the top of
 * RAM, which is above mem_bytes (the end of usable RAM) but below that bound.
 */
static const struct acpi_header *table_at(uint64_t pa)
{
	const struct acpi_header *h = (const void *)pa;
	uint64_t top = (boot_info->mem_bytes + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1ull);

	if (!pa || pa + sizeof(*h) > top || pa + h->length > top)
		return NULL;
	if (h->length < sizeof(*h) || !checksum_ok(h, h->length))
		GUEST_FAIL("ACPI table %c%c%c%c at 0x%lx: bad length or checksum", h->signature[0],
			   h->signature[1], h->signature[2], h->signature[3], pa);
	return h;
}

const struct acpi_header *acpi_find(const char sig[4])
{
	const struct acpi_rsdp *rsdp = (const void *)acpi_rsdp_pa;
	const struct acpi_header *root;
	uint32_t entry_size, n;

	if (!rsdp)
		return NULL;
	if (memcmp(rsdp->signature, "RSD PTR ", 8) || !checksum_ok(rsdp, 20))
		GUEST_FAIL("no valid RSDP at 0x%lx", acpi_rsdp_pa);
	if (rsdp->revision >= 2 && rsdp->xsdt) {
		root = table_at(rsdp->xsdt);
		entry_size = 8;
	} else {
		root = table_at(rsdp->rsdt);
		entry_size = 4;
	}
	if (!root)
		return NULL;
	n = (root->length - sizeof(*root)) / entry_size;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * entry_size;
		uint64_t pa = 0;
		const struct acpi_header *t;

		memcpy(&pa, e, entry_size);	/* little endian, maybe unaligned */
		t = table_at(pa);
		if (t && !memcmp(t->signature, sig, 4))
			return t;
	}
	return NULL;
}
