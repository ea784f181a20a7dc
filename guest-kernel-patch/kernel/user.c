// SPDX-License-Identifier: GPL-2.0
/*
 * user.c - ring 3 and the system-call path. User code is ordinary C in the
 * kernel image (the page tables map all RAM user-accessible), entered with
 * IRETQ by enter_user() and left through SYS_exit. On nested PVM ring 3 runs
 * natively while ring 0 is emulated, so data consumers belong here.
 */
#include "kernel/kernel.h"

#define MAX_SYSCALLS 16

struct cpu_stacks {
	uint8_t user[STACK_SIZE];	/* enter_user's stack: just below ... */
	uint8_t syscall[STACK_SIZE];	/* ... the syscall stack */
} __attribute__((aligned(16)));

static struct cpu_stacks stacks[MAX_CPUS];
static syscall_fn syscalls[MAX_SYSCALLS];
extern void syscall_entry(void);
extern void __attribute__((noreturn)) exit_user(long code);

static long sys_write(long buf, long len, long unused)
{
	if (len < 0 || len > 4096)
		return -1;
	console_write((const char *)buf, len);
	return len;
}

static long sys_nop(long a, long b, long c)
{
	return 0;
}

static long sys_getcpu(long a, long b, long c)
{
	return this_cpu()->cpu;
}

/* Idle until an interrupt has been handled, then return to ring 3. */
static long sys_wait_irq(long a, long b, long c)
{
	safe_halt();
	cli();
	return 0;
}

long syscall_dispatch(long nr, long a0, long a1, long a2)
{
	if (nr == SYS_exit)
		exit_user(a0);
	if (nr < 0 || nr >= MAX_SYSCALLS || !syscalls[nr])
		return -1;
	return syscalls[nr](a0, a1, a2);
}

void syscall_register(unsigned int nr, syscall_fn fn)
{
	if (nr >= MAX_SYSCALLS)
		GUEST_FAIL("syscall number %u out of range", nr);
	syscalls[nr] = fn;
}

/* SYSCALL/SYSRET MSRs (SDM Vol. 2B SYSCALL): IF and DF cleared on entry. */
void user_init(struct percpu *pc)
{
	pc->syscall_stack_top = (uint64_t)stacks[pc->cpu].syscall + STACK_SIZE;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)0x18 << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | (1u << 10));
	if (pc->cpu == 0) {
		syscall_register(SYS_write, sys_write);
		syscall_register(SYS_nop, sys_nop);
		syscall_register(SYS_getcpu, sys_getcpu);
		syscall_register(SYS_wait_irq, sys_wait_irq);
	}
}
