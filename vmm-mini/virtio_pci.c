// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_pci.c - the virtio 1.x PCI transport (virtio 1.2, 4.1 "Virtio Over
 * PCI Bus") of vmm-mini's virtio devices: the configuration header and the
 * vendor-specific capabilities that locate the common, notify, ISR and
 * device structures in BAR0 (4.1.4), the PCI configuration access
 * capability (4.1.4.9, which a device MUST present), the common
 * configuration's feature negotiation, status and queue setup (4.1.4.3,
 * 3.1 "Device Initialization"), and MSI-X (4.1.5.1.2; PCI 3.0, 6.8.2) with
 * its table and pending bits in BAR1, delivered through KVM's MSI routing
 * and an irqfd per (APIC ID, vector).
 *
 * Non-transitional only: a driver that does not accept VIRTIO_F_VERSION_1,
 * or accepts a feature that was not offered, does not get FEATURES_OK
 * (3.1.1). Every access the specification forbids is a counted guest
 * error; none stops the VM.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/util.h"
#include "vmm/virqnet_dev.h"
#include "vmm/virtio.h"

#define CAP_MSIX	0x40
#define CAP_COMMON	0x50
#define CAP_NOTIFY	0x60
#define CAP_ISR		0x78
#define CAP_DEVICE	0x88
#define CAP_PCI_CFG	0x98	/* struct virtio_pci_cap, then pci_cfg_data[4] */
#define PCI_CFG_DATA	(CAP_PCI_CFG + 16)
#define MSIX_CTRL_ENABLE	(1u << 15)
#define MSIX_CTRL_MASKALL	(1u << 14)
#define MSIX_ENTRY_MASKED	1u

void virtio_pci_error(struct virtio_pci *vp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(vp->err, sizeof(vp->err), fmt, ap);
	va_end(ap);
	vp->ops->guest_error(vp->dev, vp->err);
}

bool virtio_pci_negotiated(const struct virtio_pci *vp, int bit)
{
	return (vp->status & VIRTIO_STATUS_FEATURES_OK) && (vp->driver_features & VIRTIO_BIT(bit));
}

bool virtio_pci_live(const struct virtio_pci *vp)
{
	return (vp->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(vp->status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED));
}

/*
 * The host's handle (an irqfd) for an MSI-X message, if it is one this VM
 * can take: fixed or
 * lowest-priority delivery, physical destination, edge (SDM Vol. 3A
 * 11.11.1-2: the address 0xfee<dest>000, the data's vector). At most
 * ARRAY_SIZE(routes) distinct ones, so a guest rewriting its table cannot
 * use up KVM's GSI routes.
 */
static int msix_handle(struct virtio_pci *vp, const struct msix_entry *e)
{
	uint32_t dest = e->addr_lo >> 12 & 0xff, vec = e->data & 0xff;

	if (e->addr_hi || (e->addr_lo & 0xfff00000u) != 0xfee00000u || (e->addr_lo & 0xc) ||
	    (e->data >> 8 & 7) > 1 || (e->data & 0x8000) || vec < 32 || dest >= vp->host->nr_vcpus) {
		virtio_pci_error(vp, "MSI-X message address 0x%x:%08x data 0x%x is not a fixed, "
				 "physical, edge interrupt to a vCPU of this VM", e->addr_hi,
				 e->addr_lo, e->data);
		return -1;
	}
	for (unsigned int i = 0; i < vp->nr_routes; i++)
		if (vp->routes[i].apic_id == dest && vp->routes[i].vector == vec)
			return vp->routes[i].handle;
	if (vp->nr_routes == ARRAY_SIZE(vp->routes)) {
		virtio_pci_error(vp, "more than %zu distinct MSI-X messages", ARRAY_SIZE(vp->routes));
		return -1;
	}
	vp->routes[vp->nr_routes].apic_id = dest;
	vp->routes[vp->nr_routes].vector = vec;
	vp->routes[vp->nr_routes].handle = vp->host->irq_route(vp->host->ctx, dest, vec);
	return vp->routes[vp->nr_routes++].handle;
}

static bool msix_send(struct virtio_pci *vp, uint16_t vector)
{
	int h = msix_handle(vp, &vp->msix[vector]);

	if (h < 0)
		return false;
	if (!vp->host->irq_raise(vp->host->ctx, h)) {
		/*
		 * Counted, the first printed: each interrupt the guest makes the
		 * device send can fail the same way, and one line each would let
		 * it fill the host's log without bound.
		 */
		if (!vp->irq_failures++)
			pr_warn("virtio: MSI-X vector %u: irqfd: %s (further failures counted, "
				"not printed)", vector, strerror(errno));
		return false;
	}
	return true;
}

