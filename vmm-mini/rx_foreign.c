// SPDX-License-Identifier: GPL-2.0
/*
 * rx_foreign.c - datagrams without virqlab's payload header (vmm-mini
 * --accept-foreign): traffic from a stock generator (sockperf, iperf3 -u)
 * delivered to the guest like any other, counted apart from virqlab's own
 * and timed, but never judged for order or integrity: they carry no
 * sequence number and no checksum to judge them by.
 *
 * Their latency runs on the same clock as virqlab's: from the host kernel's
 * receive stamp (SO_TIMESTAMPNS, CLOCK_REALTIME: the only clock the kernel
 * stamps a datagram with without SO_TIMESTAMPING's hardware stamps) to the
 * guest consumer's TSC carried onto CLOCK_REALTIME through a fresh anchor
 * (clock.h), so the two sets of figures compare. With no sequence number the
 * pairing is by order: the device numbers the foreign datagrams it publishes,
 * the guest numbers the ones it consumes, and one receive queue (ring,
 * kernel queue, virtqueue) gives them to the guest in the order published.
 * Each log entry also carries the length, checked against the device's own,
 * so an entry that does not pair is refused and counted, never a sample.
 *
 * Everything here runs with dev->lock held (virqnet.c, "Ownership"), but
 * rx_foreign_init, before any thread sees the device. The guest's entries
 * are read once into a copy (reclaim_latency) and only index masked arrays.
 */
#include <stdlib.h>

#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

void rx_foreign_init(struct virqnet *dev, bool accept)
{
	/* A mode without a guest consumer (sink) has nobody to deliver to. */
	dev->accept_foreign = accept && dev->ops->has_driver;
	if (!dev->accept_foreign)
		return;
	dev->foreign_stamps = calloc(FOREIGN_SLOTS, sizeof(*dev->foreign_stamps));
	dev->foreign_lat_ns = malloc((dev->max_lat ? dev->max_lat : 1) * sizeof(uint64_t));
	if (!dev->foreign_stamps || !dev->foreign_lat_ns)
		die("out of memory for foreign receive stamps");
}

/*
 * A foreign datagram went to publish(): ok if it is the guest's now. If not,
 * publish() counted the lost buffer as virqlab's drop_not_ready; it was a
 * foreign one, and virqlab's sent = delivered + dropped must not see it.
 */
void rx_foreign_published(struct virqnet *dev, uint32_t len, uint64_t rx_ns, bool ok)
{
	uint64_t n;

	if (!ok) {
		dev->c.drop_not_ready--;
		dev->c.foreign_dropped++;
		return;
	}
	n = dev->c.foreign_published++;
	dev->foreign_stamps[n % FOREIGN_SLOTS] = (struct rx_foreign_stamp){ n, rx_ns, len };
}

/*
 * One log entry tagged VIRQNET_LAT_FOREIGN (uapi/virqnet.h): the guest
 * consumed its n-th foreign datagram, of length len, at `consumed` (host
 * CLOCK_REALTIME). `now` is when the device read the log: a consumption
 * after it is a clock error, counted with virqlab's (lat_future).
 */
void rx_foreign_sample(struct virqnet *dev, const struct virqnet_lat_entry *e, int64_t consumed,
		       int64_t now)
{
	uint32_t n = (uint32_t)e->seq, len = (uint32_t)(e->seq >> 32) & 0x7fffffff;
	struct rx_foreign_stamp *s;
	int64_t lat;

	if (!dev->foreign_stamps) {
		dev->c.foreign_lat_unpaired++;
		return;
	}
	s = &dev->foreign_stamps[n % FOREIGN_SLOTS];
	if ((uint32_t)s->n != n || s->len != len || !s->rx_ns) {
		dev->c.foreign_lat_unpaired++;
		return;
	}
	lat = consumed - (int64_t)s->rx_ns;
	s->rx_ns = 0;	/* one sample per datagram, even if the guest logs twice */
	if (lat < 0 || lat > 60 * 1000000000ll) {
		dev->c.foreign_lat_unpaired++;
		return;
	}
	if (consumed > now) {
		dev->c.lat_future++;
		if ((uint64_t)(consumed - now) > dev->c.lat_future_max_ns)
			dev->c.lat_future_max_ns = consumed - now;
	}
	if (dev->nr_foreign_lat < dev->max_lat)
		dev->foreign_lat_ns[dev->nr_foreign_lat++] = lat;
}
