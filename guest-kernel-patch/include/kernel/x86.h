/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86.h - the architectural constants the guest kernel needs (SDM Vol. 3)
 * and, for C, the privileged instructions it uses as inline functions. The
 * constants are plain hex so that head.S and entry.S can include them too.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#define MSR_APIC_BASE		0x1b
#define MSR_KVM_PV_EOI_EN	0x4b564d04
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_FMASK		0xc0000084
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

#define EFER_SCE		0x001	/* SYSCALL/SYSRET */
#define EFER_LME		0x100	/* long mode enable */
#define CR0_PE			0x00000001
#define CR0_NW			0x20000000	/* set at INIT: caches off */
#define CR0_CD			0x40000000
#define CR0_PG			0x80000000
#define CR4_PAE			0x00000020
#define RFLAGS_FIXED		0x2	/* bit 1 is always 1 (SDM Vol. 1, 3.4.3) */
#define RFLAGS_IF		0x200
#define RFLAGS_DF		0x400

/* Paging-structure entry bits (SDM Vol. 3A 4.5, tables 4-14 to 4-20). */
#define PTE_P			0x001
#define PTE_RW			0x002
#define PTE_US			0x004
#define PTE_PWT			0x008
#define PTE_PCD			0x010
#define PTE_PS			0x080
#define PAGE_SIZE		0x1000
#define HUGE_PAGE_SIZE		0x200000

#ifndef __ASSEMBLER__
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port) : "memory");
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

/* String output: one exit for a whole buffer (KVM_EXIT_IO with count > 1). */
static inline void outsb(uint16_t port, const void *buf, uint64_t n)
{
	__asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

static inline uint32_t readl(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void writel(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

/*
 * LFENCE on both sides: RDTSC is not ordered with older instructions, so
 * without the first fence the timed work could still be in flight, and
 * without the second, later work could start early (SDM Vol. 2B, RDTSC).
 */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory");
}

static inline uint16_t read_cs(void)
{
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs;
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void mfence(void) { __asm__ volatile("mfence" ::: "memory"); }
static inline void barrier(void) { __asm__ volatile("" ::: "memory"); }

/*
 * Idle until an interrupt. Called with IF=0 after checking for work: STI
 * delays recognition of interrupts until after the next instruction (SDM
 * Vol. 2B, STI), so one that became pending after the check is taken only
 * once HLT has begun, and wakes it; it cannot slip in between check and halt.
 * Returns with IF=1, after the handler ran.
 */
static inline void safe_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

/* Idle until COND holds, checking it with interrupts off; returns with IF=0. */
#define idle_until(cond)			\
	do {					\
		cli();				\
		while (!(cond)) {		\
			safe_halt();		\
			cli();			\
		}				\
	} while (0)

static inline void __attribute__((noreturn)) halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif /* __ASSEMBLER__ */
#endif
