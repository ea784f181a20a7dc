// SPDX-License-Identifier: GPL-2.0
/*
 * user.c - ring 3: entered with IRETQ, CPL 3 there, a syscall round trip
 * returning the right values, console output through SYS_write, an
 * interrupt taken in ring 3 (TSS.RSP0 stack, SWAPGS) and returned from, and
 * SYS_exit back to the kernel caller.
 */
#include "kernel/kernel.h"

static volatile uint64_t ticks, tick_cs, tick_cpu;

static void on_tick(struct irq_frame *f)
{
	ticks++;
	tick_cs = f->cs;
	tick_cpu = this_cpu()->cpu;	/* GS must be the kernel's here */
	apic_eoi();
}

static __user_text void user_main(long arg)
{
	static const char msg[] = "hello from ring 3\n";
	uint16_t cs = read_cs();
	long cpu;

	if ((cs & 3) != 3)
		syscall3(SYS_exit, 100 + (cs & 3), 0, 0);
	cpu = syscall3(SYS_getcpu, 0, 0, 0);
	if (syscall3(SYS_nop, 0, 0, 0) != 0)
		syscall3(SYS_exit, 200, 0, 0);
	if (syscall3(SYS_write, (long)msg, sizeof(msg) - 1, 0) != sizeof(msg) - 1)
		syscall3(SYS_exit, 300, 0, 0);
	/* Ring 3 runs with IF=1: the one-shot timer armed below fires here. */
	while (!ticks)
		;
	syscall3(SYS_exit, arg + cpu, 0, 0);
}

static void user(void)
{
	long code;

	irq_register(VIRQLAB_VEC_TIMER, on_tick);
	apic_timer_oneshot(VIRQLAB_VEC_TIMER, 100000);
	code = enter_user(user_main, 42);
	GUEST_ASSERT_EQ(code, 42 + this_cpu()->cpu);
	GUEST_ASSERT_EQ(ticks, 1);
	GUEST_ASSERT_EQ(tick_cs, USER_CS);
	GUEST_ASSERT_EQ(tick_cpu, this_cpu()->cpu);
	printf("user: ring 0 entered through the %s gate\n", syscall_gate_name());
}
GUEST_TEST("user", user, NULL);
