/* SPDX-License-Identifier: GPL-2.0 */
/*
 * util.h - the one exit-code contract, fatal errors and checked syscalls.
 *
 * Every virqlab program and test shares these exit codes. Fatal host errors
 * go through die(); usage errors through die_usage(). Both print exactly one
 * line on stderr prefixed with the program name (err.h).
 */
#ifndef VMM_UTIL_H
#define VMM_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "vmm/err.h"

enum vmm_exit {
	VMM_EXIT_OK = 0,		/* guest finished and passed */
	VMM_EXIT_GUEST_FAIL = 1,	/* guest reported failure */
	VMM_EXIT_USAGE = 2,		/* bad flag, value or guest image */
	VMM_EXIT_HOST = 3,		/* host/KVM error, unexpected exit */
	VMM_EXIT_SKIP = 4,		/* guest cannot run the test here */
	VMM_EXIT_INTERRUPTED = 130,	/* SIGINT/SIGTERM */
	VMM_EXIT_TIMEOUT = 124,		/* --timeout expired */
};

_Static_assert(VMM_EXIT_HOST == 3 && VMM_EXIT_USAGE == 2, "die() and die_usage() in err.h");

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))


/* kvm_ioctl()'s failure (kvm.h): "NAME: strerror(errno)", exit 3. */
noreturn void kvm_ioctl_fail(const char *name);

/* Strict number parsing for CLI values: whole string, range-checked. */
bool parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
bool parse_double(const char *s, double min, double max, double *out);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

uint64_t now_ns(void);	/* CLOCK_MONOTONIC */

/*
 * Thread attributes that pin a new thread to host CPU cpu from its first
 * instruction (cpu < 0: no attributes, run anywhere). thread_cpu_ok() says
 * whether this process may run there at all, for the command line to check.
 */
bool thread_cpu_ok(long cpu);
pthread_attr_t *thread_attr_pinned(pthread_attr_t *attr, int cpu);
void sort_u64(uint64_t *v, uint64_t n);
uint64_t percentile_u64(const uint64_t *sorted, uint64_t n, double p);

#endif
