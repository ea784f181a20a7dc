/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel.h - the guest kernel's core interfaces: per-CPU data, the interrupt
 * frame and handler table, paging, the APIC, printf, the ucall channel with
 * its assertion macros, ring 3, and the self-test registry.
 */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/layout.h"
#include "kernel/x86.h"
#include "uapi/virqlab_abi.h"

/* Saved by the interrupt stubs in entry.S, lowest address first. */
struct irq_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

/* One vCPU's stacks (layout.h); the storage is cpu_stacks in head.S. */
struct cpu_stacks {
	uint8_t boot[STACK_SIZE];
	uint8_t kernel[STACK_SIZE];
	uint8_t ist[IST_STACK_SIZE];
	uint8_t user[STACK_SIZE];
} __attribute__((aligned(16)));

/* Reached through GS; the first fields are addressed from entry.S. */
struct percpu {
	struct percpu *self;
	uint64_t ksave_rsp;
	uint64_t user_rsp;
	uint64_t kernel_stack;
	uint64_t user_stack;
	uint32_t cpu;
	uint32_t apic_id;
	struct ucall uc;
	/* Expected-exception fixup (tests that take an exception on purpose). */
	uint64_t expect_vector;
	uint64_t fixup_rip;
	uint64_t caught_vector, caught_error, caught_cr2;
	uint64_t shadow_irqs;		/* see irq_step_over_shadowed_hlt() */
	uint32_t pv_eoi;		/* KVM's PV EOI word (arch/apic.c) */
	uint64_t gdt[GDT_ENTRIES];
	struct tss64 tss;
} __attribute__((aligned(64)));

extern struct percpu percpu[MAX_CPUS];
extern struct cpu_stacks cpu_stacks[MAX_CPUS];
extern const struct virqlab_boot_info *boot_info;
extern uint32_t guest_vmm;		/* VIRQLAB_VMM_*: which entry we came in by */
extern volatile uint32_t cpus_online;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* main.c */
void percpu_init(uint32_t cpu);
void __attribute__((noreturn)) kmain(const struct virqlab_boot_info *bi, uint64_t cpu,
				     uint32_t vmm);
void __attribute__((noreturn)) vmm_mini_main(const struct virqlab_boot_info *bi, uint64_t cpu);
void __attribute__((noreturn)) pvh_main(uint32_t start_info);

/* smp_qemu.c: QEMU's APs, found in the MADT; ap_boot_cpu is read by head.S. */
extern volatile uint32_t ap_boot_cpu;
uint32_t smp_start_aps(void);		/* returns the number of vCPUs online */
void __attribute__((noreturn)) qemu_ap_main(uint64_t cpu);

/* paging.c */
void paging_init(uint64_t mem_bytes);
void paging_load(void);

/* irq.c */
typedef void (*irq_handler_t)(struct irq_frame *f);
void idt_init(void);
void idt_load(void);
void irq_register(uint8_t vector, irq_handler_t fn);
void irq_dispatch(struct irq_frame *f);
bool irq_step_over_shadowed_hlt(struct irq_frame *f);
uint64_t irq_shadow_count(void);
const char *exception_name(uint64_t vector);	/* NULL if it has none */

/* gdt.c */
void gdt_init(struct percpu *pc);

/* apic.c */
void apic_detect(void);
bool apic_is_x2apic(void);
void apic_init(void);
void apic_eoi(void);
bool apic_pv_eoi(void);
uint32_t apic_id(void);
void apic_self_ipi(uint8_t vector);
void apic_ipi(uint32_t dest, uint8_t vector);
void apic_start_ap(uint32_t dest, uint64_t entry_pa);
void apic_timer_periodic(uint8_t vector, uint32_t count);
void apic_timer_oneshot(uint8_t vector, uint32_t count);
void apic_timer_stop(void);

/* printf.c */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char *s, size_t n);

/* lib.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
bool arg_u64(const char *key, uint64_t *val);	/* from boot_info->args */
void sort_u64(uint64_t *a, uint64_t n);
uint64_t percentile_u64(const uint64_t *sorted, uint64_t n, uint64_t p);

