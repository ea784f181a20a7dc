// SPDX-License-Identifier: GPL-2.0
/* user.c - ring 3 entry, a syscall round trip, console output, exit. */
#include "kernel/kernel.h"

static __user_text void user_main(long arg)
{
	static const char msg[] = "hello from ring 3\n";
	uint16_t cs;
	long cpu;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	if ((cs & 3) != 3)
		syscall3(SYS_exit, 100 + (cs & 3), 0, 0);
	cpu = syscall3(SYS_getcpu, 0, 0, 0);
	if (syscall3(SYS_nop, 0, 0, 0) != 0)
		syscall3(SYS_exit, 200, 0, 0);
	syscall3(SYS_write, (long)msg, sizeof(msg) - 1, 0);
	syscall3(SYS_exit, arg + cpu, 0, 0);
}

static void user(void)
{
	long code = enter_user(user_main, 42);

	GUEST_ASSERT_EQ(code, 42 + this_cpu()->cpu);
}
GUEST_TEST("user", user, NULL);
