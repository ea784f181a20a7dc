/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tap.h - the one TAP 13 header for C tests, in the spirit of kselftest.h.
 * Exit-code contract: 0 pass, 4 skip, anything else fail; but a TAP file run
 * by prove says a skip in TAP ("ok N # SKIP reason") and exits 0, since prove
 * fails any non-zero exit (tests/lib/tap.sh has the why).
 */
#ifndef VIRQLAB_TAP_H
#define VIRQLAB_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

static inline void tap_plan(int n)
{
	printf("TAP version 13\n1..%d\n", n);
}

#define tap_ok(cond, ...)						\
	do {								\
		tap_n++;						\
		if (!(cond))						\
			tap_failed++;					\
		printf("%sok %d - ", (cond) ? "" : "not ", tap_n);	\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		if (!(cond))						\
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} while (0)

/* Equality of two integers, with both values shown on failure. */
#define tap_eq(a, b, ...)						\
	do {								\
		uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);	\
		tap_ok(_a == _b, __VA_ARGS__);				\
		if (_a != _b)						\
			printf("#   expected %" PRIu64 ", got %" PRIu64 "\n", _b, _a); \
	} while (0)

static inline int tap_done(void)
{
	return tap_failed ? 1 : 0;
}

#endif
