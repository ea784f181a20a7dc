// SPDX-License-Identifier: GPL-2.0
/*
 * Description: host-side building blocks every figure depends on: strict
 * number parsing, nearest-rank percentiles, the payload checksum shared with
 * the guest, the TSC <-> CLOCK_REALTIME relation that puts guest
 * consumption times and host receive timestamps on one clock, and the RSS
 * hash that picks a datagram's receive queue (the verification vectors of
 * Microsoft's "Verifying the RSS Hash Calculation", IPv4 with ports).
 */
#include <arpa/inet.h>
#include <string.h>
#include <time.h>

#include "../lib/tap.h"
#include "uapi/virqlab_payload.h"
#include "vmm/clock.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

const char *prog_name = "unit";

static uint64_t tsc_khz_estimate(void)
{
	struct timespec a, b;
	uint64_t t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = rdtsc();
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((b.tv_sec - a.tv_sec) * 1000000000ll + (b.tv_nsec - a.tv_nsec) < 200000000);
	t1 = rdtsc();
	return (t1 - t0) * 1000000 /
	       ((b.tv_sec - a.tv_sec) * 1000000000ull + (b.tv_nsec - a.tv_nsec));
}

int main(void)
{
	uint64_t v, sorted[100], khz;
	uint8_t pkt[64];
	struct virqlab_payload h = { .magic = VIRQLAB_PAYLOAD_MAGIC, .seq = 5, .len = 64 };
	struct clock_anchor a;
	struct timespec ts;
	int64_t rt, now;
	uint32_t csum;

	tap_plan(17);
	tap_ok(parse_u64("42", 1, 100, &v) && v == 42, "parse_u64 accepts 42 in 1..100");
	tap_ok(!parse_u64("0", 1, 100, &v), "parse_u64 rejects 0 below the range");
	tap_ok(!parse_u64("abc", 0, 100, &v) && !parse_u64("12x", 0, 100, &v),
	       "parse_u64 rejects non-numbers and trailing junk");
	tap_ok(!parse_u64("-1", 0, UINT64_MAX, &v), "parse_u64 rejects a negative number");

	for (int i = 0; i < 100; i++)
		sorted[i] = 100 - i;
	sort_u64(sorted, 100);
	tap_eq(percentile_u64(sorted, 100, 50), 50, "p50 of 1..100 is 50 (nearest rank)");
	tap_eq(percentile_u64(sorted, 100, 99), 99, "p99 of 1..100 is 99");
	tap_eq(percentile_u64(sorted, 100, 100), 100, "p100 is the maximum");
	tap_eq(percentile_u64(sorted, 0, 50), 0, "a percentile of nothing is 0");

	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, &h, sizeof(h));
	for (int i = 32; i < 64; i++)
		pkt[i] = virqlab_fill_byte(5, i);
	csum = virqlab_csum(pkt, 64);
	memcpy(pkt + 28, &csum, 4);
	tap_eq(virqlab_csum(pkt, 64), csum, "the checksum ignores its own field");
	pkt[40] ^= 1;
	tap_ok(virqlab_csum(pkt, 64) != csum, "one flipped bit changes the checksum");

	/* Source 66.9.149.187:2794 -> destination 161.142.100.80:1766, and two more. */
	tap_eq(virqnet_rss_hash(inet_addr("66.9.149.187"), inet_addr("161.142.100.80"),
				htons(2794), htons(1766)), 0x51ccc178, "Toeplitz: the first RSS vector");
	tap_eq(virqnet_rss_hash(inet_addr("199.92.111.2"), inet_addr("65.69.140.83"),
				htons(14230), htons(4739)), 0xc626b0ea, "Toeplitz: the second RSS vector");
	tap_eq(virqnet_rss_hash(inet_addr("24.19.198.95"), inet_addr("12.22.207.184"),
				htons(12898), htons(38024)), 0x5c2b394a, "Toeplitz: the third RSS vector");
	tap_ok(virqnet_rss_queue(0x51ccc178, 1) == 0 && virqnet_rss_queue(0x51ccc179, 2) == 1 &&
	       virqnet_rss_queue(0x51ccc1ff, 4) == 3, "the indirection table: hash mod 128 mod queues");

	khz = tsc_khz_estimate();
	clock_anchor_take(&a, khz);
	tap_ok(a.window < khz * 1000 / 100000, "anchor brackets clock_gettime within 10 us "
	       "(%" PRIu64 " cycles)", a.window);
	tap_ok(clock_host_tsc_to_realtime(&a, a.tsc) == a.rt_ns,
	       "the anchor's own TSC maps to its own time");
	/* 50 ms later, a fresh TSC must land within 1 ms of the real clock. */
	ts = (struct timespec){ 0, 50000000 };
	nanosleep(&ts, NULL);
	rt = clock_host_tsc_to_realtime(&a, rdtsc());
	clock_gettime(CLOCK_REALTIME, &ts);
	now = ts.tv_sec * 1000000000ll + ts.tv_nsec;
	tap_ok(rt - now < 1000000 && now - rt < 1000000,
	       "TSC 50 ms past the anchor maps within 1 ms of CLOCK_REALTIME (off by %lld ns)",
	       (long long)(rt - now));
	return tap_done();
}
