/* SPDX-License-Identifier: GPL-2.0 */
/* stddef.h - the freestanding guest's size_t, NULL and offsetof. */
#ifndef _GUEST_STDDEF_H
#define _GUEST_STDDEF_H

typedef unsigned long size_t;
typedef long ptrdiff_t;
#define NULL ((void *)0)
#define offsetof(t, m) __builtin_offsetof(t, m)

#endif