/*
 * PCI 3.0, 6.8.2.9: a masked vector's message is held as a pending bit
 * and sent when it is unmasked. With MSI-X off there is nothing to send
 * on: vmm-mini has no INTx.
 */
bool virtio_pci_msix(struct virtio_pci *vp, uint16_t vector)
{
	if (vector >= VIRTIO_MSIX_VECTORS || !vp->msix_enabled)
		return false;
	if (vp->msix_masked || (vp->msix[vector].ctrl & MSIX_ENTRY_MASKED)) {
		vp->pba |= 1ull << vector;
		return false;
	}
	return msix_send(vp, vector);
}

static void msix_unmasked(struct virtio_pci *vp)
{
	for (uint16_t v = 0; v < VIRTIO_MSIX_VECTORS; v++)
		if ((vp->pba & (1ull << v)) && vp->msix_enabled && !vp->msix_masked &&
		    !(vp->msix[v].ctrl & MSIX_ENTRY_MASKED)) {
			vp->pba &= ~(1ull << v);
			msix_send(vp, v);
		}
}

/* 4.1.4.5.1: the ISR's configuration bit, and the configuration vector. */
void virtio_pci_config_changed(struct virtio_pci *vp)
{
	vp->cfg_gen++;
	vp->isr |= VIRTIO_ISR_CONFIG;
	virtio_pci_msix(vp, vp->config_vector);
}

/* 2.1.2: set DEVICE_NEEDS_RESET, and tell a live driver. */
void virtio_pci_needs_reset(struct virtio_pci *vp)
{
	bool live = vp->status & VIRTIO_STATUS_DRIVER_OK;

	vp->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (live)
		virtio_pci_config_changed(vp);
}

/* 2.4 Device Reset: everything the driver set up goes; MSI-X is PCI's, it stays. */
static void device_reset(struct virtio_pci *vp)
{
	vp->status = vp->isr = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->driver_features = 0;
	vp->queue_sel = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (int q = 0; q < VIRTIO_NET_NR_QUEUES; q++) {
		virtq_reset(&vp->vq[q]);
		vp->vq[q].size = q < vp->ops->nr_queues ? vp->ops->queue_max : 0;
	}
	vp->ops->reset(vp->dev);
}

/* 3.1.1: bits only ever get added until a reset; FEATURES_OK only if we agree. */
static void write_status(struct virtio_pci *vp, uint8_t v)
{
	uint64_t unknown = vp->driver_features & ~vp->ops->features;

	if (!v) {
		device_reset(vp);
		return;
	}
	if ((vp->status & ~v) & ~VIRTIO_STATUS_NEEDS_RESET) {
		virtio_pci_error(vp, "device status 0x%x clears bits of 0x%x without a reset", v,
				 vp->status);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(vp->status & VIRTIO_STATUS_FEATURES_OK)) {
		if (unknown || !(vp->driver_features & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
			virtio_pci_error(vp, "driver features 0x%llx: %s; FEATURES_OK refused",
					 (unsigned long long)vp->driver_features,
					 unknown ? "bits that were not offered" :
					 "no VIRTIO_F_VERSION_1 (this device is modern only)");
			v &= ~VIRTIO_STATUS_FEATURES_OK;
		}
	}
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_pci_error(vp, "DRIVER_OK without FEATURES_OK");
		v &= ~VIRTIO_STATUS_DRIVER_OK;
	}
	v |= vp->status & VIRTIO_STATUS_NEEDS_RESET;
	vp->status = v;
}

static struct virtq *selected_vq(struct virtio_pci *vp)
{
	return vp->queue_sel < vp->ops->nr_queues ? &vp->vq[vp->queue_sel] : NULL;
}

static uint16_t checked_vector(struct virtio_pci *vp, uint32_t v)
{
	/* 4.1.5.1.2: a vector the device cannot map reads back as NO_VECTOR. */
	return v < VIRTIO_MSIX_VECTORS ? v : VIRTIO_MSI_NO_VECTOR;
}

