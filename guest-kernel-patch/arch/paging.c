// SPDX-License-Identifier: GPL-2.0
/*
 * paging.c - the kernel's own identity map, built once by the BSP and loaded
 * by every vCPU, whichever entry it came in by.
 *
 * Neither the tables vmm-mini hands over nor the temporary ones the PVH
 * entry builds are what we want to depend on: vmm-mini's leave user access
 * to the host's choice, and PVH's cover one GiB. So the guest states its
 * address space itself (SDM Vol. 3A 4.5, 4-level paging):
 *   - RAM [0, mem_bytes) user-accessible, so that ring-3 code, which lives
 *     in the kernel image (user.c), can run and reach the data it shares;
 *     2 MiB pages, except the first 2 MiB in 4 KiB pages so that page 0
 *     stays not-present and a NULL dereference faults;
 *   - [3 GiB, 4 GiB) supervisor-only and uncached (PCD|PWT selects PAT entry
 *     3, UC, at reset): vmm-mini's device window, the xAPIC page at
 *     0xfee00000, and QEMU's platform devices;
 *   - nothing above 4 GiB, so VIRQLAB_UNMAPPED_GVA faults.
 * The cost is about a thousand stores, once, in ring 0.
 */
#include "kernel/kernel.h"

#define SZ_4G			0x100000000ull
#define ENTRIES			512

static uint64_t pml4[ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t pdpt[ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static uint64_t pd[4 * ENTRIES] __attribute__((aligned(PAGE_SIZE)));	/* 4 GiB */
static uint64_t pt[ENTRIES] __attribute__((aligned(PAGE_SIZE)));	/* first 2 MiB */

/* .bss is zero, so every entry not written here is not present. */
void paging_init(uint64_t mem_bytes)
{
	uint64_t top = (mem_bytes + HUGE_PAGE_SIZE - 1) & ~(uint64_t)(HUGE_PAGE_SIZE - 1);
	uint64_t pa;

	if (top > VIRQLAB_RAM_MAX)
		top = VIRQLAB_RAM_MAX;
	/* Upper levels allow everything; the leaves decide (SDM Vol. 3A 4.6). */
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_RW | PTE_US;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (uint64_t)&pd[i * ENTRIES] | PTE_P | PTE_RW | PTE_US;
	pd[0] = (uint64_t)pt | PTE_P | PTE_RW | PTE_US;
	for (int i = 1; i < ENTRIES; i++)
		pt[i] = (uint64_t)i * PAGE_SIZE | PTE_P | PTE_RW | PTE_US;
	for (pa = HUGE_PAGE_SIZE; pa < top; pa += HUGE_PAGE_SIZE)
		pd[pa / HUGE_PAGE_SIZE] = pa | PTE_P | PTE_RW | PTE_US | PTE_PS;
	for (pa = VIRQLAB_MMIO_BASE; pa < SZ_4G; pa += HUGE_PAGE_SIZE)
		pd[pa / HUGE_PAGE_SIZE] = pa | PTE_P | PTE_RW | PTE_PS | PTE_PCD | PTE_PWT;
}

/*
 * Every vCPU, after the BSP built the tables. Writing CR3 flushes the old
 * non-global translations (SDM Vol. 3A 4.10.4.1); none of ours are global.
 */
void paging_load(void)
{
	write_cr3((uint64_t)pml4);
}
