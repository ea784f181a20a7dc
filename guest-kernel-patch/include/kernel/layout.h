/* SPDX-License-Identifier: GPL-2.0 */
/*
 * layout.h - the numbers the C kernel and its assembly must agree on: how
 * many vCPUs, how big each stack is and where it sits in a vCPU's stack
 * block, the GDT selectors, and the offsets into struct percpu that the
 * entry code addresses through GS. Preprocessor-only so that head.S and
 * entry.S include it; the C side checks every offset with _Static_assert.
 */
#ifndef GUEST_LAYOUT_H
#define GUEST_LAYOUT_H

/* One per vCPU vmm-mini may create (VIRQLAB_MAX_VCPUS; checked in main.c). */
#define MAX_CPUS		64

/*
 * Each vCPU owns one block of stacks in the .stacks section (head.S), which
 * no loader needs to zero: boot (ring 0, kmain and below), kernel (TSS.RSP0
 * and SYSCALL: entries from ring 3), ist (#DF and NMI), user (ring 3).
 */
#define STACK_SIZE		16384
#define IST_STACK_SIZE		4096
#define STACKS_BOOT		0
#define STACKS_KERNEL		(STACKS_BOOT + STACK_SIZE)
#define STACKS_IST		(STACKS_KERNEL + STACK_SIZE)
#define STACKS_USER		(STACKS_IST + IST_STACK_SIZE)
#define CPU_STACKS_SIZE		(STACKS_USER + STACK_SIZE)

/*
 * GDT selectors. The order after the kernel pair is fixed by SYSRET, which
 * takes user SS = STAR[63:48] + 8 and 64-bit user CS = STAR[63:48] + 16
 * (SDM Vol. 2B, SYSRET): 0x18 is the (unused) 32-bit user code slot.
 */
#define KERNEL_CS		0x08
#define KERNEL_DS		0x10
#define USER_CS32		0x1b
#define USER_DS			0x23
#define USER_CS			0x2b
#define TSS_SEL			0x30
#define GDT_ENTRIES		8	/* null, 5 segments, 16-byte TSS */

/* Where the BSP copies the APs' real-mode entry under QEMU (smp_qemu.c). */
#define AP_TRAMPOLINE_PA	0x8000

/* struct percpu fields the assembly reaches as %gs:offset. */
#define PCPU_SELF		0
#define PCPU_KSAVE_RSP		8	/* kernel RSP parked by enter_user */
#define PCPU_USER_RSP		16	/* ring-3 RSP during a syscall */
#define PCPU_KERNEL_STACK	24	/* top of this vCPU's kernel stack */
#define PCPU_USER_STACK		32	/* top of its ring-3 stack */

#endif
