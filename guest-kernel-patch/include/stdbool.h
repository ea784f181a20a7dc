/* SPDX-License-Identifier: GPL-2.0 */
/* stdbool.h - bool for the freestanding guest. */
#ifndef _GUEST_STDBOOL_H
#define _GUEST_STDBOOL_H

#define bool _Bool
#define true 1
#define false 0

#endif
