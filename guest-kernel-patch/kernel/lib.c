// SPDX-License-Identifier: GPL-2.0
/*
 * lib.c - the few C library routines the guest needs (the compiler may
 * emit calls to memset/memcpy itself), and boot-argument lookup.
 */
#include "kernel/kernel.h"

void *memset(void *s, int c, size_t n)
{
	void *d = s;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *r = d;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
	return r;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

size_t strlen(const char *s)
{
	return strnlen(s, (size_t)-1);
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

/* A digit's value, or 99 for anything that is not one. */
static uint64_t digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return 99;
}

/* "key=value" words in boot_info->args; decimal or 0x hex. */
bool arg_u64(const char *key, uint64_t *val)
{
	const char *p = boot_info->args;
	size_t klen = strlen(key);

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			uint64_t v = 0, base = 10;

			p += klen + 1;
			if (p[0] == '0' && p[1] == 'x') {
				base = 16;
				p += 2;
			}
			for (; *p && *p != ' '; p++) {
				uint64_t d = digit(*p);

				if (d >= base)
					GUEST_FAIL("argument %s: bad number", key);
				v = v * base + d;
			}
			*val = v;
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}

/* Shell sort (Ciura's gaps): no recursion, no allocation, fine for 10^4. */
void sort_u64(uint64_t *a, uint64_t n)
{
	static const uint64_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };

	for (unsigned int g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		uint64_t gap = gaps[g];

		for (uint64_t i = gap; i < n; i++) {
			uint64_t v = a[i], j = i;

			for (; j >= gap && a[j - gap] > v; j -= gap)
				a[j] = a[j - gap];
			a[j] = v;
		}
	}
}

/*
 * Nearest-rank percentile of n sorted samples, p in 0..100, 0 if none: the
 * same definition as the host's percentile_u64() (vmm-mini/util.c), in
 * integers because guest code has no FPU.
 */
uint64_t percentile_u64(const uint64_t *sorted, uint64_t n, uint64_t p)
{
	uint64_t rank = (p * n + 99) / 100;

	if (!n)
		return 0;
	if (rank < 1)
		rank = 1;
	return sorted[(rank > n ? n : rank) - 1];
}
