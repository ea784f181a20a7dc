// SPDX-License-Identifier: GPL-2.0
/* assert.c - a guest assert that fails must reach the host with file:line. */
#include "kernel/kernel.h"

static void assert_fails(void)
{
	GUEST_ASSERT_EQ(1 + 1, 3);
}
GUEST_TEST("assert", assert_fails, NULL);
