// SPDX-License-Identifier: GPL-2.0
/*
 * err.c - one stderr line per message, "prog: what: why" (err.h), shared by
 * every host program. The line is formatted first and written with one
 * call, so that lines from two threads (a vCPU, the receive thread) do not
 * interleave mid-line.
 */
#include <stdio.h>
#include <stdlib.h>

#include "vmm/err.h"

FILE *err_stream;

static void put_line(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(err_stream ? err_stream : stderr, "%s: %s%s\n", prog_name, prefix, msg);
}

void pr_errv(const char *fmt, va_list ap)
{
	put_line("", fmt, ap);
}

noreturn void die_code(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line("", fmt, ap);
	va_end(ap);
	fflush(stdout);
	exit(code);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line("", fmt, ap);
	va_end(ap);
}

void pr_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line("", fmt, ap);
	va_end(ap);
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_line("warning: ", fmt, ap);
	va_end(ap);
}
