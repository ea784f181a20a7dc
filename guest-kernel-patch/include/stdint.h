/* SPDX-License-Identifier: GPL-2.0 */
/* stdint.h - the freestanding guest's fixed-width types (x86-64 LP64). */
#ifndef _GUEST_STDINT_H
#define _GUEST_STDINT_H

typedef signed char int8_t;
typedef short int16_t;
typedef int int32_t;
typedef long int64_t;
typedef unsigned char uint8_t;
typedef unsigned short uint16_t;
typedef unsigned int uint32_t;
typedef unsigned long uint64_t;
typedef unsigned long uintptr_t;
typedef long intptr_t;

#define UINT32_MAX 0xffffffffu
#define UINT64_MAX 0xffffffffffffffffull

#endif
