// SPDX-License-Identifier: GPL-2.0
/*
 * irq.c - interrupts into the guest: MSIs sent directly with KVM_SIGNAL_MSI,
 * and MSIs bound to eventfds through GSI routes and irqfds (what a device
 * thread uses: one write(2), no ioctl, KVM injects from its own context).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/util.h"

#define MAX_ROUTES	64
#define FIRST_GSI	32	/* above the 24 IOAPIC pins */
#define IOAPIC_PINS	24
#define ISA_IRQS	16

struct irq_route {
	uint32_t apic_id;
	uint8_t vector;
	int efd;
};

struct irq_state {
	pthread_mutex_t lock;
	unsigned int nr;
	struct irq_route routes[MAX_ROUTES];
};

/* Fixed delivery, physical destination, edge (SDM Vol. 3A 11.11.1-2). */
static void msi_encode(uint32_t apic_id, uint8_t vector, uint32_t *addr, uint32_t *data)
{
	*addr = 0xfee00000u | (apic_id << 12);
	*data = vector;
}

int irq__signal_msi(struct vm *vm, uint32_t apic_id, uint8_t vector)
{
	struct kvm_msi msi = { 0 };

	msi_encode(apic_id, vector, &msi.address_lo, &msi.data);
	kvm_ioctl(vm->vm_fd, KVM_SIGNAL_MSI, &msi);
	return 0;
}

/*
 * KVM_SET_GSI_ROUTING replaces the whole table, so it is rebuilt each time,
 * with KVM's default entries first: GSI n to IO-APIC pin n, and for the 16
 * ISA IRQs also to the 8259s (api.rst, KVM_CREATE_IRQCHIP), without which a
 * KVM_IRQ_LINE (the Linux guest's UART, the PIT) would reach nothing.
 */
static void irq_set_routing(struct vm *vm, struct irq_state *st)
{
	unsigned int n = IOAPIC_PINS + ISA_IRQS;
	struct kvm_irq_routing *rt;

	rt = calloc(1, sizeof(*rt) + (n + st->nr) * sizeof(rt->entries[0]));
	if (!rt)
		die("out of memory for GSI routing");
	for (unsigned int pin = 0, k = 0; pin < IOAPIC_PINS; pin++) {
		rt->entries[k++] = (struct kvm_irq_routing_entry){
			.gsi = pin, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = pin },
		};
		if (pin < ISA_IRQS)
			rt->entries[k++] = (struct kvm_irq_routing_entry){
				.gsi = pin, .type = KVM_IRQ_ROUTING_IRQCHIP,
				.u.irqchip = { .irqchip = pin < 8 ? KVM_IRQCHIP_PIC_MASTER :
					       KVM_IRQCHIP_PIC_SLAVE, .pin = pin % 8 },
			};
	}
	rt->nr = n + st->nr;
	for (unsigned int i = 0; i < st->nr; i++) {
		struct kvm_irq_routing_entry *e = &rt->entries[n + i];

		e->gsi = FIRST_GSI + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		msi_encode(st->routes[i].apic_id, st->routes[i].vector, &e->u.msi.address_lo,
			   &e->u.msi.data);
	}
	kvm_ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, rt);
	free(rt);
}

/* The eventfd that raises (apic_id, vector) when written; made on first use. */
int irq__irqfd_get(struct vm *vm, uint32_t apic_id, uint8_t vector)
{
	struct irq_state *st = vm->irq;
	struct kvm_irqfd irqfd = { 0 };
	int efd = -1;

	pthread_mutex_lock(&st->lock);
	for (unsigned int i = 0; i < st->nr; i++)
		if (st->routes[i].apic_id == apic_id && st->routes[i].vector == vector)
			efd = st->routes[i].efd;
	if (efd >= 0)
		goto out;
	if (st->nr == MAX_ROUTES)
		die("more than %d irqfd routes", MAX_ROUTES);
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		die("eventfd: %s", strerror(errno));
	st->routes[st->nr] = (struct irq_route){ apic_id, vector, efd };
	st->nr++;
	irq_set_routing(vm, st);
	irqfd.fd = efd;
	irqfd.gsi = FIRST_GSI + st->nr - 1;
	kvm_ioctl(vm->vm_fd, KVM_IRQFD, &irqfd);
out:
	pthread_mutex_unlock(&st->lock);
	return efd;
}

int irq__irqfd_fire(struct vm *vm, uint32_t apic_id, uint8_t vector)
{
	uint64_t one = 1;
	int efd = irq__irqfd_get(vm, apic_id, vector);

	if (write(efd, &one, sizeof(one)) != sizeof(one))
		die("write to irqfd: %s", strerror(errno));
	return 0;
}

void irq__init(struct vm *vm)
{
	vm->irq = calloc(1, sizeof(*vm->irq));
	if (!vm->irq)
		die("out of memory");
	pthread_mutex_init(&vm->irq->lock, NULL);
}
