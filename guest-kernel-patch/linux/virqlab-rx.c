// SPDX-License-Identifier: GPL-2.0
/*
 * virqlab-rx.c - the receiver of the Linux guest (vmm-mini --kernel
 * --source --mode virtio): a plain program on a UDP socket, fed by Linux's
 * stock virtio_net, that verifies every datagram exactly as the virqlab
 * guest's consumer does (guest-kernel-patch/tests/rx.c: magic, length,
 * checksum, filler, flow; order and duplicates over a window of
 * SEEN_WINDOW sequence numbers), stamps each consumption with the TSC into
 * vmm-mini's latency log, and reports its counts to vmm-mini when the link
 * goes down (the end of a receive window, virtio_net.c). Built static by
 * scripts/linux-guest.mk into the initramfs; never committed as a binary.
 *
 * The channel (uapi/virqlab_abi.h): ioperm(2) on VIRQLAB_PORT_LINUX_REPORT
 * for the counts, and the struct virqnet_lat_log vmm-mini placed at
 * VIRQLAB_LINUX_LATLOG_GPA, mapped from /dev/mem. vmm-mini trusts neither.
 *
 * Windows (vmm-mini --windows K, virqlab.windows=K on the command line):
 * one boot, K receive windows. Each is a run of its own: the link goes
 * down, the counts go out, then LINUX_RX_REPORTED with the window's number;
 * when the link comes up again every check starts afresh (sequence, order,
 * duplicates, the flow, the interrupt base) for the next generator run, as
 * vmm-mini's device starts its accounting afresh (virqnet_window_close).
 * A fresh start rather than a sequence carried across windows: each window
 * is then exactly one single run's checks against its own udpgen record,
 * and every udpgen run has a flow id of its own (random), so a datagram of
 * an earlier window that still arrived would be another flow's (foreign),
 * counted, not folded into this window's order.
 *
 * Usage (from /init): virqlab-rx [PORT [WINDOWS]]  (default 9, the frames'
 * port; 1 window)
 * Exit: 0 reported; 1 setup failed (said on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "uapi/virqlab_abi.h"
#include "uapi/virqlab_payload.h"
#include "uapi/virqnet.h"

#define BATCH		64
#define SEEN_WINDOW	4096

static struct {
	uint32_t flow;
	bool flow_known;
	uint64_t expected, delivered, bytes, out_of_order, duplicate, corrupt, foreign;
} chk;

static uint64_t seen[SEEN_WINDOW / 64];
static unsigned int windows = 1;
static volatile struct virqnet_lat_log *lat;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Mark seq delivered; false if it already was (within the window). */
static bool seen_first(uint64_t seq)
{
	uint64_t *w = &seen[seq / 64 % (SEEN_WINDOW / 64)], bit = 1ull << (seq % 64);

	if (seq < chk.expected) {
		if (chk.expected - seq > SEEN_WINDOW)
			return true;	/* too old to tell: taken as late */
		if (*w & bit)
			return false;
	} else {
		for (uint64_t s = chk.expected; s < seq && s - chk.expected < SEEN_WINDOW; s++)
			seen[s / 64 % (SEEN_WINDOW / 64)] &= ~(1ull << (s % 64));
		chk.expected = seq + 1;	/* a jump is a drop vmm-mini counted */
	}
	*w |= bit;
	return true;
}

static void take(const uint8_t *p, uint32_t len)
{
	struct virqlab_payload h;
	uint32_t head;
	bool late;

	if (len < sizeof(h)) {
		chk.corrupt++;
		return;
	}
	memcpy(&h, p, sizeof(h));
	if (h.magic != VIRQLAB_PAYLOAD_MAGIC || h.len != len || virqlab_csum(p, len) != h.csum) {
		chk.corrupt++;
		return;
	}
	for (uint32_t i = sizeof(h); i < len; i++) {
		if (p[i] != virqlab_fill_byte(h.seq, i)) {
			chk.corrupt++;
			return;
		}
	}
	if (!chk.flow_known) {
		chk.flow = h.flow;
		chk.flow_known = true;
	} else if (h.flow != chk.flow) {
		chk.foreign++;
		return;
	}
	late = h.seq < chk.expected;
	if (!seen_first(h.seq)) {
		chk.duplicate++;
		return;
	}
	chk.out_of_order += late;
	chk.delivered++;
	chk.bytes += len;
	head = lat->head;
	/* The key vmm-mini stamped the arrival under (virqlab_payload.h). */
	lat->ent[head % VIRQNET_LAT_LOG_SIZE].seq = virqlab_seq_key(h.flow, h.seq);
	lat->ent[head % VIRQNET_LAT_LOG_SIZE].tsc = rdtsc();
	__atomic_store_n(&lat->head, head + 1, __ATOMIC_RELEASE);
}

static void report(uint32_t key, uint64_t v)
{
	outl(key, VIRQLAB_PORT_LINUX_REPORT);
	outl((uint32_t)v, VIRQLAB_PORT_LINUX_REPORT + 4);
	outl(v >> 32, VIRQLAB_PORT_LINUX_REPORT + 8);
}

