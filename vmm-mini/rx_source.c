// SPDX-License-Identifier: GPL-2.0
/*
 * rx_source.c - the device thread: receive datagrams from a real UDP socket
 * with io_uring directly into the guest's buffers (the device's DMA), with
 * kernel receive timestamps (SO_TIMESTAMPNS) and the socket's drop counter
 * (SO_RXQ_OVFL), and hand each one to the virqnet device model. This file
 * is only the io_uring work: which buffer a receive lands in, what the
 * datagram was, where it goes and every count about it are the device
 * model's (virqnet.c), which lends buffers and takes each completion whole.
 *
 * Up to RX_QD receives are queued, each holding one guest buffer, but they
 * form one chain (IOSQE_IO_LINK): io_uring issues a link only when the one
 * before it has completed, so exactly one receive is armed on the socket at
 * any time and datagrams complete in the order the socket queued them, as
 * one NIC receive queue delivers. Several independent receives on one
 * socket do not: io_uring's async poll is not exclusive for recvmsg, so
 * every datagram wakes all armed receives, all but one retry and re-arm
 * with -EAGAIN, and after APOLL_MAX_RETRY (128, io_uring/poll.c) re-arms a
 * request is punted to io-wq, where it blocks in recvmsg in a worker
 * thread. Workers on other CPUs dequeue and post their completions in no
 * fixed order. Measured on two real CPUs (nested PVM, 100,000 datagrams
 * at 10,000 pps): 24.7 poll arms and 0.14 io-wq punts per datagram, 24
 * iou-wrk threads, 101 completed out of order; chained, 0.8 poll arms, no
 * punt, none out of order.
 *
 * When no guest buffer is free the device behaves like a NIC without
 * descriptors: one scratch receive (a chain of its own) keeps the wire
 * drained and counts the drop, so the socket queue does not overflow for
 * reasons that are the guest's; if buffers came back while it waited, its
 * datagram is copied into one and delivered, not dropped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <liburing.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "uapi/virqlab_payload.h"
#include "vmm/clock.h"
#include "vmm/kvm.h"
#include "vmm/rx_source.h"
#include "vmm/rx_stats.h"
#include "vmm/usdt.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

#define RX_QD		32
#define SCRATCH_SIZE	(VIRQLAB_PAYLOAD_MAX + 64)
#define RX_WINDOW_REPORT_S 30	/* --windows: the guest reports a window within this */

struct rx_req {
	struct msghdr msg;
	struct iovec iov;
	struct sockaddr_in from;	/* the sender: half of the 4-tuple RSS hashes */
	union {
		char buf[CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(uint32_t)) + 64];
		struct cmsghdr align;
	} ctrl;
	bool busy;
	struct rx_buf buf;		/* lent by the device, or the scratch area */
	uint8_t scratch[SCRATCH_SIZE];
};

bool rx_source_parse(struct rx_source *src, const char *spec)
{
	char host[64];
	const char *colon;
	uint64_t port;

	if (strncmp(spec, "udp:", 4))
		return false;
	spec += 4;
	colon = strrchr(spec, ':');
	if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host))
		return false;
	memcpy(host, spec, colon - spec);
	host[colon - spec] = '\0';
	if (!parse_u64(colon + 1, 1, 65535, &port))
		return false;
	memset(&src->addr, 0, sizeof(src->addr));
	src->addr.sin_family = AF_INET;
	src->addr.sin_port = htons(port);
	return inet_pton(AF_INET, host, &src->addr.sin_addr) == 1;
}

