// SPDX-License-Identifier: GPL-2.0
/*
 * timeline.c - --boot-timeline FILE. One TSV row per event:
 *
 *   ms (CLOCK_MONOTONIC, from main's first line)  event  detail
 *
 * The first row, "start", carries that zero as CLOCK_REALTIME nanoseconds, so
 * that a caller that stamped its own start (date +%s%N) can place the
 * process's exec and loading before it. Console rows carry the line's text
 * and the time its first byte reached the UART (not the time it was
 * flushed). Rows are written as they happen, from any thread (stdio locks
 * the stream), and reach the file at exit.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vmm/timeline.h"
#include "vmm/util.h"

int timeline_on;
static FILE *tl;
static uint64_t zero_ns, zero_real_ns;

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void timeline_start(void)
{
	zero_ns = now_ns();
	zero_real_ns = realtime_ns();
}

void timeline_open(const char *path)
{
	tl = fopen(path, "w");
	if (!tl)
		die_usage("--boot-timeline %s: cannot write it", path);
	fprintf(tl, "#ms\tevent\tdetail\n0.000\tstart\trealtime_ns=%llu\n",
		(unsigned long long)zero_real_ns);
	timeline_on = 1;
}

static void row(uint64_t ns, const char *event, const char *detail, size_t len)
{
	fprintf(tl, "%.3f\t%s\t%.*s\n", (double)(ns - zero_ns) / 1e6, event, (int)len, detail);
}

void timeline_mark(const char *event, const char *detail)
{
	if (timeline_on)
		row(now_ns(), event, detail ? detail : "", detail ? strlen(detail) : 0);
}

void timeline_console(const char *line, size_t len, uint64_t first_byte_ns)
{
	if (!timeline_on)
		return;
	while (len && line[len - 1] == '\n')
		len--;
	row(first_byte_ns, "console", line, len);
}

void timeline_close(void)
{
	if (!timeline_on)
		return;
	timeline_mark("end", NULL);
	fclose(tl);
	timeline_on = 0;
}
