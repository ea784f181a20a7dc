// SPDX-License-Identifier: GPL-2.0
/*
 * exceptions.c - #DE, #UD and #PF: raised unhandled (the host must report
 * vector, error code, RIP and CR2, and fail the run), and raised under a
 * fixup (the guest catches each, checks what the CPU reported, resumes).
 */
#include "kernel/kernel.h"

static void divide_error(void)
{
	__asm__ volatile("xor %%ecx, %%ecx; div %%ecx" ::: "eax", "ecx", "edx");
}

static void invalid_opcode(void)
{
	__asm__ volatile("ud2");
}

static void page_fault(void)
{
	(void)*(volatile uint64_t *)VIRQLAB_UNMAPPED_GVA;
}

static void de(void) { divide_error(); GUEST_FAIL("#DE did not fault"); }
static void ud(void) { invalid_opcode(); GUEST_FAIL("#UD did not fault"); }
static void pf(void) { page_fault(); GUEST_FAIL("#PF did not fault"); }
GUEST_TEST("de", de, NULL);
GUEST_TEST("ud", ud, NULL);
GUEST_TEST("pf", pf, NULL);

/* Arm a fixup at the instruction after the faulting one, then fault. */
#define EXPECT(vec, insn, ...)						\
	do {								\
		struct percpu *pc = this_cpu();				\
		pc->caught_vector = ~0ull;				\
		pc->expect_vector = (vec);				\
		__asm__ volatile("lea 1f(%%rip), %%rax\n\t"		\
				 "mov %%rax, %0\n\t"			\
				 insn "\n"				\
				 "1:"					\
				 : "=m"(pc->fixup_rip) : __VA_ARGS__	\
				 : "rax", "rcx", "rdx", "memory");	\
		GUEST_ASSERT_EQ(pc->caught_vector, (vec));		\
	} while (0)

static void exc_recover(void)
{
	struct percpu *pc = this_cpu();

	/* #DE and #UD push no error code: the stub's dummy 0 must come through. */
	EXPECT(0, "xor %%ecx, %%ecx; div %%ecx", "i"(0));
	GUEST_ASSERT_EQ(pc->caught_error, 0);
	EXPECT(6, "ud2", "i"(0));
	GUEST_ASSERT_EQ(pc->caught_error, 0);
	EXPECT(14, "mov (%1), %%rax", "r"(VIRQLAB_UNMAPPED_GVA));
	GUEST_ASSERT_EQ(pc->caught_cr2, VIRQLAB_UNMAPPED_GVA);
	/* Not present (P=0), a read (W/R=0), from ring 0 (U/S=0): SDM 4.7. */
	GUEST_ASSERT_EQ(pc->caught_error & 7, 0);
	printf("exc-recover: #DE, #UD and #PF caught and resumed\n");
}
GUEST_TEST("exc-recover", exc_recover, NULL);
