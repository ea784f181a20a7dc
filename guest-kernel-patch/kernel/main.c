// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - bring each vCPU up and run the self-test the host asked for.
 *
 * The BSP checks the boot info (keeping its own copy: the host's page is
 * neither trusted nor needed afterwards), builds the page tables and the IDT,
 * and releases the APs; then every vCPU loads those tables, its GDT/TSS, the
 * IDT, its APIC and the SYSCALL MSRs. The BSP runs the test's main function
 * and reports DONE when it returns; APs run the test's AP function, if any,
 * and otherwise idle with interrupts on.
 */
#include "kernel/kernel.h"

_Static_assert(MAX_CPUS == VIRQLAB_MAX_VCPUS, "a stack block for every vCPU vmm-mini allows");
_Static_assert(sizeof(struct cpu_stacks) == CPU_STACKS_SIZE, "layout.h: CPU_STACKS_SIZE");
_Static_assert(offsetof(struct cpu_stacks, kernel) == STACKS_KERNEL, "layout.h: STACKS_KERNEL");
_Static_assert(offsetof(struct cpu_stacks, user) == STACKS_USER, "layout.h: STACKS_USER");
_Static_assert(offsetof(struct percpu, self) == PCPU_SELF, "layout.h: PCPU_SELF");
_Static_assert(offsetof(struct percpu, ksave_rsp) == PCPU_KSAVE_RSP, "layout.h: PCPU_KSAVE_RSP");
_Static_assert(offsetof(struct percpu, user_rsp) == PCPU_USER_RSP, "layout.h: PCPU_USER_RSP");
_Static_assert(offsetof(struct percpu, kernel_stack) == PCPU_KERNEL_STACK,
	       "layout.h: PCPU_KERNEL_STACK");
_Static_assert(offsetof(struct percpu, user_stack) == PCPU_USER_STACK,
	       "layout.h: PCPU_USER_STACK");

struct percpu percpu[MAX_CPUS];
const struct virqlab_boot_info *boot_info;
uint32_t guest_vmm;
volatile uint32_t cpus_online;
static struct virqlab_boot_info boot_info_copy;
static volatile uint32_t bsp_ready, gate_ready;

extern const struct guest_test __start_guest_tests[], __stop_guest_tests[];

static const struct guest_test *find_test(const char *name)
{
	for (const struct guest_test *t = __start_guest_tests; t < __stop_guest_tests; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* GS reaches this vCPU's data from here on: ucall (and so failing) works. */
void percpu_init(uint32_t cpu)
{
	struct percpu *pc = &percpu[cpu];

	pc->self = pc;
	pc->cpu = cpu;
	pc->kernel_stack = (uint64_t)cpu_stacks[cpu].kernel + STACK_SIZE;
	pc->user_stack = (uint64_t)cpu_stacks[cpu].user + STACK_SIZE;
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
}

static void check_boot_info(const struct virqlab_boot_info *bi)
{
	if (bi->magic != VIRQLAB_BOOT_MAGIC)
		GUEST_FAIL("boot info magic 0x%lx, expected 0x%llx", bi->magic,
			   VIRQLAB_BOOT_MAGIC);
	if (bi->abi_version != VIRQLAB_ABI_VERSION)
		GUEST_FAIL("boot info ABI version %u, this guest speaks %u", bi->abi_version,
			   VIRQLAB_ABI_VERSION);
	if (bi->vmm != guest_vmm)
		GUEST_FAIL("boot info says VMM %u, but we were entered as VMM %u", bi->vmm,
			   guest_vmm);
	if (bi->nr_vcpus == 0 || bi->nr_vcpus > MAX_CPUS)
		GUEST_FAIL("%u vCPUs: this guest supports 1 to %d", bi->nr_vcpus, MAX_CPUS);
	if (bi->mem_bytes < 2 * HUGE_PAGE_SIZE || bi->mem_bytes > VIRQLAB_RAM_MAX)
		GUEST_FAIL("boot info mem_bytes 0x%lx outside [4 MiB, 3 GiB]", bi->mem_bytes);
	if (strnlen(bi->test, sizeof(bi->test)) == sizeof(bi->test) ||
	    strnlen(bi->mode, sizeof(bi->mode)) == sizeof(bi->mode) ||
	    strnlen(bi->args, sizeof(bi->args)) == sizeof(bi->args))
		GUEST_FAIL("boot info strings are not NUL-terminated");
}

void kmain(const struct virqlab_boot_info *bi, uint64_t cpu, uint32_t vmm)
{
	const struct guest_test *t;
	struct percpu *pc;

	percpu_init(cpu);
	pc = this_cpu();
	if (cpu == 0) {
		guest_vmm = vmm;
		check_boot_info(bi);
		boot_info_copy = *bi;
		boot_info = &boot_info_copy;
		paging_init(boot_info->mem_bytes);
		idt_init();
		apic_detect();
		WRITE_ONCE(bsp_ready, 1);
	} else {
		/* A short wait for the BSP, not worth an interrupt. */
		while (!READ_ONCE(bsp_ready))
			pause();
	}
	paging_load();
	gdt_init(pc);
	idt_load();
	apic_init();
	pc->apic_id = apic_id();
	user_init(pc);
	if (cpu == 0) {
		syscall_gate_probe();
		WRITE_ONCE(gate_ready, 1);
	} else {
		while (!READ_ONCE(gate_ready))
			pause();
	}
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_SEQ_CST);
	/* vmm-mini started every vCPU at once; QEMU leaves the APs to us. */
	if (cpu == 0 && guest_vmm == VIRQLAB_VMM_QEMU)
		boot_info_copy.nr_vcpus = smp_start_aps();

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

/* From _start (head.S): the ABI header is C-only, so the constant is set here. */
void vmm_mini_main(const struct virqlab_boot_info *bi, uint64_t cpu)
{
	kmain(bi, cpu, VIRQLAB_VMM_MINI);
}
