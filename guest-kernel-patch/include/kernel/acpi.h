/* SPDX-License-Identifier: GPL-2.0 */
/* acpi.h - ACPI tables under QEMU (arch/acpi.c): the PM timer, the CPUs. */
#ifndef GUEST_ACPI_H
#define GUEST_ACPI_H

#include <stdint.h>

/* Every system description table starts so (ACPI 6.4, 5.2.6). */
struct acpi_header {
	char signature[4];
	uint32_t length;		/* including this header */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

/* FADT (signature "FACP"): the PM timer block, a 32-bit port (5.2.9). */
#define ACPI_FADT_PM_TMR_BLK	76

extern uint64_t acpi_rsdp_pa;		/* from the PVH start info; 0: none */
const struct acpi_header *acpi_find(const char sig[4]);	/* NULL if absent */

#endif