/* Interrupts of the device's receive vector ("virtio0-input.0"), all CPUs. */
static uint64_t rx_irqs(void)
{
	char line[512];
	uint64_t sum = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':'), *end;

		if (!p || !strstr(line, "-input."))
			continue;
		for (p++;; p = end) {
			unsigned long long n = strtoull(p, &end, 10);

			if (end == p)
				break;
			sum += n;
		}
	}
	fclose(f);
	return sum;
}

static bool carrier_up(void)
{
	char c = '1';
	int fd = open("/sys/class/net/eth0/carrier", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '1';
		close(fd);
	}
	return c != '0';
}

static int die(const char *what)
{
	fprintf(stderr, "virqlab-rx: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Between two windows: the link is down until vmm-mini opens the next one. */
static void wait_carrier_up(void)
{
	while (!carrier_up())
		usleep(10000);
}

/* One window: receive until the link goes down, then take what is queued. */
static int receive_window(int fd, uint64_t *sock_drops)
{
	static uint8_t bufs[BATCH][VIRQLAB_PAYLOAD_MAX];
	static char ctl[BATCH][CMSG_SPACE(sizeof(uint32_t))];
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	bool down = false;

	for (;;) {
		int n;

		for (int i = 0; i < BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
			msg[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1,
							  .msg_control = ctl[i],
							  .msg_controllen = sizeof(ctl[i]) };
		}
		/* After the link went down only what is already queued is taken. */
		n = recvmmsg(fd, msg, BATCH, down ? MSG_DONTWAIT : MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				return die("recvmmsg");
			if (down)
				return 0;
			down = !carrier_up();	/* then one more pass, non-blocking */
			continue;
		}
		for (int i = 0; i < n; i++) {
			struct cmsghdr *c;

			if (msg[i].msg_hdr.msg_flags & MSG_TRUNC)
				chk.corrupt++;
			else
				take(bufs[i], msg[i].msg_len);
			for (c = CMSG_FIRSTHDR(&msg[i].msg_hdr); c; c = CMSG_NXTHDR(&msg[i].msg_hdr, c))
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
					uint32_t d;

					memcpy(&d, CMSG_DATA(c), 4);
					*sock_drops = d;	/* the socket's drops so far */
				}
		}
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tmo = { 0, 100000 };
	int fd, mem, one = 1, rcvbuf = 8 << 20;
	uint64_t irqs0, irqs, sock_drops = 0, drops0;
	void *m;

	sa.sin_port = htons(argc > 1 ? atoi(argv[1]) : 9);
	if (argc > 2 && (atoi(argv[2]) < 1 || atoi(argv[2]) > 100000)) {
		fprintf(stderr, "virqlab-rx: %s windows: expected 1..100000\n", argv[2]);
		return 1;
	}
	if (argc > 2)
		windows = atoi(argv[2]);
	if (ioperm(VIRQLAB_PORT_LINUX_REPORT, 12, 1))
		return die("ioperm");
	mem = open("/dev/mem", O_RDWR | O_SYNC);
	if (mem < 0)
		return die("/dev/mem");
	m = mmap(NULL, sizeof(struct virqnet_lat_log), PROT_READ | PROT_WRITE, MAP_SHARED, mem,
		 VIRQLAB_LINUX_LATLOG_GPA);
	if (m == MAP_FAILED)
		return die("mmap of the latency log");
	lat = m;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tmo, sizeof(tmo)))
		return die("setsockopt");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return die("bind");

	for (unsigned int w = 1; w <= windows; w++) {
		char win[32] = "";

		if (w > 1) {
			/* A fresh start for the next generator run (see the top). */
			wait_carrier_up();
			memset(&chk, 0, sizeof(chk));
			memset(seen, 0, sizeof(seen));
			snprintf(win, sizeof(win), "window %u: ", w);
		} else if (windows > 1) {
			snprintf(win, sizeof(win), "window 1: ");
		}
		irqs0 = rx_irqs();
		drops0 = sock_drops;
		if (w == 1)
			printf("virqlab-rx: ready on udp port %u\n", ntohs(sa.sin_port));
		else
			printf("virqlab-rx: %sready\n", win);
		fflush(stdout);
		report(VIRQLAB_LINUX_RX_READY, 0);
		if (receive_window(fd, &sock_drops))
			return 1;
		irqs = rx_irqs() - irqs0;
		report(RX_REPORT_DELIVERED, chk.delivered);
		report(RX_REPORT_BYTES, chk.bytes);
		report(RX_REPORT_OUT_OF_ORDER, chk.out_of_order);
		report(RX_REPORT_DUPLICATE, chk.duplicate);
		report(RX_REPORT_CORRUPT, chk.corrupt);
		report(RX_REPORT_FOREIGN, chk.foreign);
		report(RX_REPORT_IRQS, irqs);
		if (windows > 1)
			report(VIRQLAB_LINUX_RX_REPORTED, w);
		printf("virqlab-rx: %sdelivered %llu bytes %llu out_of_order %llu duplicate %llu "
		       "corrupt %llu foreign %llu irqs %llu socket_drops %llu\n", win,
		       (unsigned long long)chk.delivered, (unsigned long long)chk.bytes,
		       (unsigned long long)chk.out_of_order, (unsigned long long)chk.duplicate,
		       (unsigned long long)chk.corrupt, (unsigned long long)chk.foreign,
		       (unsigned long long)irqs, (unsigned long long)(sock_drops - drops0));
		fflush(stdout);
	}
	return 0;
}
