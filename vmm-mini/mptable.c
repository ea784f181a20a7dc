// SPDX-License-Identifier: GPL-2.0
/*
 * mptable.c - the Intel MultiProcessor Specification 1.4 tables that tell a
 * Linux guest booted without ACPI (acpi=off) where its local APICs and the
 * IO-APIC are, and how the ISA interrupts reach the IO-APIC's pins. Linux
 * finds the floating pointer by scanning 0xf0000-0xfffff (MP spec 4.0,
 * arch/x86/kernel/mpparse.c smp_scan_config), which the e820 map reserves.
 *
 * The ISA IRQs go to the IO-APIC pins of the same number, because that is
 * KVM's default GSI routing (an ISA IRQ n raised by KVM_IRQ_LINE, or by the
 * in-kernel PIT as GSI 0, drives PIC input n and IO-APIC pin n); PCs wire
 * IRQ 0 to pin 2 instead, which QEMU tells KVM with its own routing table.
 */
#include <string.h>

#include "vmm/kvm.h"
#include "vmm/linux_boot.h"
#include "vmm/util.h"

#define MPC_SPEC_REV		4	/* 1.4 */
#define MP_PROCESSOR		0
#define MP_BUS			1
#define MP_IOAPIC		2
#define MP_INTSRC		3
#define MP_LINTSRC		4
#define MP_INT			0
#define MP_NMI			1
#define MP_EXTINT		3
#define CPU_ENABLED		1
#define CPU_BOOTPROCESSOR	2
#define LAPIC_VERSION		0x14
#define IOAPIC_VERSION		0x11
#define IOAPIC_ADDR		0xfec00000u
#define LAPIC_ADDR		0xfee00000u
#define ISA_BUS_ID		0

struct mpf_intel {
	char signature[4];		/* "_MP_" */
	uint32_t physptr;
	uint8_t length;			/* in 16-byte units */
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature[5];		/* feature[0] = 0: a configuration table follows */
} __attribute__((packed));

struct mpc_table {
	char signature[4];		/* "PCMP" */
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;		/* entries */
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type, apicid, apicver, cpuflag;
	uint32_t cpufeature, featureflag;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type, busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type, apicid, apicver, flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
	uint8_t type, irqtype;
	uint16_t irqflag;		/* 0: polarity and trigger conform to the bus */
	uint8_t srcbus, srcbusirq, dstapic, dstirq;
} __attribute__((packed));

_Static_assert(sizeof(struct mpf_intel) == 16, "MP floating pointer is 16 bytes");
_Static_assert(sizeof(struct mpc_table) == 44, "MP table header is 44 bytes");
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry is 20 bytes");
_Static_assert(sizeof(struct mpc_intsrc) == 8, "MP interrupt entry is 8 bytes");
_Static_assert(sizeof(struct mpf_intel) + sizeof(struct mpc_table) +
	       VIRQLAB_MAX_VCPUS * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) +
	       sizeof(struct mpc_ioapic) + 17 * sizeof(struct mpc_intsrc) <= MPTABLE_MAX_BYTES,
	       "the MP tables fit their reserved space");

static uint8_t checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return (uint8_t)-sum;
}

/* CPUID.1 EAX (signature) and EDX (features) as the guest will see them. */
static void cpu_signature(struct vm *vm, uint32_t *sig, uint32_t *features)
{
	*sig = 0;
	*features = 0;
	for (unsigned int i = 0; vm->cpuid && i < vm->cpuid->nent; i++) {
		if (vm->cpuid->entries[i].function == 1) {
			*sig = vm->cpuid->entries[i].eax;
			*features = vm->cpuid->entries[i].edx;
		}
	}
}

/* Writes the tables at gpa (below 1 MiB, in a reserved e820 range); returns their size. */
size_t mptable_write(struct vm *vm, uint64_t gpa)
{
	uint8_t *base = gpa_to_hva(vm, gpa, MPTABLE_MAX_BYTES);
	struct mpf_intel *mpf = (void *)base;
	struct mpc_table *mpc = (void *)(base + sizeof(*mpf));
	uint8_t *p = (uint8_t *)(mpc + 1);
	uint8_t ioapic_id = vm->nr_vcpus;
	uint32_t sig, features;
	uint16_t entries = 0;

	memset(base, 0, MPTABLE_MAX_BYTES);
	cpu_signature(vm, &sig, &features);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++, entries++) {
		struct mpc_cpu *c = (void *)p;

		*c = (struct mpc_cpu){
			.type = MP_PROCESSOR, .apicid = i, .apicver = LAPIC_VERSION,
			.cpuflag = CPU_ENABLED | (i == 0 ? CPU_BOOTPROCESSOR : 0),
			.cpufeature = sig, .featureflag = features,
		};
		p += sizeof(*c);
	}

	struct mpc_bus *bus = (void *)p;

	*bus = (struct mpc_bus){ .type = MP_BUS, .busid = ISA_BUS_ID };
	memcpy(bus->bustype, "ISA   ", 6);
	p += sizeof(*bus);
	entries++;

	struct mpc_ioapic *io = (void *)p;

	*io = (struct mpc_ioapic){
		.type = MP_IOAPIC, .apicid = ioapic_id, .apicver = IOAPIC_VERSION, .flags = 1,
		.apicaddr = IOAPIC_ADDR,
	};
	p += sizeof(*io);
	entries++;

	/* ISA IRQ n -> pin n; IRQ 2 is the PICs' cascade and carries nothing. */
	for (uint8_t irq = 0; irq < 16; irq++) {
		struct mpc_intsrc *s = (void *)p;

		if (irq == 2)
			continue;
		*s = (struct mpc_intsrc){
			.type = MP_INTSRC, .irqtype = MP_INT, .srcbus = ISA_BUS_ID,
			.srcbusirq = irq, .dstapic = ioapic_id, .dstirq = irq,
		};
		p += sizeof(*s);
		entries++;
	}

	/* LINT0 takes the 8259's ExtINT, LINT1 the NMI, on every CPU (0xff). */
	for (uint8_t lint = 0; lint < 2; lint++) {
		struct mpc_intsrc *s = (void *)p;

		*s = (struct mpc_intsrc){
			.type = MP_LINTSRC, .irqtype = lint ? MP_NMI : MP_EXTINT,
			.srcbus = ISA_BUS_ID, .dstapic = 0xff, .dstirq = lint,
		};
		p += sizeof(*s);
		entries++;
	}

	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = p - (uint8_t *)mpc;
	mpc->spec = MPC_SPEC_REV;
	memcpy(mpc->oem, "VIRQLAB ", 8);
	memcpy(mpc->productid, "VMM-MINI    ", 12);
	mpc->oemcount = entries;
	mpc->lapic = LAPIC_ADDR;
	mpc->checksum = checksum(mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = gpa + sizeof(*mpf);
	mpf->length = 1;
	mpf->specification = MPC_SPEC_REV;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
	return p - base;
}