/* ucall.c: arguments beyond nargs must each be a uint64_t. */
void ucall(uint32_t cmd, int nargs, ...);
void ucall_args(uint32_t cmd, int nargs, const uint64_t *args);
void __attribute__((noreturn)) guest_done(void);
void __attribute__((noreturn, format(printf, 3, 4)))
__guest_fail(const char *file, int line, const char *fmt, ...);
void __attribute__((noreturn, format(printf, 1, 2))) guest_skip(const char *fmt, ...);
void require_vmm_mini(const char *what);

/* ucall_qemu.c: what vmm-mini would do with a ucall, done under QEMU. */
void ucall_qemu(const struct ucall *uc);

/* Every argument becomes a uint64_t before it reaches the varargs-free call. */
#define GUEST_SYNC(...)							\
	do {								\
		const uint64_t __args[] = { __VA_ARGS__ };		\
		ucall_args(UCALL_SYNC, sizeof(__args) / sizeof(__args[0]), __args); \
	} while (0)
#define GUEST_DONE()	guest_done()
#define GUEST_FAIL(...)	__guest_fail(__FILE__, __LINE__, __VA_ARGS__)
#define GUEST_SKIP(...)	guest_skip(__VA_ARGS__)
#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			__guest_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)
#define GUEST_ASSERT_EQ(a, b)						\
	do {								\
		uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);	\
		if (__a != __b)						\
			__guest_fail(__FILE__, __LINE__,		\
				     "%s == %s failed: %lu (0x%lx) != %lu (0x%lx)", \
				     #a, #b, __a, __a, __b, __b);	\
	} while (0)

/* user.c: ring 3 */
enum syscall_nr {
	SYS_exit = 0,
	SYS_write,
	SYS_nop,
	SYS_getcpu,
	SYS_wait_irq,		/* idle until the next interrupt */
	SYS_NR_BASE,		/* drivers add theirs from here */
};
typedef long (*syscall_fn)(long a0, long a1, long a2);
long enter_user(void (*fn)(long), long arg);	/* returns SYS_exit's code */
void syscall_register(unsigned int nr, syscall_fn fn);
void user_init(struct percpu *pc);
void syscall_gate_probe(void);	/* BSP, once, before any other ring 3 */
long syscall_dispatch(long nr, long a0, long a1, long a2);
/*
 * How ring 3 enters ring 0, chosen at boot by what the CPU does
 * (syscall_gate_probe): SYSCALL where it reaches CPL 0, else a call to the
 * UD2 gate (entry.S). Both keep every register but RAX, RCX and R11.
 */
enum syscall_gate {
	SYSCALL_GATE_SYSCALL = 0,
	SYSCALL_GATE_UD2,
};
extern enum syscall_gate syscall_gate;
extern const char syscall_ud2_insn[];
const char *syscall_gate_name(void);
bool syscall_gate_fault(struct irq_frame *f);
static inline long syscall3(long nr, long a0, long a1, long a2)
{
	long ret;

	if (__builtin_expect(syscall_gate == SYSCALL_GATE_SYSCALL, 1))
		__asm__ volatile("syscall" : "=a"(ret)
				 : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
	else
		__asm__ volatile("call syscall_ud2_gate" : "=a"(ret)
				 : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
	return ret;
}

/*
 * Code that runs in ring 3, gathered in .text.user. Every RAM page is user
 * accessible (paging.c), so this marks intent and keeps such functions out
 * of line; it is not an isolation boundary.
 */
#define __user_text __attribute__((noinline, section(".text.user")))

/* Self-tests, collected from the .guest_tests section. */
struct guest_test {
	const char *name;
	void (*run)(void);		/* BSP */
	void (*ap_run)(void);		/* APs; NULL: APs idle */
};
#define GUEST_TEST(tname, fn, apfn)						\
	static const struct guest_test __test_##fn				\
	__attribute__((used, section(".guest_tests"), aligned(8))) = { tname, fn, apfn }

#endif
