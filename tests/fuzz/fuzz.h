/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - what the device model's fuzz harnesses share: the input read as
 * a program of bytes (an exhausted input reads zeros), a finding (print,
 * abort, so that libFuzzer keeps the input), and the double-fetch check
 * (fetch.c) that every guest-memory read of the model reports to.
 */
#ifndef VIRQLAB_FUZZ_H
#define VIRQLAB_FUZZ_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct input {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t u8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint16_t u16(struct input *in)
{
	return u8(in) | (uint16_t)u8(in) << 8;
}

static inline uint32_t u32(struct input *in)
{
	return u16(in) | (uint32_t)u16(in) << 16;
}

static inline uint64_t u64(struct input *in)
{
	return u32(in) | (uint64_t)u32(in) << 32;
}

/* A broken invariant: named on stderr, then abort() (libFuzzer keeps the input). */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* One call into the device begins: a field fetched twice from here on is a finding. */
void fuzz_fetch_begin(void);

/*
 * What every harness's irq_raise checks and answers: it is called with the
 * device's lock held (the device's ownership rule) and on the handle its
 * irq_route gave (GIVEN); while the input makes interrupts fail (FAILS, as
 * KVM_SIGNAL_MSI can) it returns false with errno EAGAIN, else counts one.
 */
static inline bool fuzz_irq_raise(pthread_mutex_t *lock, int handle, int given, bool fails,
				  uint64_t *irqs)
{
	if (pthread_mutex_trylock(lock) != EBUSY)
		fuzz_fail("irq_raise called without the device lock");
	if (handle != given)
		fuzz_fail("interrupt raised on a handle irq_route never gave");
	if (fails) {
		errno = EAGAIN;
		return false;
	}
	(*irqs)++;
	return true;
}

#endif
