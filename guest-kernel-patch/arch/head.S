/* SPDX-License-Identifier: GPL-2.0 */
/*
 * head.S - the two ways into the guest kernel and everything that must happen
 * before C can run: a GDT of our own, a stack per vCPU, a zeroed .bss.
 *
 * _start (the ELF entry) is vmm-mini's: every vCPU enters at once, already in
 * 64-bit mode on vmm-mini's page tables, with RDI = boot info GPA and RSI =
 * vCPU index, but with segment registers loaded only in their hidden parts
 * and no stack. pvh_start is QEMU's (-kernel with the Xen PVH note below): the
 * BSP alone, in 32-bit protected mode with paging off, EBX = struct
 * hvm_start_info. It builds a temporary identity map of the first GiB, turns
 * on long mode and continues in C at pvh_main(). Both end in kmain(), which
 * replaces whatever page tables we came with by the kernel's own.
 */
#include "kernel/layout.h"
#include "kernel/x86.h"

#define XEN_ELFNOTE_PHYS32_ENTRY	18

/*
 * The PVH boot ABI (Xen's docs/misc/pvh.pandoc): QEMU finds the 32-bit entry
 * in this note. The descriptor is pointer-sized like Linux's, because QEMU
 * reads 8 bytes there; 4-byte alignment, as for every ELF note.
 */
/* Kernel data segments from our GDT; FS and GS null (GS base is set later). */
.macro load_data_segments
	mov	$KERNEL_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	xor	%eax, %eax
	mov	%eax, %fs
	mov	%eax, %gs
.endm

	.section .note.Xen, "a", @note
	.balign 4
	.long	2f - 1f			/* namesz */
	.long	4f - 3f			/* descsz */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz	"Xen"
2:	.balign 4
3:	.quad	pvh_start
4:	.balign 4

/*
 * The boot GDT: only the kernel code and data descriptors that the entries
 * load; each vCPU switches to its own GDT with a TSS in gdt_init(). The
 * accessed bits are preset so that loading a selector never writes here.
 */
	.section .rodata
	.balign 16
boot_gdt:
	.quad	0
	.quad	0x00af9b000000ffff	/* KERNEL_CS: 64-bit code, DPL 0 */
	.quad	0x00cf93000000ffff	/* KERNEL_DS: flat data, DPL 0 */
boot_gdt_end:
boot_gdtr:
	.word	boot_gdt_end - boot_gdt - 1
	.quad	boot_gdt		/* 32-bit LGDT reads the low half only */

/* Set by the BSP once .bss is zero: kept in .data so the zeroing spares it. */
	.data
	.balign 4
bss_ready:
	.long	0

/*
 * Stacks: never zeroed (nobits, outside __bss_start..__bss_end), so the
 * one-time clearing of .bss stays small. Layout per vCPU: layout.h.
 */
	.section .stacks, "aw", @nobits
	.balign 4096
	.globl cpu_stacks
cpu_stacks:
	.skip	MAX_CPUS * CPU_STACKS_SIZE

	.text
	.code64
	.globl _start
_start:
	cli
	cld
	cmp	$MAX_CPUS, %rsi
	jae	park			/* no stack for it; the BSP fails the run */
	mov	%rsi, %rax
	imul	$CPU_STACKS_SIZE, %rax
	lea	cpu_stacks + STACKS_BOOT + STACK_SIZE(%rip), %rsp
	add	%rax, %rsp
	lgdt	boot_gdtr(%rip)
	load_data_segments
	pushq	$KERNEL_CS		/* reload CS from our GDT, not hidden state */
	lea	1f(%rip), %rax
	push	%rax
	lretq
1:	mov	%rdi, %r12
	mov	%rsi, %r13
	test	%rsi, %rsi
	jnz	3f
	/* BSP: clear .bss in one instruction (ring 0 may be emulated). */
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	shr	$3, %rcx
	xor	%eax, %eax
	rep stosq
	/*
	 * Fast-string stores may be reordered among themselves and with later
	 * stores (SDM Vol. 3A 8.2.4); fence before telling the APs.
	 */
	mfence
	movl	$1, bss_ready(%rip)
	jmp	4f