void rx_source_open(struct rx_source *src)
{
	int one = 1, rcvbuf = src->rcvbuf ? src->rcvbuf : 8 << 20;

	src->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (src->sock < 0)
		die("socket: %s", strerror(errno));
	/* Root may exceed rmem_max; a plain user gets what the sysctl allows. */
	if (setsockopt(src->sock, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(src->sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(src->sock, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
		die("setsockopt SO_TIMESTAMPNS: %s", strerror(errno));
	if (setsockopt(src->sock, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0)
		die("setsockopt SO_RXQ_OVFL: %s", strerror(errno));
	if (bind(src->sock, (struct sockaddr *)&src->addr, sizeof(src->addr)) < 0) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &src->addr.sin_addr, a, sizeof(a));
		die("bind udp:%s:%u: %s", a, ntohs(src->addr.sin_port), strerror(errno));
	}
}

static struct io_uring_sqe *post_recv(struct io_uring *ring, struct rx_source *src,
				      struct rx_req *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe)
		return NULL;
	r->iov.iov_base = r->buf.data;
	r->iov.iov_len = r->buf.cap;
	memset(&r->msg, 0, sizeof(r->msg));
	r->msg.msg_name = &r->from;
	r->msg.msg_namelen = sizeof(r->from);
	r->msg.msg_iov = &r->iov;
	r->msg.msg_iovlen = 1;
	r->msg.msg_control = r->ctrl.buf;
	r->msg.msg_controllen = sizeof(r->ctrl.buf);
	/* MSG_TRUNC: the result is the real datagram length, so oversize shows. */
	io_uring_prep_recvmsg(sqe, src->sock, &r->msg, MSG_TRUNC);
	io_uring_sqe_set_data(sqe, r);
	r->busy = true;
	return sqe;
}

/*
 * The socket's drop count (sk_drops) as the kernel holds it now. SO_RXQ_OVFL
 * only reports it on a datagram that was queued after the drop, so drops after
 * the last queued one reach us only this way (SO_MEMINFO, socket(7)).
 */
static void read_sock_drops(struct rx_source *src, struct virqnet *dev)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	if (getsockopt(src->sock, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0])) {
		pr_warn("getsockopt SO_MEMINFO: %s: sock_overflow from SO_RXQ_OVFL only",
			strerror(errno));
		return;
	}
	virqnet_sock_drops(dev, mem[SK_MEMINFO_DROPS]);
}

/* Kernel receive timestamp and socket drop counter from the control data. */
static void parse_cmsgs(struct rx_req *r, struct rx_done *d)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(&r->msg); c; c = CMSG_NXTHDR(&r->msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
			struct timespec ts;

			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			d->rx_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
		} else if (c->cmsg_type == SO_RXQ_OVFL && c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
			uint32_t drops;

			memcpy(&drops, CMSG_DATA(c), sizeof(drops));
			d->sock_drops = drops;
		}
	}
}

/* A completion, handed to the device whole; the request is free again. */
static void complete(struct rx_source *src, struct virqnet *dev, struct rx_req *r, int res,
		     struct rx_batch *batch)
{
	struct rx_done d = { .buf = r->buf, .res = res, .sock_drops = -1 };
	uint64_t arrived;

	r->busy = false;
	if (res >= 0) {
		parse_cmsgs(r, &d);
		/* The 4-tuple: the sender's address and port, and ours (the bound socket). */
		d.rss_hash = virqnet_rss_hash(r->from.sin_addr.s_addr, src->addr.sin_addr.s_addr,
					      r->from.sin_port, src->addr.sin_port);
		src->last_ns = now_ns();
		arrived = src->last_ns;
		/*
		 * The receive window opens when the first datagram reached the
		 * socket (its kernel stamp), not when this thread got to it: a
		 * stall here (a loaded host, the driver not up yet) leaves
		 * datagrams waiting in the socket, and a window opened at their
		 * late completion made delivered_pps exceed what was sent
		 * (96,343 pps of 80,000 sent, results/baseline/pvm). The stamp is
		 * CLOCK_REALTIME: its age carries it onto this CLOCK_MONOTONIC.
		 */
		if (d.rx_ns) {
			struct timespec ts;
			uint64_t rt;

			clock_gettime(CLOCK_REALTIME, &ts);
			rt = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
			if (rt > d.rx_ns && rt - d.rx_ns < arrived)
				arrived -= rt - d.rx_ns;
		}
		if (!src->first_ns || arrived < src->first_ns)
			src->first_ns = arrived;
	}
	virqnet_rx_complete(dev, &d, batch);
}

/*
 * Once the chain in flight has ended, queue the next: every free guest
 * buffer (up to RX_QD), else one scratch receive. The chain is what keeps
 * datagrams in order (see the top of this file). A link that fails (not
 * with -EAGAIN: for that io_uring arms poll and stays on the same link)
 * ends the chain with -ECANCELED for the rest, whose buffers go back.
 */
static void refill(struct io_uring *ring, struct rx_source *src, struct virqnet *dev,
		   struct rx_req *reqs)
{
	struct io_uring_sqe *prev = NULL, *sqe;

