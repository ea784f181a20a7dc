// SPDX-License-Identifier: GPL-2.0
/*
 * virqnet_kvm.c - the receive device plugged into a KVM VM: guest RAM for
 * its memory, an irqfd per (vCPU, vector) for its interrupt, the MMIO page
 * for its registers, the VM's end for a mode without a driver, and the
 * diagnosis of a guest that stopped consuming. The model itself (virqnet.c)
 * knows none of these.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "vmm/clock.h"
#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

static void *kvm_gpa_to_hva(void *ctx, uint64_t gpa, uint64_t len)
{
	return gpa_to_hva(ctx, gpa, len);
}

static int kvm_irq_route(void *ctx, uint32_t cpu, uint32_t vector)
{
	return irq__irqfd_get(ctx, cpu, vector);
}

/* An irqfd write: KVM injects the MSI its route names (KVM API doc, KVM_IRQFD). */
static bool kvm_irq_raise(void *ctx, int fd)
{
	uint64_t one = 1;

	return write(fd, &one, sizeof(one)) == sizeof(one);
}

static void kvm_end_run(void *ctx)
{
	vm_finish(ctx, VMM_EXIT_OK);
}

static bool virqnet_mmio(struct vcpu *vcpu, uint64_t gpa, uint8_t *data, uint32_t len,
			 bool is_write, void *opaque)
{
	virqnet_mmio_access(opaque, gpa - VIRQNET_MMIO_GPA, data, len, is_write);
	return true;
}

int virqnet_init(struct vm *vm, const struct virqnet_mode_ops *ops)
{
	const struct virqnet_host host = {
		.ctx = vm, .nr_vcpus = vm->nr_vcpus, .gpa_to_hva = kvm_gpa_to_hva,
		.irq_route = kvm_irq_route, .irq_raise = kvm_irq_raise, .end_run = kvm_end_run,
		.error_lines = 8,
	};
	struct virqnet *dev = virqnet_create(&host, ops, vm->cfg.coalesce_us * 1000, 1u << 22,
					     LAT_SEQ_SLOTS);

	/* Before any vCPU runs: no other thread can see dev yet. */
	virqnet_set_queues(dev, vm->cfg.nr_queues);
	dev->tsc_offset_ok = vcpu_get_tsc_offset(&vm->vcpus[0], &dev->tsc_offset) == 0;
	rx_foreign_init(dev, vm->cfg.accept_foreign);
	vm->virqnet = dev;
	if (ops->queue)
		dev->queue = ops->queue->attach(dev, vm);
	mmio__register(VIRQNET_MMIO_GPA, VIRQNET_MMIO_SIZE, virqnet_mmio, dev, "virqnet");
	return 0;
}

/*
 * The guest stopped consuming. Say what the device and the target vCPU were
 * in (flags, registers, LAPIC IRR/ISR, mp_state), then see whether the kick
 * that took the snapshot was enough to get it going again: a vCPU that only
 * needed to re-enter KVM_RUN to take its interrupt points at a lost wake-up
 * below the guest, not at the guest's handshake.
 */
void virqnet_report_stuck(struct vm *vm, struct virqnet *dev, struct clock_anchor *anchor)
{
	uint32_t before = virqnet_ring_cons(dev), after, cpu, vector;
	struct vcpu_snapshot s = { 0 };	/* err stays 0 if the thread never answers */
	struct vcpu *vcpu;

	virqnet_irq_target(dev, &cpu, &vector);
	vcpu = &vm->vcpus[cpu < vm->nr_vcpus ? cpu : 0];
	virqnet_dump(dev, "the guest left the ring undrained for 10 s");
	virqnet_dump_trace(dev, 24);
	if (!vcpu_snapshot(vcpu, &s)) {
		pr_warn("vCPU %d: no state: %s", vcpu->id,
			s.err ? strerror(s.err) : "its thread did not answer the kick");
		return;
	}
	vcpu_snapshot_print(&s, vcpu->id, vector);
	for (int i = 0; i < 2000 && !atomic_load(&vm->stopping) && !virqnet_drained(dev); i++) {
		clock_anchor_take(anchor, vm->tsc_khz);
		virqnet_reclaim(dev, anchor);
		usleep(1000);
	}
	after = virqnet_ring_cons(dev);
	pr_warn("virqnet: after the kick the guest consumed %u more (%s)", after - before,
		virqnet_drained(dev) ? "ring drained" : "ring still undrained");
}
