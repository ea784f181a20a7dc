// SPDX-License-Identifier: GPL-2.0
/*
 * printf.c - a small vsnprintf and the console. A line leaves the guest in
 * one REP OUTSB (one exit) rather than one exit per byte: on nested PVM an
 * exit costs ~10 us, and ring 0 itself runs emulated.
 */
#include "kernel/kernel.h"

/* Holder's vCPU index + 1, or 0: one vCPU's output at a time. */
static uint32_t console_owner;

static void put(char *buf, size_t size, size_t *n, char c)
{
	if (*n + 1 < size)
		buf[*n] = c;
	(*n)++;
}

static void put_num(char *buf, size_t size, size_t *n, uint64_t v, int base, bool neg,
		    int width, char pad)
{
	char tmp[24];
	int i = 0;

	do {
		tmp[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[i++] = '-';
	while (width-- > i)
		put(buf, size, n, pad);
	while (i)
		put(buf, size, n, tmp[--i]);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	size_t n = 0;

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			put(buf, size, &n, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			put_num(buf, size, &n, u, 10, s < 0, width, pad);
			break;
		case 'u':
		case 'x':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_num(buf, size, &n, u, *fmt == 'u' ? 10 : 16, false, width, pad);
			break;
		case 'p':
			put(buf, size, &n, '0');
			put(buf, size, &n, 'x');
			put_num(buf, size, &n, (uint64_t)va_arg(ap, void *), 16, false, width, pad);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			if (!str)
				str = "(null)";
			while (*str)
				put(buf, size, &n, *str++);
			break;
		}
		case 'c':
			put(buf, size, &n, (char)va_arg(ap, int));
			break;
		case '%':
			put(buf, size, &n, '%');
			break;
		default:
			put(buf, size, &n, '%');
			put(buf, size, &n, *fmt);
			if (!*fmt)
				fmt--;
		}
	}
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * A vCPU that faults while holding the lock (and so prints its exception
 * under QEMU) must not wait for itself: it writes through.
 */
void console_write(const char *s, size_t n)
{
	uint32_t me = this_cpu()->cpu + 1, free = 0;

	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == me) {
		outsb(VIRQLAB_PORT_CONSOLE, s, n);
		return;
	}
	while (!__atomic_compare_exchange_n(&console_owner, &free, me, false, __ATOMIC_ACQUIRE,
					    __ATOMIC_RELAXED)) {
		free = 0;
		pause();
	}
	outsb(VIRQLAB_PORT_CONSOLE, s, n);
	__atomic_store_n(&console_owner, 0, __ATOMIC_RELEASE);
}

int printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
	return n;
}
