// SPDX-License-Identifier: GPL-2.0
/*
 * gdt.c - each vCPU's GDT and 64-bit TSS. The descriptor order is fixed by
 * SYSCALL/SYSRET (layout.h); the TSS gives the stack for entries from ring 3
 * (RSP0) and a separate one (IST1) for #DF and NMI, which may arrive when the
 * current stack is the problem (SDM Vol. 3A 8.7, 7.14.5).
 */
#include "kernel/kernel.h"

/* A flat segment: base 0, limit 4 GiB; flags are G/D/L, access P/DPL/S/type. */
#define SEG(flags, access) \
	(((uint64_t)(flags) << 52) | ((uint64_t)(access) << 40) | 0xffffull | (0xfull << 48))

void gdt_init(struct percpu *pc)
{
	struct cpu_stacks *st = &cpu_stacks[pc->cpu];
	uint64_t tss = (uint64_t)&pc->tss;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(pc->gdt) - 1, (uint64_t)pc->gdt };

	_Static_assert(sizeof(pc->gdt) == GDT_ENTRIES * 8, "layout.h: GDT_ENTRIES");
	pc->gdt[0] = 0;
	pc->gdt[KERNEL_CS >> 3] = SEG(0xa, 0x9b);	/* 64-bit code, DPL 0 */
	pc->gdt[KERNEL_DS >> 3] = SEG(0xc, 0x93);	/* data, DPL 0 */
	pc->gdt[USER_CS32 >> 3] = SEG(0xc, 0xfb);	/* 32-bit code, DPL 3: unused */
	pc->gdt[USER_DS >> 3] = SEG(0xc, 0xf3);		/* data, DPL 3 */
	pc->gdt[USER_CS >> 3] = SEG(0xa, 0xfb);		/* 64-bit code, DPL 3 */
	/* 16-byte system descriptor, type 9: available 64-bit TSS (SDM 8.2.3). */
	pc->gdt[TSS_SEL >> 3] = (sizeof(pc->tss) - 1) | ((tss & 0xffffff) << 16) |
				(0x89ull << 40) | ((tss >> 24) & 0xff) << 56;
	pc->gdt[(TSS_SEL >> 3) + 1] = tss >> 32;

	pc->tss.rsp[0] = pc->kernel_stack;
	pc->tss.ist[0] = (uint64_t)st->ist + IST_STACK_SIZE;
	pc->tss.iomap_base = sizeof(pc->tss);	/* no I/O bitmap: ring 3 has no ports */

	__asm__ volatile("lgdt %0\n\t"
			 "mov %1, %%ds\n\t"
			 "mov %1, %%es\n\t"
			 "mov %1, %%ss\n\t"
			 "xor %%eax, %%eax\n\t"
			 "mov %%eax, %%fs\n\t"
			 "mov %%eax, %%gs\n\t"
			 "pushq %2\n\t"
			 "lea 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "ltr %w3"
			 :: "m"(gdtr), "r"((uint64_t)KERNEL_DS), "i"(KERNEL_CS), "r"(TSS_SEL)
			 : "rax", "memory");
	/* Loading GS zeroed its base: point it at this CPU's data again. */
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
}
