/* SPDX-License-Identifier: GPL-2.0 */
/*
 * linux_boot.h - booting a Linux bzImage (--kernel) and the PC devices such a
 * guest needs: the MP table, a 16550A at COM1 and the i8042's reset line.
 */
#ifndef VMM_LINUX_BOOT_H
#define VMM_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

struct vcpu;
struct vm;

#define MPTABLE_MAX_BYTES	2048

/*
 * What a Linux guest needs on vmm-mini (kvmtool's default, adapted): the
 * console on COM1, no ACPI (the MP table says where the APICs are), PCI by
 * configuration mechanism #1, reboot through the i8042 (the run's end), and
 * no keyboard or mouse to look for behind it.
 */
#define LINUX_APPEND_1	"console=ttyS0 earlyprintk=serial acpi=off pci=conf1 reboot=k"
#define LINUX_APPEND_2	"panic=-1 i8042.nokbd i8042.noaux"
#define LINUX_DEFAULT_APPEND LINUX_APPEND_1 " " LINUX_APPEND_2
/* --source: /init brings up virtio_net and runs the receiver (linux-guest-init.sh). */
#define LINUX_APPEND_RX	"virqlab.rx=1"

/* linux_boot.c */
void linux_check(struct vm *vm);		/* validate, before /dev/kvm */
void linux_load(struct vm *vm);			/* kernel, initrd, zero page, tables */
void linux_vcpu_init(struct vcpu *vcpu);	/* the 64-bit entry state */
void linux_report(struct vm *vm);		/* one line: what the guest cost vmm-mini */

/* mptable.c */
size_t mptable_write(struct vm *vm, uint64_t gpa);

/* serial.c */
void serial__init(struct vm *vm);
void serial__flush(struct vm *vm);
uint64_t serial__tx_bytes(void);
bool serial__guest_panicked(void);

/* rtc.c */
void rtc__init(struct vm *vm);

/* i8042.c */
void i8042__init(struct vm *vm);

/* linux_rx.c: the Linux guest's receiver reports (--kernel --source) */
void linux_rx__init(struct vm *vm);

#endif
