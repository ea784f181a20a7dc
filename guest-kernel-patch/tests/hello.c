// SPDX-License-Identifier: GPL-2.0
/* hello.c - sanity: every vCPU came up and the console reaches the host. */
#include "kernel/kernel.h"

static void hello(void)
{
	while (READ_ONCE(cpus_online) < boot_info->nr_vcpus)
		pause();
	printf("hello from vCPU %u of %u (APIC ID %u, TSC %lu kHz)\n", this_cpu()->cpu,
	       boot_info->nr_vcpus, this_cpu()->apic_id, boot_info->tsc_khz);
}
GUEST_TEST("hello", hello, NULL);
