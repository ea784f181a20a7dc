/* SPDX-License-Identifier: GPL-2.0 */
/*
 * err.h - the one error helper of every virqlab host program (vmm-mini,
 * udpgen, udprecv, virqstat): one stderr line, "prog: what: why", where
 * prog is prog_name (each program defines it) and "what: why" is the
 * caller's, e.g. "udpgen: --rate 'x': expected packets per second" or
 * "vmm-mini: KVM_CREATE_VM: Cannot allocate memory". die_code() then exits
 * with the code given (the contract in util.h), flushing stdout first.
 */
#ifndef VMM_ERR_H
#define VMM_ERR_H

#include <stdarg.h>
#include <stdio.h>
#include <stdnoreturn.h>

extern const char *prog_name;
/* Where the lines go: stderr (NULL), or a stream of the caller's (the fuzz harness's sink). */
extern FILE *err_stream;

noreturn void die_code(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define die(...)	die_code(3, __VA_ARGS__)	/* host or system error */
#define die_usage(...)	die_code(2, __VA_ARGS__)	/* bad flag, value or input */
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_errv(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