/* The width of each common field (4.1.3.1: natural accesses only). */
static uint32_t common_width(uint32_t off)
{
	if (off < VIRTIO_COMMON_MSIX)
		return 4;
	if (off == VIRTIO_COMMON_STATUS || off == VIRTIO_COMMON_CFGGEN)
		return 1;
	if (off < VIRTIO_COMMON_Q_DESCLO)
		return 2;
	return off < VIRTIO_COMMON_SIZE ? 4 : 0;
}

static uint32_t common_read(struct virtio_pci *vp, uint32_t off)
{
	struct virtq *vq = selected_vq(vp);

	switch (off) {
	case VIRTIO_COMMON_DFSELECT:	return vp->dfselect;
	case VIRTIO_COMMON_DF:
		return vp->dfselect < 2 ? (uint32_t)(vp->ops->features >> (32 * vp->dfselect)) : 0;
	case VIRTIO_COMMON_GFSELECT:	return vp->gfselect;
	case VIRTIO_COMMON_GF:
		return vp->gfselect < 2 ? (uint32_t)(vp->driver_features >> (32 * vp->gfselect)) : 0;
	case VIRTIO_COMMON_MSIX:	return vp->config_vector;
	case VIRTIO_COMMON_NUMQ:	return vp->ops->nr_queues;
	case VIRTIO_COMMON_STATUS:	return vp->status;
	case VIRTIO_COMMON_CFGGEN:	return vp->cfg_gen;
	case VIRTIO_COMMON_Q_SELECT:	return vp->queue_sel;
	case VIRTIO_COMMON_Q_NOFF:	return vp->queue_sel;
	}
	if (!vq)
		return 0;	/* 4.1.4.3.1: an absent queue reads queue_size 0 */
	switch (off) {
	case VIRTIO_COMMON_Q_SIZE:	return vq->size;
	case VIRTIO_COMMON_Q_MSIX:	return vq->msix_vector;
	case VIRTIO_COMMON_Q_ENABLE:	return vq->enabled;
	case VIRTIO_COMMON_Q_DESCLO:	return (uint32_t)vq->desc_gpa;
	case VIRTIO_COMMON_Q_DESCHI:	return vq->desc_gpa >> 32;
	case VIRTIO_COMMON_Q_AVAILLO:	return (uint32_t)vq->avail_gpa;
	case VIRTIO_COMMON_Q_AVAILHI:	return vq->avail_gpa >> 32;
	case VIRTIO_COMMON_Q_USEDLO:	return (uint32_t)vq->used_gpa;
	case VIRTIO_COMMON_Q_USEDHI:	return vq->used_gpa >> 32;
	}
	return 0;
}

static void set_half(uint64_t *r, bool hi, uint32_t v)
{
	*r = hi ? (*r & 0xffffffffull) | (uint64_t)v << 32 : (*r & ~0xffffffffull) | v;
}

static void common_write(struct virtio_pci *vp, uint32_t off, uint32_t v)
{
	struct virtq *vq = selected_vq(vp);

	switch (off) {
	case VIRTIO_COMMON_DFSELECT:	vp->dfselect = v; return;
	case VIRTIO_COMMON_GFSELECT:	vp->gfselect = v; return;
	case VIRTIO_COMMON_GF:
		if (vp->status & VIRTIO_STATUS_FEATURES_OK)
			virtio_pci_error(vp, "driver features written after FEATURES_OK");
		else if (vp->gfselect < 2)
			set_half(&vp->driver_features, vp->gfselect, v);
		else if (v)
			virtio_pci_error(vp, "driver feature word %u: 0x%x, beyond any offered",
					 vp->gfselect, v);
		return;
	case VIRTIO_COMMON_MSIX:	vp->config_vector = checked_vector(vp, v); return;
	case VIRTIO_COMMON_STATUS:	write_status(vp, v); return;
	case VIRTIO_COMMON_Q_SELECT:	vp->queue_sel = v; return;
	case VIRTIO_COMMON_DF: case VIRTIO_COMMON_NUMQ: case VIRTIO_COMMON_CFGGEN:
	case VIRTIO_COMMON_Q_NOFF:
		virtio_pci_error(vp, "write 0x%x to read-only common register 0x%x", v, off);
		return;
	}
	if (!vq) {
		virtio_pci_error(vp, "common register 0x%x written for absent queue %u", off,
				 vp->queue_sel);
		return;
	}
	if (vq->enabled) {
		virtio_pci_error(vp, "queue %u register 0x%x written while enabled", vp->queue_sel,
				 off);
		return;
	}
	switch (off) {
	case VIRTIO_COMMON_Q_SIZE:	vq->size = v; break;
	case VIRTIO_COMMON_Q_MSIX:	vq->msix_vector = checked_vector(vp, v); break;
	case VIRTIO_COMMON_Q_DESCLO: case VIRTIO_COMMON_Q_DESCHI:
		set_half(&vq->desc_gpa, off == VIRTIO_COMMON_Q_DESCHI, v);
		break;
	case VIRTIO_COMMON_Q_AVAILLO: case VIRTIO_COMMON_Q_AVAILHI:
		set_half(&vq->avail_gpa, off == VIRTIO_COMMON_Q_AVAILHI, v);
		break;
	case VIRTIO_COMMON_Q_USEDLO: case VIRTIO_COMMON_Q_USEDHI:
		set_half(&vq->used_gpa, off == VIRTIO_COMMON_Q_USEDHI, v);
		break;
	case VIRTIO_COMMON_Q_ENABLE:
		/* 4.1.4.3.2: the driver MUST NOT write 0; 1 is checked here. */
		if (v != 1)
			virtio_pci_error(vp, "queue_enable written with %u", v);
		else if (!(vp->status & VIRTIO_STATUS_FEATURES_OK))
			virtio_pci_error(vp, "queue %u enabled before FEATURES_OK", vp->queue_sel);
		else
			virtq_enable(vq, vp);
		break;
	}
}