3:	pause				/* APs: wait until .bss can be used */
	cmpl	$0, bss_ready(%rip)
	je	3b
4:	mov	%r12, %rdi
	mov	%r13, %rsi
	xor	%ebp, %ebp
	call	vmm_mini_main
park:	cli
	hlt
	jmp	park

/*
 * PVH: 32-bit protected mode, paging off, flat CS/DS/ES/SS, EBX = struct
 * hvm_start_info, no usable stack. EBX survives untouched to pvh_main().
 */
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	lgdt	boot_gdtr
	mov	$KERNEL_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	$__bss_start, %edi	/* .bss first: the boot tables live there */
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	shr	$2, %ecx
	xor	%eax, %eax
	rep stosl
	/*
	 * Identity-map the first GiB with 2 MiB pages: enough for the image,
	 * the start info and the command line (QEMU keeps those low), until
	 * kmain() loads the real tables.
	 */
	movl	$pvh_pdpt + PTE_P + PTE_RW, pvh_pml4
	movl	$pvh_pd + PTE_P + PTE_RW, pvh_pdpt
	mov	$pvh_pd, %edi
	mov	$PTE_P + PTE_RW + PTE_PS, %eax
	mov	$512, %ecx
1:	mov	%eax, (%edi)
	add	$HUGE_PAGE_SIZE, %eax
	add	$8, %edi
	loop	1b
	/* Long mode: PAE, CR3, EFER.LME, then paging (SDM Vol. 3A 10.8.5). */
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$pvh_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_PG + CR0_PE, %eax
	mov	%eax, %cr0
	ljmp	$KERNEL_CS, $pvh_start64

	.code64
pvh_start64:
	load_data_segments
	lea	cpu_stacks + STACKS_BOOT + STACK_SIZE(%rip), %rsp
	mov	%ebx, %edi
	xor	%ebp, %ebp
	call	pvh_main
	jmp	park

/*
 * QEMU's APs: the BSP copies ap_trampoline to AP_TRAMPOLINE_PA and starts
 * each AP with INIT-SIPI-SIPI (smp_qemu.c), so it runs from there in real
 * mode, CS = AP_TRAMPOLINE_PA >> 4, IP = 0, caches disabled. It goes to
 * long mode in one step: PAE, the kernel's own page tables, EFER.LME, then
 * CR0.PE and PG together, and a far jump into a 64-bit code segment (SDM
 * Vol. 3A 10.8.5 asks for paging last; protected mode without paging in
 * between is not required). Addresses inside the copy are computed from
 * AP_TRAMPOLINE_PA; the BSP fills in ap_tramp_cr3 there.
 */
#define TRAMP(x)	((x) - ap_trampoline + AP_TRAMPOLINE_PA)
	.section .rodata
	.code16
	.globl ap_trampoline, ap_trampoline_end, ap_tramp_cr3
ap_trampoline:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	TRAMP(ap_tramp_gdtr)
	movl	TRAMP(ap_tramp_cr3), %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	and	$~(CR0_CD + CR0_NW), %eax
	or	$CR0_PG + CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$KERNEL_CS, $ap_start64
	.balign 8
ap_tramp_gdtr:
	.word	boot_gdt_end - boot_gdt - 1
	.long	boot_gdt
ap_tramp_cr3:
	.long	0
ap_trampoline_end:

	.text
	.code64
ap_start64:
	load_data_segments
	mov	ap_boot_cpu(%rip), %edi	/* set by the BSP; it waits for us */
	mov	%rdi, %rax
	imul	$CPU_STACKS_SIZE, %rax
	lea	cpu_stacks + STACKS_BOOT + STACK_SIZE(%rip), %rsp
	add	%rax, %rsp
	xor	%ebp, %ebp
	call	qemu_ap_main
	jmp	park

	.bss
	.balign 4096
pvh_pml4:
	.skip	4096
pvh_pdpt:
	.skip	4096
pvh_pd:
	.skip	4096

	.section .note.GNU-stack, "", @progbits
