// SPDX-License-Identifier: GPL-2.0
/*
 * test_dev.c - the self-test devices: a port and an MMIO page whose only
 * job is to cost one exit to user space each (the primitive-cost test), and
 * the MSI doorbell (a port and an MMIO register), which sends one MSI during
 * the exit so that the interrupt is pending when the vCPU re-enters.
 */
#include <string.h>

#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/util.h"

static bool cost_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data, uint32_t len,
		    bool is_write, void *dev)
{
	if (!is_write)
		memset(data, 0, len);
	return true;
}

static bool doorbell_io(struct vcpu *vcpu, uint64_t addr, uint8_t *data, uint32_t len,
			bool is_write, void *dev)
{
	struct vm *vm = dev;
	uint32_t v, apic_id;
	uint8_t vector;

	if (!is_write || len != 4)
		return false;
	memcpy(&v, data, 4);
	apic_id = v >> 8;
	vector = v & 0xff;
	/* Vectors 0-31 are exceptions; an MSI there is a guest bug we refuse. */
	if (apic_id >= vm->nr_vcpus || vector < 32)
		return false;
	irq__signal_msi(vm, apic_id, vector);
	return true;
}

void cost_dev__init(struct vm *vm)
{
	ioport__register(VIRQLAB_PORT_COST, 4, cost_io, vm, "cost-port");
	ioport__register(VIRQLAB_PORT_MSI_DOORBELL, 4, doorbell_io, vm, "msi-doorbell");
	mmio__register(VIRQLAB_MMIO_COST_GPA, 0x1000, cost_io, vm, "cost-mmio");
	mmio__register(VIRQLAB_MMIO_DOORBELL_GPA, 4, doorbell_io, vm, "msi-doorbell-mmio");
}
