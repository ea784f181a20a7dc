/* SPDX-License-Identifier: GPL-2.0 */
/*
 * devices.h - port-I/O and MMIO dispatch, in kvmtool's shape: a device
 * registers a range with one handler signature; the vCPU loop looks the
 * access up and calls it. A handler returns false for an access it refuses,
 * which the loop treats like an unclaimed one.
 */
#ifndef VMM_DEVICES_H
#define VMM_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;

typedef bool (*io_handler_fn)(struct vcpu *vcpu, uint64_t addr, uint8_t *data, uint32_t len,
			      bool is_write, void *dev);

void ioport__register(uint16_t port, uint16_t count, io_handler_fn fn, void *dev, const char *name);
void mmio__register(uint64_t gpa, uint64_t len, io_handler_fn fn, void *dev, const char *name);
bool ioport__emulate(struct vcpu *vcpu, uint16_t port, uint8_t *data, uint32_t size,
		     uint32_t count, bool is_write);
bool mmio__emulate(struct vcpu *vcpu, uint64_t gpa, uint8_t *data, uint32_t len, bool is_write);

/* The built-in devices. */
void console__init(struct vm *vm);
void console__flush(struct vm *vm);
void ucall__init(struct vm *vm);
void cost_dev__init(struct vm *vm);
void irq__init(struct vm *vm);
int irq__signal_msi(struct vm *vm, uint32_t apic_id, uint8_t vector);
int irq__irqfd_fire(struct vm *vm, uint32_t apic_id, uint8_t vector);
int irq__irqfd_get(struct vm *vm, uint32_t apic_id, uint8_t vector);

#endif
