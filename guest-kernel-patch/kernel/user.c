// SPDX-License-Identifier: GPL-2.0
/*
 * user.c - ring 3 and the system-call path. Ring-3 code is ordinary C in the
 * kernel image (__user_text), on the same identity map, whose RAM pages are
 * user-accessible (paging.c); enter_user() (entry.S) gets there with IRETQ
 * and SYS_exit comes back. On nested PVM ring 3 runs natively while ring 0
 * is emulated, so data consumers belong in ring 3.
 */
#include "kernel/kernel.h"

#define MAX_SYSCALLS	16
#define MAX_WRITE	4096

static syscall_fn syscalls[MAX_SYSCALLS];
extern const char syscall_entry[];
extern void __attribute__((noreturn)) exit_user(long code);

/* The buffer must be RAM: ring 0 must not fault on ring 3's behalf. */
static long sys_write(long buf, long len, long unused)
{
	uint64_t b = buf, n = len;

	if (len < 0 || len > MAX_WRITE || b < PAGE_SIZE || b > boot_info->mem_bytes ||
	    n > boot_info->mem_bytes - b)
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

/*
 * SYSCALL/SYSRET (SDM Vol. 2B SYSCALL): STAR holds the kernel CS and the base
 * SYSRET derives the user selectors from (layout.h); FMASK clears IF, so the
 * entry runs with interrupts off until it is on its own stack, and DF, which
 * the C ABI wants clear.
 */
void user_init(struct percpu *pc)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, ((uint64_t)(USER_CS32 & ~3) << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	if (pc->cpu == 0) {
		syscall_register(SYS_write, sys_write);
		syscall_register(SYS_nop, sys_nop);
		syscall_register(SYS_getcpu, sys_getcpu);
		syscall_register(SYS_wait_irq, sys_wait_irq);
	}
}

/*
 * Which way into ring 0 works here. SYSCALL loads CS from STAR and so CPL 0
 * (SDM Vol. 2B, SYSCALL), but nested PVM's emulation of it (../shared/PVM.md)
 * jumps to LSTAR still at CPL 3, where the entry's first privileged
 * instruction, SWAPGS, raises #GP. So the BSP tries one SYSCALL from ring 3
 * before anything else enters ring 3: if that #GP comes back from
 * syscall_entry, every later call uses the UD2 gate (entry.S), an exception
 * from ring 3, which every flavour delivers through the IDT. Read from ring
 * 3 by syscall3(), so it lives in ordinary RAM (user-accessible, paging.c).
 */
enum syscall_gate syscall_gate = SYSCALL_GATE_SYSCALL;
static volatile bool gate_probing;

#define GATE_PROBE_STAYED_IN_RING3	1

const char *syscall_gate_name(void)
{
	return syscall_gate == SYSCALL_GATE_SYSCALL ? "syscall" : "ud2";
}

static __user_text void gate_probe(long unused)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(SYS_nop), "D"(0), "S"(0), "d"(0) : "rcx", "r11", "memory");
	syscall3(SYS_exit, ret, 0, 0);
}

void syscall_gate_probe(void)
{
	long ret;

	gate_probing = true;
	ret = enter_user(gate_probe, 0);
	gate_probing = false;
	if (ret != 0 && ret != GATE_PROBE_STAYED_IN_RING3)
		GUEST_FAIL("syscall gate probe: SYS_nop returned %ld", ret);
}

/*
 * From irq_dispatch(), for #UD and #GP raised in ring 3: true when the
 * exception is one of the gate's own, now handled.
 */
bool syscall_gate_fault(struct irq_frame *f)
{
	if (!(f->cs & 3))
		return false;
	if (f->vector == 6 && f->rip == (uint64_t)syscall_ud2_insn) {
		f->rax = syscall_dispatch(f->rax, f->rdi, f->rsi, f->rdx);
		f->rip += 2;		/* past the UD2, to its RET */
		return true;
	}
	if (f->vector == 13 && gate_probing && f->rip == (uint64_t)syscall_entry) {
		/* The probe's SYSCALL: RCX holds its return address (SDM Vol. 2B). */
		syscall_gate = SYSCALL_GATE_UD2;
		f->rax = GATE_PROBE_STAYED_IN_RING3;
		f->rip = f->rcx;
		f->rflags = RFLAGS_IF | RFLAGS_FIXED;
		return true;
	}
	return false;
}
