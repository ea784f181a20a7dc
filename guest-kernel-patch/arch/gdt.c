// SPDX-License-Identifier: GPL-2.0
/*
 * gdt.c - per-CPU GDT and 64-bit TSS. The descriptor order is fixed by
 * SYSCALL/SYSRET (SDM Vol. 2B, SYSRET): kernel CS, kernel DS, then from
 * STAR's user base a 32-bit user CS slot, user DS, 64-bit user CS.
 */
#include "kernel/kernel.h"

static uint8_t ist_stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));
static uint8_t irq_stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));

#define SEG(flags, access) (((uint64_t)(flags) << 52) | ((uint64_t)(access) << 40) | 0xffffull | (0xfull << 48))

void gdt_init(struct percpu *pc)
{
	uint64_t tss = (uint64_t)&pc->tss;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(pc->gdt) - 1, (uint64_t)pc->gdt };

	pc->gdt[0] = 0;
	pc->gdt[1] = SEG(0xa, 0x9a);	/* 0x08 kernel code, L=1 */
	pc->gdt[2] = SEG(0xc, 0x92);	/* 0x10 kernel data */
	pc->gdt[3] = SEG(0xc, 0xfa);	/* 0x18 user code 32 (unused) */
	pc->gdt[4] = SEG(0xc, 0xf2);	/* 0x20 user data */
	pc->gdt[5] = SEG(0xa, 0xfa);	/* 0x28 user code, L=1 */
	/* 0x30: 16-byte TSS descriptor, type 9 (available 64-bit TSS). */
	pc->gdt[6] = (sizeof(pc->tss) - 1) | ((tss & 0xffffff) << 16) | (0x89ull << 40) |
		     ((tss >> 24) & 0xff) << 56;
	pc->gdt[7] = tss >> 32;

	pc->tss.rsp[0] = (uint64_t)irq_stacks[pc->cpu] + STACK_SIZE;
	pc->tss.ist[0] = (uint64_t)ist_stacks[pc->cpu] + STACK_SIZE;
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
