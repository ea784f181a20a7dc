/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel.h - the guest kernel's core interfaces: per-CPU data, the interrupt
 * frame and handler table, the APIC, printf, the ucall channel with its
 * assertion macros, ring 3, and the self-test registry.
 */
#ifndef GUEST_KERNEL_H
#define GUEST_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/x86.h"
#include "uapi/virqlab_abi.h"

#define MAX_CPUS	8
#define STACK_SIZE	16384

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

/* Reached through GS; the first fields are addressed from entry.S. */
struct percpu {
	struct percpu *self;		/* 0 */
	uint64_t ksave_rsp;		/* 8: kernel rsp saved by enter_user */
	uint64_t user_rsp;		/* 16: user rsp during a syscall */
	uint64_t syscall_stack_top;	/* 24 */
	uint32_t cpu;
	uint32_t apic_id;
	struct ucall uc;
	/* Expected-exception fixup (tests that take an exception on purpose). */
	uint64_t expect_vector;
	uint64_t fixup_rip;
	uint64_t caught_vector, caught_error, caught_cr2;
	uint64_t gdt[8];
	struct tss64 tss;
} __attribute__((aligned(64)));

#define PCPU_KSAVE_RSP		8
#define PCPU_USER_RSP		16
#define PCPU_SYSCALL_STACK	24

extern struct percpu percpu[MAX_CPUS];
extern struct virqlab_boot_info *boot_info;
extern volatile uint32_t cpus_online;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* irq.c */
typedef void (*irq_handler_t)(struct irq_frame *f);
void idt_init(void);
void idt_load(void);
void irq_register(uint8_t vector, irq_handler_t fn);
void irq_dispatch(struct irq_frame *f);
const char *exception_name(uint64_t vector);

/* gdt.c */
void gdt_init(struct percpu *pc);

/* apic.c */
void apic_init(void);
void apic_eoi(void);
uint32_t apic_id(void);
void apic_self_ipi(uint8_t vector);
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
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
bool arg_u64(const char *key, uint64_t *val);	/* from boot_info->args */

/* ucall.c */
void ucall(uint32_t cmd, int nargs, ...);
void __attribute__((noreturn)) guest_done(void);
void __attribute__((noreturn, format(printf, 3, 4)))
__guest_fail(const char *file, int line, const char *fmt, ...);
void __attribute__((noreturn, format(printf, 1, 2))) guest_skip(const char *fmt, ...);

#define GUEST_SYNC(...)	ucall(UCALL_SYNC, sizeof((uint64_t[]){ __VA_ARGS__ }) / 8, __VA_ARGS__)
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
				     "%s == %s (0x%lx != 0x%lx)", #a, #b, __a, __b); \
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
long syscall_dispatch(long nr, long a0, long a1, long a2);
static inline long syscall3(long nr, long a0, long a1, long a2)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
	return ret;
}
/* Code and data that ring 3 touches; the whole image is user-mapped. */
#define __user_text __attribute__((noinline))

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
