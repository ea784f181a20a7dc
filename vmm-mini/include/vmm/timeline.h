/* SPDX-License-Identifier: GPL-2.0 */
/*
 * timeline.h - --boot-timeline FILE: host timestamps of vmm-mini's own steps
 * (VM created, image loaded, first vCPU entry, the verdict) and of each
 * guest console line's first byte, so that a boot's cost can be split step
 * by step (scripts/bench-linux-boot.sh). Off, each call is one branch.
 */
#ifndef VMM_TIMELINE_H
#define VMM_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

void timeline_start(void);			/* first thing in main: the zero */
void timeline_open(const char *path);		/* after parsing; exit 2 if unwritable */
void timeline_mark(const char *event, const char *detail);
void timeline_console(const char *line, size_t len, uint64_t first_byte_ns);
void timeline_close(void);
extern int timeline_on;

#endif
