/* SPDX-License-Identifier: GPL-2.0 */
/* stdarg.h - variadic arguments via the compiler's builtins. */
#ifndef _GUEST_STDARG_H
#define _GUEST_STDARG_H

typedef __builtin_va_list va_list;
#define va_start(ap, last) __builtin_va_start(ap, last)
#define va_arg(ap, type) __builtin_va_arg(ap, type)
#define va_end(ap) __builtin_va_end(ap)

#endif
