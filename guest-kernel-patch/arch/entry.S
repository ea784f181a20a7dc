/* SPDX-License-Identifier: GPL-2.0 */
/*
 * entry.S - the ways into ring 0 once the kernel runs, and back out: the 256
 * interrupt stubs and their common path into irq_dispatch(), the SYSCALL
 * entry and the UD2 gate into syscall_dispatch(), and enter_user()/exit_user()
 * between a kernel caller and ring 3. Everything else is C.
 */
#include "kernel/layout.h"
#include "kernel/x86.h"

	.text
	.code64

/*
 * One 16-byte stub per vector, so that the IDT can compute addresses. The
 * CPU pushes an error code only for 8, 10-14, 17, 21, 29 and 30 (SDM Vol. 3A
 * 7.13); the other stubs push a dummy so every frame has the same shape.
 */
.macro stub vec
	.balign 16
	.set	has_error, (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17)
	.set	has_error, has_error || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.if has_error == 0
	push	$0
	.endif
	push	$\vec
	jmp	irq_common
.endm

	.balign 16
	.globl isr_stubs
isr_stubs:
	.altmacro
	.set	v, 0
	.rept	256
	stub	%v
	.set	v, v + 1
	.endr
	.noaltmacro

/*
 * Save every GPR into a struct irq_frame (kernel.h), switch GS if we came
 * from ring 3, and call irq_dispatch(frame). The CPU aligned RSP to 16 before
 * its 5 pushes; with the 2 stub words and 15 GPRs the call is aligned again.
 */
irq_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	testb	$3, 18*8(%rsp)		/* frame->cs: from ring 3? */
	jz	1f
	swapgs
1:	mov	%rsp, %rdi
	cld				/* the C ABI wants DF=0; ring 3 may have set it */
	call	irq_dispatch
	testb	$3, 18*8(%rsp)
	jz	2f
	swapgs
2:	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector, error code */
	iretq

/*
 * long enter_user(void (*fn)(long), long arg): run fn(arg) in ring 3 on this
 * vCPU's user stack; returns the code fn passes to SYS_exit. The callee-saved
 * registers stay on our stack, whose pointer is parked in the per-CPU area
 * until exit_user() comes back to it.
 */
	.globl enter_user
enter_user:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %gs:PCPU_KSAVE_RSP
	mov	%gs:PCPU_USER_STACK, %rax
	sub	$8, %rax		/* as if called: keep the ABI's alignment */
	pushq	$USER_DS		/* SS */
	push	%rax			/* RSP */
	pushq	$RFLAGS_IF		/* RFLAGS: interrupts on in ring 3 */
	pushq	$USER_CS		/* CS */
	push	%rdi			/* RIP */
	mov	%rsi, %rdi
	xor	%eax, %eax		/* leak nothing of ring 0 into ring 3 */
	xor	%ebx, %ebx
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%ebp, %ebp
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	swapgs				/* user GS base; ours waits in KERNEL_GS_BASE */
	iretq

/* exit_user(code), from SYS_exit: back to enter_user's caller (kernel GS). */
	.globl exit_user
exit_user:
	mov	%rdi, %rax
	mov	%gs:PCPU_KSAVE_RSP, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

/*
 * SYSCALL: RAX = number, RDI/RSI/RDX = arguments; the CPU put the user RIP
 * in RCX and RFLAGS in R11 and, through FMASK, cleared IF and DF, so nothing
 * can interrupt us before the kernel stack is in place (SDM Vol. 2B,
 * SYSCALL). Like Linux, everything but RAX, RCX and R11 is preserved.
 */
	.globl syscall_entry
syscall_entry:
	swapgs
	mov	%rsp, %gs:PCPU_USER_RSP
	mov	%gs:PCPU_KERNEL_STACK, %rsp
	push	%gs:PCPU_USER_RSP
	push	%rcx
	push	%r11
	push	%rdi
	push	%rsi
	push	%rdx
	push	%r8
	push	%r9
	push	%r10
	sub	$8, %rsp		/* 9 pushes: realign to 16 for the call */
	mov	%rdx, %rcx
	mov	%rsi, %rdx
	mov	%rdi, %rsi
	mov	%rax, %rdi
	call	syscall_dispatch
	add	$8, %rsp
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdx
	pop	%rsi
	pop	%rdi
	pop	%r11
	pop	%rcx
	pop	%rsp
	swapgs
	sysretq

/*
 * The exception gate, for a CPU on which SYSCALL does not reach ring 0
 * (user.c, syscall_gate_probe): ring 3 calls here with the same registers
 * as for SYSCALL, and the #UD of this one UD2 (SDM Vol. 2B, UD: "raises an
 * invalid opcode exception in all operating modes") is delivered through
 * the IDT like any exception from ring 3. irq_dispatch() recognises it by
 * its address alone, so a stray UD2 anywhere else still fails the run.
 */
	.section .text.user, "ax"
	.globl syscall_ud2_gate, syscall_ud2_insn
syscall_ud2_gate:
syscall_ud2_insn:
	ud2
	ret

	.section .note.GNU-stack, "", @progbits
