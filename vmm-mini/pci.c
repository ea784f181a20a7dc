// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - PCI bus 0 for vmm-mini: configuration mechanism #1 (an address
 * register at 0xcf8, a data window at 0xcfc..0xcff; PCI Local Bus 3.0,
 * 3.2.2.3.2) over type-0 headers, and memory BARs decoded anywhere in one
 * hole of the device window (uapi/virtio.h), so that a driver may move a
 * BAR as it pleases, as on real hardware.
 *
 * There is no firmware: vmm-mini assigns the BARs before the guest runs
 * (as kvmtool does) and the guest reads them. Writes follow the write mask
 * each function declares byte by byte, so BAR sizing (write all ones, read
 * back ~(size - 1)) and read-only registers behave as PCI says; accesses to
 * absent functions read all ones and are dropped (master abort).
 *
 * Locking: the bus lock covers the address register and every function's
 * configuration space; a function's own lock nests inside it (its cfg_write
 * hook), never the other way round: BAR decoding copies what it needs under
 * the bus lock and calls the function without it.
 */
#include <pthread.h>
#include <string.h>

#include "uapi/virtio.h"
#include "vmm/kvm.h"
#include "vmm/pci.h"
#include "vmm/util.h"

#define PCI_CONFIG_ADDR	0xcf8
#define PCI_CONFIG_DATA	0xcfc
#define PCI_SLOTS	32

static struct {
	pthread_mutex_t lock;
	uint32_t addr;
	struct pci_dev *slot[PCI_SLOTS];
	bool up;
} bus = { .lock = PTHREAD_MUTEX_INITIALIZER };

uint64_t pci_bar_addr(const struct pci_dev *pdev, int bar)
{
	return pci_cfg_get(pdev, PCI_BAR0 + 4 * bar, 4) & ~0xfull;
}

/* The function the address register selects, or NULL (bus 0, function 0 only). */
static struct pci_dev *selected(uint32_t *off)
{
	uint32_t a = bus.addr;

	if (!(a & 0x80000000u) || (a >> 16 & 0xff) || (a >> 8 & 7))
		return NULL;
	*off = a & 0xfc;
	return bus.slot[a >> 11 & 0x1f];
}

static bool cfg_addr_io(struct vcpu *vcpu, uint64_t port, uint8_t *data, uint32_t len,
			bool is_write, void *opaque)
{
	pthread_mutex_lock(&bus.lock);
	if (len != 4) {
		/* Not a configuration cycle: nothing decodes byte accesses here. */
		if (!is_write)
			memset(data, 0xff, len);
	} else if (is_write) {
		memcpy(&bus.addr, data, 4);
	} else {
		memcpy(data, &bus.addr, 4);
	}
	pthread_mutex_unlock(&bus.lock);
	return true;
}

static bool cfg_data_io(struct vcpu *vcpu, uint64_t port, uint8_t *data, uint32_t len,
			bool is_write, void *opaque)
{
	struct pci_dev *p;
	uint32_t off, v = 0;

	pthread_mutex_lock(&bus.lock);
	p = selected(&off);
	off += port - PCI_CONFIG_DATA;	/* the registry keeps off + len within the dword */
	if (!p) {
		if (!is_write)
			memset(data, 0xff, len);
	} else if (!is_write) {
		if (p->ops->cfg_read)
			p->ops->cfg_read(p, off, data, len);
		else
			memcpy(data, &p->cfg[off], len);
	} else {
		memcpy(&v, data, len);
		for (uint32_t i = 0; i < len; i++) {
			uint8_t m = p->wmask[off + i], b = v >> (8 * i);

			p->cfg[off + i] = (p->cfg[off + i] & ~m) | (b & m);
		}
		if (p->ops->cfg_write)
			p->ops->cfg_write(p, off, v, len);
	}
	pthread_mutex_unlock(&bus.lock);
	return true;
}

