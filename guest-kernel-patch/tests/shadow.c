// SPDX-License-Identifier: GPL-2.0
/*
 * shadow.c - irq_step_over_shadowed_hlt(): an interrupt returned onto a HLT
 * that STI's shadow should have protected is stepped over and counted; any
 * other return address is left alone. A correct platform never produces the
 * case, so the frames are made up, pointing at these bytes.
 */
#include "kernel/kernel.h"

static const uint8_t sti_hlt[] = { 0xfb, 0xf4, 0xfa };	/* sti; hlt; cli */
static const uint8_t cli_hlt[] = { 0xfa, 0xf4, 0xfa };	/* cli; hlt; cli */

static void sti_shadow(void)
{
	struct irq_frame f = { .vector = 0x50, .cs = KERNEL_CS, .rflags = RFLAGS_IF };
	uint64_t before = this_cpu()->shadow_irqs;

	f.rip = (uint64_t)&sti_hlt[1];
	GUEST_ASSERT(irq_step_over_shadowed_hlt(&f));
	GUEST_ASSERT_EQ(f.rip, (uint64_t)&sti_hlt[2]);
	GUEST_ASSERT_EQ(this_cpu()->shadow_irqs, before + 1);

	/* Returning after the HLT: the normal wake-up. */
	f.rip = (uint64_t)&sti_hlt[2];
	GUEST_ASSERT(!irq_step_over_shadowed_hlt(&f));
	GUEST_ASSERT_EQ(f.rip, (uint64_t)&sti_hlt[2]);

	/* A HLT not after STI is no shadow: a halt_forever() stays halted. */
	f.rip = (uint64_t)&cli_hlt[1];
	GUEST_ASSERT(!irq_step_over_shadowed_hlt(&f));
	GUEST_ASSERT_EQ(f.rip, (uint64_t)&cli_hlt[1]);

	/* Ring 3 cannot execute HLT; its bytes are never ours to skip. */
	f.rip = (uint64_t)&sti_hlt[1];
	f.cs = USER_CS;
	GUEST_ASSERT(!irq_step_over_shadowed_hlt(&f));
	GUEST_ASSERT_EQ(f.rip, (uint64_t)&sti_hlt[1]);

	GUEST_ASSERT_EQ(this_cpu()->shadow_irqs, before + 1);
	GUEST_ASSERT_EQ(irq_shadow_count(), before + 1);
	this_cpu()->shadow_irqs = before;
	printf("sti-shadow: the shadowed HLT stepped over and counted, 3 others left alone\n");
}
GUEST_TEST("sti-shadow", sti_shadow, NULL);