static bool bar0_io(struct virtio_pci *vp, uint32_t off, uint8_t *data, uint32_t len,
		    bool is_write)
{
	uint32_t v = 0;

	if (is_write)
		memcpy(&v, data, len < 4 ? len : 4);
	if (off < VIRTIO_BAR0_ISR) {
		if (common_width(off) != len && !(len == 8 && off >= VIRTIO_COMMON_Q_DESCLO && !(off & 7))) {
			virtio_pci_error(vp, "%u-byte access at common register 0x%x", len, off);
			goto bad;
		}
		if (len == 8) {	/* one 64-bit access: its two halves, in order */
			uint32_t hi;

			if (is_write) {
				memcpy(&hi, data + 4, 4);
				common_write(vp, off, v);
				common_write(vp, off + 4, hi);
			} else {
				v = common_read(vp, off);
				hi = common_read(vp, off + 4);
				memcpy(data, &v, 4);
				memcpy(data + 4, &hi, 4);
			}
			return true;
		}
		if (is_write)
			common_write(vp, off, v);
		else
			v = common_read(vp, off), memcpy(data, &v, len);
		return true;
	}
	if (off == VIRTIO_BAR0_ISR && len == 1 && !is_write) {
		data[0] = vp->isr;	/* 4.1.4.5: reading clears it */
		vp->isr = 0;
		return true;
	}
	if (off >= VIRTIO_BAR0_DEVICE && off < VIRTIO_BAR0_NOTIFY && !is_write) {
		vp->ops->cfg_read(vp->dev, off - VIRTIO_BAR0_DEVICE, data, len);
		return true;
	}
	if (off >= VIRTIO_BAR0_NOTIFY && is_write && (len == 2 || len == 4) &&
	    !((off - VIRTIO_BAR0_NOTIFY) % VIRTIO_NOTIFY_MULTIPLIER)) {
		uint32_t q = (off - VIRTIO_BAR0_NOTIFY) / VIRTIO_NOTIFY_MULTIPLIER;

		/* 4.1.5.2: without NOTIFICATION_DATA the driver writes the queue index. */
		if (q >= vp->ops->nr_queues || (v & 0xffff) != q)
			virtio_pci_error(vp, "notification 0x%x at queue %u's address", v, q);
		else if (!vp->vq[q].enabled)
			virtio_pci_error(vp, "notification for queue %u, which is not enabled", q);
		else
			vp->ops->notify(vp->dev, q);
		return true;
	}
	virtio_pci_error(vp, "%u-byte %s at BAR0 offset 0x%x", len, is_write ? "write" : "read",
			 off);
bad:
	if (!is_write)
		memset(data, 0xff, len);
	return true;
}