	for (int i = 0; i < RX_QD; i++)
		if (reqs[i].busy)
			return;
	for (int i = 0; i < RX_QD; i++) {
		struct rx_req *r = &reqs[i];

		if (!virqnet_rx_buffer(dev, &r->buf)) {
			if (prev)
				break;
			r->buf.data = r->scratch;
			r->buf.cap = SCRATCH_SIZE;
		}
		sqe = post_recv(ring, src, r);
		if (!sqe) {
			virqnet_rx_cancel(dev, &r->buf);
			break;
		}
		if (prev)
			prev->flags |= IOSQE_IO_LINK;
		prev = sqe;
		if (!r->buf.guest)
			break;
	}
}

static bool receiving_done(struct rx_source *src, struct virqnet *dev)
{
	uint64_t now = now_ns();

	if (atomic_load(&src->vm->stopping))
		return true;
	if (src->count && src->next_seq >= src->count)
		return true;
	if (src->duration_s > 0 && now - src->ready_ns >= src->duration_s * 1e9)
		return true;
	if (src->count && src->first_ns && now - src->last_ns >= src->idle_s * 1e9) {
		src->tail_lost = true;
		return true;
	}
	return false;
}

/*
 * One receive window: from the driver's ready to the mode's finish (the
 * tiny guest's stop request, virtio's link-down), its KVM statistics
 * snapshotted at both ends (rx_stats.c).
 */
static void receive_window(struct rx_source *src, struct rx_req *reqs)
{
	struct vm *vm = src->vm;
	struct virqnet *dev = vm->virqnet;
	struct __kernel_timespec tick = { 0, 1000000 };
	struct clock_anchor anchor;
	struct io_uring ring;
	bool announced = false;
	uint64_t drain_deadline, next_seq, published;
	int err;

	src->first_ns = src->last_ns = src->end_ns = 0;
	src->tail_lost = false;
	src->next_seq = 0;
	err = io_uring_queue_init(RX_QD * 2, &ring, 0);
	if (err < 0)
		die("io_uring_queue_init: %s", strerror(-err));
	src->ready_ns = now_ns();

	while (!receiving_done(src, dev)) {
		struct io_uring_cqe *cqe;
		unsigned int head, n = 0;
		struct rx_batch batch;
		uint64_t due;

		if (!announced && virqnet_ready(dev)) {
			char a[INET_ADDRSTRLEN], win[40] = "";

			inet_ntop(AF_INET, &src->addr.sin_addr, a, sizeof(a));
			/* "virqnet: ready" is what runners wait for; a window names itself. */
			if (src->windows)
				snprintf(win, sizeof(win), " window %u of %u,", src->window,
					 src->windows);
			pr_info("virqnet: ready,%s receiving on udp:%s:%u (mode %s)", win, a,
				ntohs(src->addr.sin_port), dev->ops->name);
			rx_stats_snapshot(vm, 0);
			usdt1(run_start, dev->ops - virqnet_modes);
			src->ready_ns = now_ns();
			announced = true;
		}
		clock_anchor_take(&anchor, vm->tsc_khz);
		virqnet_reclaim(dev, &anchor);
		/* Until the driver is up, datagrams wait in the socket, not lost. */
		if (announced)
			refill(&ring, src, dev, reqs);
		/* Wake for a moderated interrupt that falls due within the tick. */
		due = virqnet_tick(dev, false);
		tick = (struct __kernel_timespec){ 0, due < 1000000 ? (long long)due : 1000000 };
		err = io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &tick, NULL);
		if (err < 0 && err != -ETIME && err != -EINTR && err != -EAGAIN)
			die("io_uring_submit_and_wait_timeout: %s", strerror(-err));
		batch = (struct rx_batch){ .next_seq = src->next_seq };
		io_uring_for_each_cqe(&ring, head, cqe) {
			complete(src, dev, io_uring_cqe_get_data(cqe), cqe->res, &batch);
			n++;
		}
		io_uring_cq_advance(&ring, n);
		src->next_seq = batch.next_seq;
		/* Per batch of completions, not per packet: tracing must stay cheap. */
		if (batch.arrivals)
			usdt2(rx_batch, batch.arrivals, batch.suppressed);
		virqnet_tick(dev, false);
	}
	read_sock_drops(src, dev);
	/* A moderated interrupt still waiting covers the last arrivals. */
	virqnet_tick(dev, true);
	src->end_ns = src->last_ns ? src->last_ns : now_ns();
	io_uring_queue_exit(&ring);	/* cancels the receives still posted */
	for (int i = 0; i < RX_QD; i++)
		if (reqs[i].busy) {
			virqnet_rx_cancel(dev, &reqs[i].buf);
			reqs[i].busy = false;
		}

	/* Let the guest take what was published, then ask it to report. */
	drain_deadline = now_ns() + 10ull * 1000000000;
	while (!atomic_load(&vm->stopping) && !virqnet_drained(dev) && now_ns() < drain_deadline) {
		clock_anchor_take(&anchor, vm->tsc_khz);
		virqnet_reclaim(dev, &anchor);
		usleep(200);
	}
	if (!atomic_load(&vm->stopping) && !virqnet_drained(dev))
		virqnet_report_stuck(vm, dev, &anchor);
	rx_stats_snapshot(vm, 1);
	virqnet_progress(dev, NULL, NULL, &next_seq, &published);
	usdt2(run_stop, next_seq, published);
	clock_anchor_take(&anchor, vm->tsc_khz);
	virqnet_reclaim(dev, &anchor);
	virqnet_finish(dev);
}

