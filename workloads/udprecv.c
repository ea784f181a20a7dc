// SPDX-License-Identifier: GPL-2.0
/*
 * udprecv.c - a plain host UDP receiver (recvmmsg, no VM): the reference
 * ceiling a guest receive path is compared against, and the peer that
 * tests udpgen. It verifies every virqlab payload exactly as the guest does.
 *
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "uapi/virqlab_payload.h"
#include "virqlab_cli.h"
#include "vmm/err.h"

const char *prog_name = "udprecv";

#define BATCH 64

static const char usage[] =
"Usage: udprecv --port PORT [--count N] [--idle S]\n"
"Receive UDP datagrams on 127.0.0.1:PORT (recvmmsg, no VM) and verify each virqlab\n"
"payload as the guest does; print one line:\n"
"  udprecv: received N (in order N, gaps G, duplicate D, corrupt C) in T s: P pps, F flows\n"
"(order and gaps per flow: udpgen --flows)\n"
"\n"
"  --port PORT   UDP port on 127.0.0.1, 1..65535 (required)\n"
"  --count N     stop after N datagrams (default: until idle)\n"
"  --idle S      stop after S seconds without a datagram (default 2)\n"
"  --version     print \"udprecv (virqlab) REVISION\" and exit\n"
"  -h, --help    this help\n"
"\n"
"Exit: 0 received (whatever arrived), 2 usage error, 3 cannot bind.\n"
"\n"
"Examples:\n"
"  udprecv --port 9000 --count 200000 &\n"
"  udpgen --to 127.0.0.1:9000 --rate 10000 --count 200000\n";


static uint64_t number(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || v < min || v > max) {
		die_usage("%s '%s': expected a whole number from %llu to %llu", opt,
			 s, (unsigned long long)min, (unsigned long long)max);
	}
	return v;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool intact(const uint8_t *p, uint32_t len, struct virqlab_payload *h)
{
	if (len < sizeof(*h))
		return false;
	memcpy(h, p, sizeof(*h));
	if (h->magic != VIRQLAB_PAYLOAD_MAGIC || h->len != len || virqlab_csum(p, len) != h->csum)
		return false;
	for (uint32_t i = sizeof(*h); i < len; i++)
		if (p[i] != virqlab_fill_byte(h->seq, i))
			return false;
	return true;
}

int main(int argc, char **argv)
{
	static uint8_t bufs[BATCH][VIRQLAB_PAYLOAD_MAX];
	uint64_t count = 0, received = 0, in_order = 0, gaps = 0, dup = 0, corrupt = 0;
	/* Order is per flow (udpgen --flows): each has its own sequence. */
	uint64_t next[VIRQLAB_MAX_FLOWS] = { 0 }, flows = 0;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	double idle = 2, first = 0, last = 0;
	int fd, rcvbuf = 8 << 20;
	struct timeval tv;

	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'c' },
		{ "idle", required_argument, NULL, 'i' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	opterr = 0;
	while ((o = cli_getopt(argc, argv, "h", opts)) != -1) {
		switch (o) {
		case 'p':
			a.sin_port = htons(number("--port", optarg, 1, 65535));
			break;
		case 'c':
			count = number("--count", optarg, 1, UINT64_MAX);
			break;
		case 'i': {
			char *end;

			idle = strtod(optarg, &end);
			if (!*optarg || *end || !(idle >= 0.001 && idle <= 3600))
				die_usage("--idle '%s': expected seconds, 0.001..3600",
					 optarg);
			break;
		}
		case 'V':
			cli_version("udprecv");
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			die_usage("%s '%s' (see --help)",
				 optopt ? "option needs a value:" : "unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s' (see --help)", argv[optind]);
	if (!a.sin_port)
		die_usage("--port PORT is required");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	tv = (struct timeval){ (time_t)idle, (suseconds_t)((idle - (time_t)idle) * 1e6) };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("bind port %u: %s", ntohs(a.sin_port), strerror(errno));
	printf("udprecv: listening on 127.0.0.1:%u\n", ntohs(a.sin_port));
	fflush(stdout);
	while (!count || received < count) {
		int n;

		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
			msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			break;	/* idle timeout */
		last = mono();
		if (!first)
			first = last;
		for (int i = 0; i < n; i++) {
			struct virqlab_payload h;

			received++;
			if (!intact(bufs[i], msgs[i].msg_len, &h)) {
				corrupt++;
			} else if (h.seq >= next[virqlab_flow_index(h.flow)]) {
				uint64_t *nx = &next[virqlab_flow_index(h.flow)];

				flows += !*nx;
				gaps += h.seq - *nx;
				*nx = h.seq + 1;
				in_order++;
			} else {
				dup++;
			}
		}
	}
	printf("udprecv: received %llu (in order %llu, gaps %llu, duplicate %llu, corrupt %llu) "
	       "in %.3f s: %.0f pps, %llu flows\n", (unsigned long long)received,
	       (unsigned long long)in_order,
	       (unsigned long long)gaps, (unsigned long long)dup, (unsigned long long)corrupt,
	       last - first, last > first ? received / (last - first) : 0,
	       (unsigned long long)flows);
	return 0;
}
