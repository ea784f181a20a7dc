// SPDX-License-Identifier: GPL-2.0
/*
 * tsc.c - the one-clock relation latency figures rest on: the guest TSC is
 * the host TSC plus KVM's offset. Each round reads the TSC and hands it to
 * the host, which checks it lies between its stamps around the exit.
 */
#include "kernel/kernel.h"

static void tsc(void)
{
	uint64_t rounds = 100;

	arg_u64("rounds", &rounds);
	for (uint64_t i = 0; i < rounds; i++) {
		GUEST_SYNC(SYNC_TSC, rdtsc());
		if (this_cpu()->uc.args[5] == 2)
			GUEST_SKIP("KVM does not report the TSC offset (KVM_VCPU_TSC_OFFSET)");
		GUEST_ASSERT_EQ(this_cpu()->uc.args[5], 1);
	}
	printf("tsc: %lu rounds: guest TSC = host TSC + KVM offset\n", rounds);
}
GUEST_TEST("tsc", tsc, NULL);
