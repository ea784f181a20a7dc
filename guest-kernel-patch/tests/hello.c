// SPDX-License-Identifier: GPL-2.0
/* hello.c - sanity: every vCPU came up and the console reaches the host. */
#include "kernel/kernel.h"

static volatile uint32_t said_hello;

static void say_hello(void)
{
	struct percpu *pc = this_cpu();

	printf("hello from vCPU %u (APIC ID %u, %s, %s)\n", pc->cpu, pc->apic_id,
	       apic_is_x2apic() ? "x2APIC" : "xAPIC",
	       guest_vmm == VIRQLAB_VMM_QEMU ? "QEMU" : "vmm-mini");
	__atomic_fetch_add(&said_hello, 1, __ATOMIC_SEQ_CST);
}

static void hello(void)
{
	say_hello();
	/* APs print on their own; their progress raises no interrupt here. */
	while (READ_ONCE(said_hello) < boot_info->nr_vcpus)
		pause();
}
GUEST_TEST("hello", hello, say_hello);
