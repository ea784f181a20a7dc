// SPDX-License-Identifier: GPL-2.0
/*
 * linux_rx.c - the Linux guest's receiver (guest-linux/virqlab-rx.c) as
 * vmm-mini's accounting sees it: --kernel with --source --mode virtio.
 *
 * Linux's stock virtio_net takes the packets off the virtio-net device
 * (virtio_net.c) into a UDP socket; a ring-3 program reads the socket,
 * verifies each datagram as the virqlab guest's consumer does, logs
 * (seq, TSC) into a struct virqnet_lat_log at VIRQLAB_LINUX_LATLOG_GPA and
 * reports its counts on VIRQLAB_PORT_LINUX_REPORT (uapi/virqlab_abi.h).
 * This file plays the tiny guest's firmware and ucall for it: it programs
 * the virqnet latency log itself (the registers' own validation applies)
 * and turns port writes into the same guest reports, so that --stats has
 * the same columns.
 *
 * With --windows K the receiver says when each window's counts are all in
 * (VIRQLAB_LINUX_RX_REPORTED, the window's number), after the link went
 * down, and waits for the link to come up for the next one; every check
 * here applies to each window's reports (the device's counters start
 * afresh per window: virqnet_window_close).
 *
 * The receive window opens when the receiver says its socket is bound
 * (VIRQLAB_LINUX_RX_READY), not when virtio_net sets DRIVER_OK: a datagram
 * published before the socket exists would die in the guest's stack,
 * uncounted, and the boot's exits would land in the per-packet figures.
 *
 * Everything the guest writes is hostile: a report whose count exceeds
 * what the device published (or bytes beyond what those could carry) is a
 * counted guest error and is not stored, so a lying guest cannot make the
 * accounting add up.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "uapi/virqlab_abi.h"
#include "uapi/virqlab_payload.h"
#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/linux_boot.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

static struct {
	pthread_mutex_t lock;
	uint32_t key, lo;
	bool have_key, have_lo;
} rep = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A guest error, counted with the device's own (under its lock). */
static void lrx_error(struct virqnet *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lrx_error(struct virqnet *dev, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&dev->lock);
	virqnet_guest_error(dev, "linux-rx: %s", why);
	pthread_mutex_unlock(&dev->lock);
}

static bool plausible(struct virqnet *dev, uint32_t key, uint64_t v)
{
	uint64_t published;

	virqnet_progress(dev, NULL, NULL, NULL, &published);
	switch (key) {
	case RX_REPORT_BYTES:
		return v <= published * VIRQLAB_PAYLOAD_MAX;
	case RX_REPORT_IRQS:
	case RX_REPORT_DRAIN_PASSES:
		return true;	/* the guest's own view; the device's count is irqs_raised */
	case RX_REPORT_SHADOW_IRQS:
	case RX_REPORT_POLL_UP:
	case RX_REPORT_POLL_DOWN:
		return v == 0;	/* the virqlab guest's alone */
	default:
		return v <= published;
	}
}

static void commit(struct vm *vm, uint32_t key, uint64_t v)
{
	struct virqnet *dev = vm->virqnet;

	if (key == VIRQLAB_LINUX_RX_READY) {
		pthread_mutex_lock(&dev->lock);
		dev->hold_ready = false;
		pthread_mutex_unlock(&dev->lock);
		return;
	}
	/*
	 * --windows: window W's counts are in. Only the window being closed
	 * (its link down) may say so, once: anything else is a guest error,
	 * and the receive thread goes on waiting, then gives up (rx_source.c).
	 */
	if (key == VIRQLAB_LINUX_RX_REPORTED) {
		pthread_mutex_lock(&dev->lock);
		if (v == dev->windows_reported + 1 && dev->stop_requested)
			dev->windows_reported = v;
		else
			virqnet_guest_error(dev, "linux-rx: window %llu reported done while window "
					    "%llu was %s", (unsigned long long)v,
					    (unsigned long long)dev->windows_reported + 1,
					    dev->stop_requested ? "closing" : "open");
		pthread_mutex_unlock(&dev->lock);
		return;
	}
	if (key < RX_REPORT_DELIVERED || key >= RX_REPORT_END) {
		lrx_error(dev, "report key 0x%x is not one", key);
		return;
	}
	if (!plausible(dev, key, v)) {
		lrx_error(dev, "report 0x%x = %llu is more than the device "
			  "published; not taken", key, (unsigned long long)v);
		return;
	}
	virqnet_guest_report(dev, key, v);
}

/* outl(key, +0); outl(lo, +4); outl(hi, +8): any other sequence is refused. */
static bool report_io(struct vcpu *vcpu, uint64_t port, uint8_t *data, uint32_t len,
		      bool is_write, void *opaque)
{
	struct vm *vm = opaque;
	uint32_t off = port - VIRQLAB_PORT_LINUX_REPORT, v;
	bool bad = false, done = false;
	uint32_t key = 0;
	uint64_t value = 0;

	if (!is_write || len != 4) {
		if (!is_write)
			memset(data, 0xff, len);
		lrx_error(vm->virqnet, "%u-byte %s at port 0x%llx", len,
				    is_write ? "write" : "read", (unsigned long long)port);
		return true;
	}
	memcpy(&v, data, 4);
	pthread_mutex_lock(&rep.lock);
	if (off == 0) {
		rep.key = v, rep.have_key = true, rep.have_lo = false;
	} else if (off == 4 && rep.have_key) {
		rep.lo = v, rep.have_lo = true;
	} else if (off == 8 && rep.have_lo) {
		key = rep.key, value = (uint64_t)v << 32 | rep.lo, done = true;
		rep.have_key = rep.have_lo = false;
	} else {
		bad = true;
		rep.have_key = rep.have_lo = false;
	}
	pthread_mutex_unlock(&rep.lock);
	if (bad)
		lrx_error(vm->virqnet, "port 0x%llx written out of sequence",
				    (unsigned long long)port);
	if (done)
		commit(vm, key, value);
	return true;
}

static void reg_write(struct virqnet *dev, uint32_t reg, uint32_t v)
{
	virqnet_mmio_access(dev, reg, (uint8_t *)&v, 4, true);
}

/* After virqnet_init, before any vCPU runs. */
void linux_rx__init(struct vm *vm)
{
	struct virqnet *dev = vm->virqnet;

	dev->hold_ready = true;
	reg_write(dev, VIRQNET_REG_LATLOG_LO, (uint32_t)VIRQLAB_LINUX_LATLOG_GPA);
	reg_write(dev, VIRQNET_REG_LATLOG_HI, VIRQLAB_LINUX_LATLOG_GPA >> 32);
	reg_write(dev, VIRQNET_REG_CTRL, VIRQNET_CTRL_ENABLE);
	if (dev->c.guest_errors)
		die("linux-rx: the latency log at 0x%llx was refused",
		    (unsigned long long)VIRQLAB_LINUX_LATLOG_GPA);
	ioport__register(VIRQLAB_PORT_LINUX_REPORT, 12, report_io, vm, "linux-rx-report");
}