bool pci_bar_access(struct pci_dev *pdev, struct vcpu *vcpu, int bar, uint64_t off,
		    uint8_t *data, uint32_t len, bool is_write)
{
	if (bar < 0 || bar >= PCI_MAX_BARS || !pdev->bar_size[bar] || off >= pdev->bar_size[bar] ||
	    len > pdev->bar_size[bar] - off)
		return false;
	return pdev->ops->bar_io(pdev, vcpu, bar, off, data, len, is_write);
}

/* Any access in the hole: the BAR that decodes it, else a master abort. */
static bool hole_io(struct vcpu *vcpu, uint64_t gpa, uint8_t *data, uint32_t len, bool is_write,
		    void *opaque)
{
	struct pci_dev *hit = NULL;
	uint64_t off = 0;
	int hit_bar = -1;

	pthread_mutex_lock(&bus.lock);
	for (int s = 0; s < PCI_SLOTS && !hit; s++) {
		struct pci_dev *p = bus.slot[s];

		if (!p || !(pci_cfg_get(p, PCI_COMMAND, 2) & PCI_COMMAND_MEMORY))
			continue;
		for (int b = 0; b < PCI_MAX_BARS; b++) {
			uint64_t base = pci_bar_addr(p, b);

			if (p->bar_size[b] && gpa >= base && gpa - base < p->bar_size[b]) {
				hit = p, hit_bar = b, off = gpa - base;
				break;
			}
		}
	}
	pthread_mutex_unlock(&bus.lock);
	if (hit && pci_bar_access(hit, vcpu, hit_bar, off, data, len, is_write))
		return true;
	if (!is_write)
		memset(data, 0xff, len);
	return true;
}

/*
 * Put a function in a slot. Its BARs' write masks follow their sizes: the
 * low bits of a BAR read back as zero, which is how a driver sizes it.
 */
void pci__register(struct pci_dev *pdev, unsigned int slot)
{
	if (slot >= PCI_SLOTS || bus.slot[slot])
		die("PCI slot %u is taken or does not exist", slot);
	pdev->slot = slot;
	pci_cfg_put(pdev, PCI_COMMAND, 0, 2);
	pdev->wmask[PCI_COMMAND] = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	pdev->wmask[PCI_COMMAND + 1] = PCI_COMMAND_INTX_DISABLE >> 8;
	for (int b = 0; b < PCI_MAX_BARS; b++) {
		uint32_t m = pdev->bar_size[b] ? ~(pdev->bar_size[b] - 1) & ~0xfu : 0;

		if (pdev->bar_size[b] && (pdev->bar_size[b] & (pdev->bar_size[b] - 1)))
			die("PCI slot %u BAR%d: size 0x%x is not a power of two", slot, b,
			    pdev->bar_size[b]);
		for (int i = 0; i < 4; i++)
			pdev->wmask[PCI_BAR0 + 4 * b + i] = m >> (8 * i);
	}
	pthread_mutex_lock(&bus.lock);
	bus.slot[slot] = pdev;
	pthread_mutex_unlock(&bus.lock);
}

/* Take a function off the bus (the fuzz harness plugs in a fresh one per input). */
void pci__unregister(struct pci_dev *pdev)
{
	pthread_mutex_lock(&bus.lock);
	if (pdev->slot < PCI_SLOTS && bus.slot[pdev->slot] == pdev)
		bus.slot[pdev->slot] = NULL;
	pthread_mutex_unlock(&bus.lock);
}

/* Only a VM with a PCI device gets the configuration ports at all. */
void pci__init(struct vm *vm)
{
	if (bus.up)
		return;
	bus.up = true;
	ioport__register(PCI_CONFIG_ADDR, 4, cfg_addr_io, NULL, "pci-config-address");
	ioport__register(PCI_CONFIG_DATA, 4, cfg_data_io, NULL, "pci-config-data");
	mmio__register(VIRTIO_PCI_HOLE_GPA, VIRTIO_PCI_HOLE_SIZE, hole_io, NULL, "pci-hole");
}
