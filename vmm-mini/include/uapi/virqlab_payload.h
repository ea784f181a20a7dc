/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virqlab_payload.h - the UDP payload every virqlab packet carries, shared by
 * the generator (udpgen), vmm-mini (arrival accounting: sequence gaps) and
 * the guest (exactly-once verification: order, duplicates, integrity).
 *
 * Little-endian, packed to 32 bytes, at the start of every datagram; the rest
 * of the datagram is filler whose byte i is (uint8_t)(seq + i), so that a
 * corrupted body is caught even if the checksum were skipped.
 */
#ifndef VIRQLAB_PAYLOAD_H
#define VIRQLAB_PAYLOAD_H

#include <stdint.h>

#define VIRQLAB_PAYLOAD_MAGIC	0x4b505156u	/* "VQPK" */
#define VIRQLAB_PAYLOAD_MIN	64		/* smallest datagram udpgen sends */
#define VIRQLAB_PAYLOAD_MAX	9000

struct virqlab_payload {
	uint32_t magic;
	uint32_t flow;		/* random per generator run: stale packets are not ours */
	uint64_t seq;		/* 0, 1, 2, ... per flow */
	uint64_t send_ns;	/* sender's CLOCK_REALTIME just before sendmsg */
	uint32_t len;		/* whole datagram length, header included */
	uint32_t csum;		/* virqlab_csum() over the datagram with csum = 0 */
};

_Static_assert(sizeof(struct virqlab_payload) == 32, "payload header is 32 bytes");

/*
 * FNV-1a, 32-bit: byte-at-a-time, no tables, identical in the freestanding
 * guest and on the host. Not cryptographic: it catches corruption, not forgery.
 * The csum field itself is hashed as zero.
 */
static inline uint32_t virqlab_csum(const void *buf, uint32_t len)
{
	const uint8_t *p = (const uint8_t *)buf;
	uint32_t h = 2166136261u;

	for (uint32_t i = 0; i < len; i++) {
		uint8_t b = (i >= 28 && i < 32) ? 0 : p[i];

		h = (h ^ b) * 16777619u;
	}
	return h;
}

static inline uint8_t virqlab_fill_byte(uint64_t seq, uint32_t i)
{
	return (uint8_t)(seq + i);
}

#endif /* VIRQLAB_PAYLOAD_H */