/* PCI 3.0, 6.8.2: the table in dwords; the PBA is read-only. */
static bool bar1_io(struct virtio_pci *vp, uint32_t off, uint8_t *data, uint32_t len,
		    bool is_write)
{
	uint32_t v = 0;

	if (len != 4 || (off & 3)) {
		virtio_pci_error(vp, "%u-byte MSI-X access at offset 0x%x", len, off);
	} else if (off < VIRTIO_MSIX_TABLE + 16 * VIRTIO_MSIX_VECTORS) {
		struct msix_entry *e = &vp->msix[off / 16];
		uint32_t *f = (uint32_t *[]){ &e->addr_lo, &e->addr_hi, &e->data, &e->ctrl }[off / 4 % 4];

		if (!is_write) {
			memcpy(data, f, 4);
			return true;
		}
		memcpy(&v, data, 4);
		*f = f == &e->ctrl ? v & MSIX_ENTRY_MASKED : v;
		if (f == &e->ctrl)
			msix_unmasked(vp);
		return true;
	} else if (off == VIRTIO_MSIX_PBA || off == VIRTIO_MSIX_PBA + 4) {
		if (!is_write) {
			v = vp->pba >> (off == VIRTIO_MSIX_PBA ? 0 : 32);
			memcpy(data, &v, 4);
			return true;
		}
		virtio_pci_error(vp, "write to the MSI-X pending bits");
		return true;
	} else {
		virtio_pci_error(vp, "MSI-X access at undefined offset 0x%x", off);
	}
	if (!is_write)
		memset(data, 0xff, len);
	return true;
}

static bool vp_bar_io(struct pci_dev *pdev, struct vcpu *vcpu, int bar, uint64_t off,
		      uint8_t *data, uint32_t len, bool is_write)
{
	struct virtio_pci *vp = pdev->opaque;
	bool ok;

	pthread_mutex_lock(vp->lock);
	ok = bar == 0 ? bar0_io(vp, off, data, len, is_write) : bar1_io(vp, off, data, len, is_write);
	pthread_mutex_unlock(vp->lock);
	return ok;
}

/* 4.1.4.9: the window onto a BAR through configuration space. */
static bool pci_cfg_window(struct virtio_pci *vp, uint8_t *data, bool is_write)
{
	struct pci_dev *p = &vp->pdev;
	uint32_t bar = p->cfg[CAP_PCI_CFG + 4], off = pci_cfg_get(p, CAP_PCI_CFG + 8, 4);
	uint32_t len = pci_cfg_get(p, CAP_PCI_CFG + 12, 4);

	if ((len != 1 && len != 2 && len != 4) || off % len ||
	    !pci_bar_access(p, NULL, bar, off, data, len, is_write)) {
		pthread_mutex_lock(vp->lock);
		virtio_pci_error(vp, "PCI_CFG window: BAR %u offset 0x%x length %u", bar, off, len);
		pthread_mutex_unlock(vp->lock);
		return false;
	}
	return true;
}

static void vp_cfg_read(struct pci_dev *p, uint32_t off, uint8_t *data, uint32_t len)
{
	if (off == PCI_CFG_DATA && len == 4 && pci_cfg_window(p->opaque, data, false))
		return;
	memcpy(data, &p->cfg[off], len);
}

static void vp_cfg_write(struct pci_dev *p, uint32_t off, uint32_t val, uint32_t len)
{
	struct virtio_pci *vp = p->opaque;
	uint32_t ctrl = pci_cfg_get(p, CAP_MSIX + 2, 2);

	if (off == PCI_CFG_DATA && len == 4) {
		uint8_t d[4];

		memcpy(d, &val, 4);
		pci_cfg_window(vp, d, true);
		return;
	}
	if (off <= CAP_MSIX + 3 && off + len > CAP_MSIX + 2) {
		pthread_mutex_lock(vp->lock);
		vp->msix_enabled = ctrl & MSIX_CTRL_ENABLE;
		vp->msix_masked = ctrl & MSIX_CTRL_MASKALL;
		msix_unmasked(vp);
		pthread_mutex_unlock(vp->lock);
	}
}

static const struct pci_dev_ops vp_pci_ops = {
	.cfg_read = vp_cfg_read,
	.cfg_write = vp_cfg_write,
	.bar_io = vp_bar_io,
};

