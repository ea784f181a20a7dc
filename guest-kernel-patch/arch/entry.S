/* SPDX-License-Identifier: GPL-2.0 */
/*
 * entry.S - the guest kernel's assembly: the vmm-mini entry point, the 256
 * interrupt stubs and their common path, the SYSCALL entry, and the jumps
 * between ring 0 and ring 3. Everything else is C.
 */
#define STACK_SIZE 16384
#define KERNEL_DS 0x10
#define USER_DS 0x23
#define USER_CS 0x2b
#define PCPU_KSAVE_RSP 8
#define PCPU_USER_RSP 16
#define PCPU_SYSCALL_STACK 24
#define MAX_CPUS 8

	.text
	.code64

/*
 * vmm-mini enters here in 64-bit mode on every vCPU at once: RDI = boot
 * info, RSI = vCPU index, interrupts off, no usable stack. Each vCPU takes
 * its own boot stack by index; the loader has already zeroed .bss.
 */
	.globl _start
_start:
	cli
	cmp	$MAX_CPUS, %rsi
	jae	1f
	mov	%rsi, %rax
	inc	%rax
	imul	$STACK_SIZE, %rax
	lea	boot_stacks(%rip), %rsp
	add	%rax, %rsp
	xor	%ebp, %ebp
	call	kmain
1:	cli
	hlt
	jmp	1b

/* Stubs: the CPU pushes an error code for 8, 10-14, 17, 21, 29, 30 only. */
.macro stub vec
	.align 16
isr_\vec:
	.if (\vec == 8) || ((\vec >= 10) && (\vec <= 14)) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	push	$0
	.endif
	push	$\vec
	jmp	irq_common
.endm

	.align 16
	.altmacro
	.globl isr_stubs
isr_stubs:
.set v, 0
.rept 256
	stub %v
	.set v, v + 1
.endr
	.noaltmacro

/*
 * Common path: save every GPR into a struct irq_frame, switch GS if we came
 * from ring 3, call irq_dispatch(frame), and return with IRETQ.
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
	cld
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
 * long enter_user(void (*fn)(long), long arg): run fn(arg) in ring 3 on the
 * calling vCPU's user stack; returns the code given to SYS_exit. Callee-saved
 * registers and RSP are parked in the per-CPU area until exit_user.
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
	mov	%gs:PCPU_SYSCALL_STACK, %rax
	sub	$STACK_SIZE, %rax	/* the user stack sits below the syscall stack */
	and	$-16, %rax
	sub	$8, %rax		/* as if called: keep the ABI's alignment */
	push	$USER_DS		/* SS */
	push	%rax			/* RSP */
	push	$0x202			/* RFLAGS: IF */
	push	$USER_CS		/* CS */
	push	%rdi			/* RIP */
	mov	%rsi, %rdi
	xor	%eax, %eax
	xor	%ebx, %ebx
	xor	%ebp, %ebp
	swapgs
	iretq

/* exit_user(code): back to enter_user's caller (GS is the kernel's again). */
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
 * SYSCALL: RAX = number, RDI/RSI/RDX = arguments; RCX and R11 hold the user
 * RIP and RFLAGS. FMASK cleared IF, so nothing interrupts us before the
 * kernel stack is in place.
 */
	.globl syscall_entry
syscall_entry:
	swapgs
	mov	%rsp, %gs:PCPU_USER_RSP
	mov	%gs:PCPU_SYSCALL_STACK, %rsp
	push	%gs:PCPU_USER_RSP
	push	%rcx
	push	%r11
	/* Like Linux, preserve everything but RAX, RCX and R11 for ring 3. */
	push	%rdi
	push	%rsi
	push	%rdx
	push	%r8
	push	%r9
	push	%r10
	mov	%rdx, %rcx
	mov	%rsi, %rdx
	mov	%rdi, %rsi
	mov	%rax, %rdi
	call	syscall_dispatch
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
	.section .note.GNU-stack,"",@progbits
