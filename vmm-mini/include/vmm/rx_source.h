/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rx_source.h - the real side of the receive device: a UDP socket read with
 * io_uring straight into guest buffers, on its own thread. Each io_uring
 * completion is the "device interrupt" that vmm-mini intercepts.
 */
#ifndef VMM_RX_SOURCE_H
#define VMM_RX_SOURCE_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>

struct vm;

struct rx_source {
	struct vm *vm;
	struct sockaddr_in addr;
	int sock;
	pthread_t thread;
	bool started;
	uint64_t count;		/* stop after this many packets are accounted for */
	double duration_s;	/* or after this long receiving (0: no limit) */
	double idle_s;		/* count mode: give up on the tail after this much quiet */
	/* CLOCK_MONOTONIC; first_ns: the first datagram's arrival in the socket
	 * (kernel stamp), last_ns: the last completion; the receive window */
	uint64_t ready_ns, first_ns, last_ns, end_ns;
	bool tail_lost;		/* count mode ended by the idle timer */
	uint64_t next_seq;	/* the device's, as of the last completion (rx_batch) */
	const char *sender_stats;	/* udpgen --stats FILE: what the generator sent */
	int rcvbuf;		/* SO_RCVBUF bytes (0: 8 MiB, forced if root may) */
	/*
	 * --windows K (a Linux guest): K receive windows in one boot, each
	 * reported as a run of its own into FILE.I (I = the window, 1..K) of
	 * --stats, --latency-log and --sender-stats; 0: one run, plain FILE.
	 */
	unsigned int windows, window;
	unsigned int windows_failed;	/* windows before the last whose accounting failed */
	const char *stats, *latency_log;	/* --stats, --latency-log (NULL: none) */
};

/* BASE, or BASE.I for the current window I with --windows, in BUF; NULL if BASE is. */
const char *rx_window_path(const struct rx_source *src, const char *base, char *buf, size_t n);

/* Parses "udp:ADDR:PORT"; false on a malformed spec. */
bool rx_source_parse(struct rx_source *src, const char *spec);
void rx_source_open(struct rx_source *src);
void rx_source_start(struct rx_source *src, struct vm *vm);
void rx_source_join(struct rx_source *src);

#endif
