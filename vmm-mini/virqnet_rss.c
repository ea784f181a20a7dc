// SPDX-License-Identifier: GPL-2.0
/*
 * virqnet_rss.c - which receive queue a datagram goes to: receive-side
 * scaling as a NIC does it. The Toeplitz hash of the UDP 4-tuple (source
 * address, destination address, source port, destination port, in network
 * byte order: Microsoft's "RSS hashing types", NDIS_HASH_UDP_IPV4) with a
 * fixed key, then an indirection table of 128 entries filled round-robin
 * with the queues, indexed by the hash's low 7 bits.
 *
 * Why Toeplitz and not something simpler: it is what the NICs and virtio-net
 * (VIRTIO_NET_F_RSS, virtio 1.2, "Hash calculation for incoming packets")
 * specify, so a given set of flows spreads as a real NIC with this key
 * would spread it; a weaker hash could make the benchmark's flows land more
 * evenly than hardware would. Being linear over GF(2), it also spreads 16
 * flows from ports P..P+15 (P a multiple of 16) 8 and 8 over two queues
 * whenever it does not put them all on one (tests/kvm/rx-multiqueue.t). The key is the one Microsoft's RSS documentation and
 * most NIC drivers use by default ("Verifying the RSS hash calculation"
 * gives the test vectors tests/host/unit.c checks), fixed so that a run is
 * repeatable: with udpgen --sport, the same flows land on the same queues.
 */
#include <stdint.h>
#include <string.h>

#include "vmm/virqnet_dev.h"

static const uint8_t rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

#define RSS_TABLE_SIZE	128

/*
 * For every set bit of the input, from the most significant, XOR in the 32
 * key bits that start at that bit's position.
 */
uint32_t virqnet_toeplitz(const uint8_t *in, unsigned int len)
{
	uint32_t hash = 0, window = (uint32_t)rss_key[0] << 24 | rss_key[1] << 16 |
				    rss_key[2] << 8 | rss_key[3];

	for (unsigned int i = 0; i < len; i++) {
		for (int b = 7; b >= 0; b--) {
			if (in[i] & (1u << b))
				hash ^= window;
			window <<= 1;
			if (i + 4 < sizeof(rss_key) && rss_key[i + 4] & (1u << b))
				window |= 1;
		}
	}
	return hash;
}

/* Addresses and ports in network byte order, as the socket gives them. */
uint32_t virqnet_rss_hash(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport)
{
	uint8_t in[12];

	memcpy(in, &saddr, 4);
	memcpy(in + 4, &daddr, 4);
	memcpy(in + 8, &sport, 2);
	memcpy(in + 10, &dport, 2);
	return virqnet_toeplitz(in, sizeof(in));
}

unsigned int virqnet_rss_queue(uint32_t hash, unsigned int nr_queues)
{
	/* The indirection table's entry i holds queue i % nr_queues. */
	return (hash % RSS_TABLE_SIZE) % nr_queues;
}