/*
 * --windows, between two windows: wait for the guest's receiver to say the
 * window's counts are all in (linux_rx.c), collecting its last latency log
 * entries meanwhile. False if the VM ended or the guest never said so.
 */
static bool window_reported(struct rx_source *src)
{
	struct vm *vm = src->vm;
	uint64_t deadline = now_ns() + RX_WINDOW_REPORT_S * 1000000000ull;
	struct clock_anchor anchor;

	while (virqnet_windows_reported(vm->virqnet) < src->window) {
		if (atomic_load(&vm->stopping))
			return false;
		if (now_ns() >= deadline) {
			pr_err("virqnet: window %u of %u: the guest's receiver did not report its "
			       "counts within %d s of the link going down", src->window,
			       src->windows, RX_WINDOW_REPORT_S);
			vm_finish(vm, VMM_EXIT_GUEST_FAIL);
			return false;
		}
		usleep(500);
		clock_anchor_take(&anchor, vm->tsc_khz);
		virqnet_reclaim(vm->virqnet, &anchor);
	}
	clock_anchor_take(&anchor, vm->tsc_khz);
	virqnet_reclaim(vm->virqnet, &anchor);
	return true;
}

static void *rx_thread(void *arg)
{
	struct rx_source *src = arg;
	struct vm *vm = src->vm;
	struct virqnet *dev = vm->virqnet;
	unsigned int last = src->windows ? src->windows : 1;
	struct clock_anchor anchor;
	struct rx_req *reqs;

	reqs = calloc(RX_QD, sizeof(*reqs));
	if (!reqs)
		die("out of memory for receive requests");
	/*
	 * Windows 1..K-1 are reported here, each as it closes (rx_stats.c); the
	 * last one, or the one the VM ended in, by main once the vCPUs stopped,
	 * as a run without --windows is.
	 */
	for (src->window = 1;; src->window++) {
		receive_window(src, reqs);
		if (src->window == last || atomic_load(&vm->stopping) || !window_reported(src))
			break;
		if (!rx_stats_window(vm, src))
			src->windows_failed++;
		virqnet_reopen(dev);
	}
	free(reqs);
	/* The guest's last log entries land as it finishes; collect them too. */
	while (!atomic_load(&vm->stopping)) {
		usleep(500);
		clock_anchor_take(&anchor, vm->tsc_khz);
		virqnet_reclaim(dev, &anchor);
	}
	clock_anchor_take(&anchor, vm->tsc_khz);
	virqnet_reclaim(dev, &anchor);
	return NULL;
}

void rx_source_start(struct rx_source *src, struct vm *vm)
{
	pthread_attr_t attr, *pin;
	int err;

	src->vm = vm;
	pin = thread_attr_pinned(&attr, vm->cfg.rx_cpu);
	err = pthread_create(&src->thread, pin, rx_thread, src);
	if (pin)
		pthread_attr_destroy(pin);
	if (err)
		die("pthread_create for the receive thread: %s", strerror(err));
	src->started = true;
}

void rx_source_join(struct rx_source *src)
{
	if (src->started)
		pthread_join(src->thread, NULL);
	close(src->sock);
}
