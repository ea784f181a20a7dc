// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - bring each vCPU up (GDT/TSS, IDT, x2APIC, SYSCALL), check the
 * boot info, and run the self-test the host asked for: the BSP runs its
 * main function, APs run the test's AP function or idle.
 */
#include "kernel/kernel.h"

struct percpu percpu[MAX_CPUS];
struct virqlab_boot_info *boot_info;
volatile uint32_t cpus_online;
static volatile uint32_t bsp_ready;
uint8_t boot_stacks[MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));

extern const struct guest_test __start_guest_tests[], __stop_guest_tests[];

static const struct guest_test *find_test(const char *name)
{
	for (const struct guest_test *t = __start_guest_tests; t < __stop_guest_tests; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

void kmain(struct virqlab_boot_info *bi, uint64_t cpu)
{
	struct percpu *pc = &percpu[cpu];
	const struct guest_test *t;

	pc->self = pc;
	pc->cpu = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
	if (cpu == 0) {
		boot_info = bi;
		if (bi->magic != VIRQLAB_BOOT_MAGIC || bi->abi_version != VIRQLAB_ABI_VERSION)
			GUEST_FAIL("boot info magic 0x%lx ABI %u, expected ABI %u", bi->magic,
				   bi->abi_version, VIRQLAB_ABI_VERSION);
		if (bi->nr_vcpus > MAX_CPUS)
			GUEST_FAIL("%u vCPUs: this guest supports at most %d", bi->nr_vcpus,
				   MAX_CPUS);
		idt_init();
		WRITE_ONCE(bsp_ready, 1);
	} else {
		while (!READ_ONCE(bsp_ready))
			pause();
	}
	gdt_init(pc);
	idt_load();
	apic_init();
	pc->apic_id = apic_id();
	user_init(pc);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_SEQ_CST);

	t = find_test(boot_info->test);
	if (cpu != 0) {
		if (t && t->ap_run)
			t->ap_run();
		for (;;)
			safe_halt();
	}
	if (!t)
		GUEST_FAIL("unknown test '%s'", boot_info->test);
	t->run();
	GUEST_DONE();
}
