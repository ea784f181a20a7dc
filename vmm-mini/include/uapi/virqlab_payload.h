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
	uint32_t flow;		/* random per generator run (stale packets are not ours); the low
				 * VIRQLAB_FLOW_BITS bits name the flow within the run */
	uint64_t seq;		/* 0, 1, 2, ... per flow */
	uint64_t send_ns;	/* sender's CLOCK_REALTIME just before sendmsg */
	uint32_t len;		/* whole datagram length, header included */
	uint32_t csum;		/* virqlab_csum() over the datagram with csum = 0 */
};

_Static_assert(sizeof(struct virqlab_payload) == 32, "payload header is 32 bytes");

/*
 * Several flows (udpgen --flows F): one generator run sends F flows, flow k
 * from its own source port with its own sequence 0, 1, 2, ..., and
 * its flow id is the run's with the low bits replaced by (run + k) mod 16, so
 * flow 0 is the run's id itself and a one-flow run is the same packets as
 * before. A receiver takes a packet as its run's when the high bits agree,
 * and judges order and gaps per flow (virqlab_flow_index). A NIC keeps order
 * only within a queue, so order across flows is not checked anywhere.
 */
#define VIRQLAB_FLOW_BITS	4
#define VIRQLAB_MAX_FLOWS	(1u << VIRQLAB_FLOW_BITS)

static inline uint32_t virqlab_flow_run(uint32_t flow)
{
	return flow & ~(VIRQLAB_MAX_FLOWS - 1);
}

static inline uint32_t virqlab_flow_index(uint32_t flow)
{
	return flow & (VIRQLAB_MAX_FLOWS - 1);
}

static inline uint32_t virqlab_flow_id(uint32_t run_flow, uint32_t k)
{
	return virqlab_flow_run(run_flow) | ((run_flow + k) & (VIRQLAB_MAX_FLOWS - 1));
}

/*
 * The key a consumption-log entry names its packet by (uapi/virqnet.h,
 * struct virqnet_lat_entry): the sequence number with the flow index in the
 * top bits, since two flows carry the same sequence numbers.
 */
static inline uint64_t virqlab_seq_key(uint32_t flow, uint64_t seq)
{
	return seq | (uint64_t)virqlab_flow_index(flow) << 56;
}

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