static void put_cap(struct pci_dev *p, uint32_t at, uint8_t next, uint8_t len, uint8_t type,
		    uint32_t offset, uint32_t length)
{
	pci_cfg_put(p, at, PCI_CAP_ID_VNDR, 1);
	pci_cfg_put(p, at + 1, next, 1);
	pci_cfg_put(p, at + 2, len, 1);
	pci_cfg_put(p, at + 3, type, 1);
	pci_cfg_put(p, at + 4, 0, 1);		/* BAR0 */
	pci_cfg_put(p, at + 8, offset, 4);
	pci_cfg_put(p, at + 12, length, 4);
}

void virtio_pci_init(struct virtio_pci *vp, struct vm *vm, const struct virqnet_host *host,
		     const struct virtio_dev_ops *ops, void *dev, pthread_mutex_t *lock)
{
	struct pci_dev *p = &vp->pdev;

	vp->host = host;
	vp->ops = ops;
	vp->dev = dev;
	vp->lock = lock;
	p->ops = &vp_pci_ops;
	p->opaque = vp;
	pci_cfg_put(p, PCI_VENDOR_ID, VIRTIO_PCI_VENDOR, 2);
	pci_cfg_put(p, PCI_VENDOR_ID + 2, 0x1040 + VIRTIO_ID_NET, 2);
	pci_cfg_put(p, PCI_STATUS, PCI_STATUS_CAP_LIST, 2);
	pci_cfg_put(p, PCI_REVISION, VIRTIO_PCI_REVISION, 1);
	pci_cfg_put(p, PCI_CLASS_PROG, 0x020000, 3);	/* network, Ethernet */
	pci_cfg_put(p, PCI_SUBSYS_VENDOR, VIRTIO_PCI_VENDOR, 2);
	pci_cfg_put(p, PCI_SUBSYS_ID, VIRTIO_PCI_SUBSYS_ID, 2);
	pci_cfg_put(p, PCI_CAP_PTR, CAP_MSIX, 1);
	p->bar_size[0] = VIRTIO_PCI_BAR0_SIZE;
	p->bar_size[1] = VIRTIO_PCI_BAR1_SIZE;
	pci_cfg_put(p, PCI_BAR0, VIRTIO_PCI_BAR0_GPA, 4);
	pci_cfg_put(p, PCI_BAR0 + 4, VIRTIO_PCI_BAR1_GPA, 4);

	/* MSI-X: table size N-1, table and PBA in BAR1; enable and mask-all writable. */
	pci_cfg_put(p, CAP_MSIX, PCI_CAP_ID_MSIX, 1);
	pci_cfg_put(p, CAP_MSIX + 1, CAP_COMMON, 1);
	pci_cfg_put(p, CAP_MSIX + 2, VIRTIO_MSIX_VECTORS - 1, 2);
	pci_cfg_put(p, CAP_MSIX + 4, VIRTIO_MSIX_TABLE | 1, 4);
	pci_cfg_put(p, CAP_MSIX + 8, VIRTIO_MSIX_PBA | 1, 4);
	p->wmask[CAP_MSIX + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;

	put_cap(p, CAP_COMMON, CAP_NOTIFY, 16, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_BAR0_COMMON,
		VIRTIO_COMMON_SIZE);
	put_cap(p, CAP_NOTIFY, CAP_ISR, 20, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_BAR0_NOTIFY,
		VIRTIO_NOTIFY_MULTIPLIER * ops->nr_queues);
	pci_cfg_put(p, CAP_NOTIFY + 16, VIRTIO_NOTIFY_MULTIPLIER, 4);
	put_cap(p, CAP_ISR, CAP_DEVICE, 16, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_BAR0_ISR, 1);
	put_cap(p, CAP_DEVICE, CAP_PCI_CFG, 16, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_BAR0_DEVICE,
		sizeof(struct virtio_net_config));
	put_cap(p, CAP_PCI_CFG, 0, 20, VIRTIO_PCI_CAP_PCI_CFG, 0, 0);
	memset(&p->wmask[CAP_PCI_CFG + 4], 0xff, 1);	/* bar */
	memset(&p->wmask[CAP_PCI_CFG + 8], 0xff, 12);	/* offset, length, pci_cfg_data */

	for (unsigned int v = 0; v < VIRTIO_MSIX_VECTORS; v++)
		vp->msix[v].ctrl = MSIX_ENTRY_MASKED;	/* PCI 3.0, 6.8.2.9: masked at reset */
	pthread_mutex_lock(lock);
	device_reset(vp);
	pthread_mutex_unlock(lock);
	pci__init(vm);
	pci__register(p, VIRTIO_PCI_SLOT);
}
