/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virqlab_abi.h - the contract between vmm-mini and the virqlab guest kernel.
 *
 * One header, included by both sides, so that a port number, a boot-info
 * field or a ucall code has exactly one definition. Everything here is
 * fixed-width and naturally aligned: the host reads these structures out of
 * guest memory and must never trust them (every length and address is
 * checked host-side before use).
 */
#ifndef VIRQLAB_ABI_H
#define VIRQLAB_ABI_H

#include <stdint.h>

#define VIRQLAB_ABI_VERSION		1

/*
 * Guest-physical memory map. RAM starts at 0 and is identity-mapped by the
 * page tables vmm-mini builds; the guest runs at its link address with
 * virtual == physical. Page 0 is left unmapped so that a NULL dereference
 * faults.
 */
#define VIRQLAB_BOOT_INFO_GPA		0x1000ULL	/* struct virqlab_boot_info */
#define VIRQLAB_PAGE_TABLES_GPA		0x2000ULL	/* PML4, PDPT, 4 PDs, 1 PT */
#define VIRQLAB_PAGE_TABLES_END		0x9000ULL
#define VIRQLAB_KERNEL_GPA		0x100000ULL	/* ELF segments load at/above */
#define VIRQLAB_RAM_MAX			0xc0000000ULL	/* RAM must end below MMIO */
#define VIRQLAB_MMIO_BASE		0xc0000000ULL	/* 2 MiB device window, UC */
#define VIRQLAB_MMIO_SIZE		0x200000ULL
#define VIRQLAB_MMIO_COST_GPA		(VIRQLAB_MMIO_BASE + 0x0000)	/* cost probe */
/* VIRQLAB_MMIO_BASE + 0x1000: the virqnet registers (VIRQNET_MMIO_GPA, virqnet.h) */
#define VIRQLAB_MMIO_DOORBELL_GPA	(VIRQLAB_MMIO_BASE + 0x2000)	/* writel: doorbell */

/* An address no page table maps: touching it raises #PF (self-test). */
#define VIRQLAB_UNMAPPED_GVA		0x8000000000ULL

/*
 * Port I/O. 0xe9 is the Bochs/QEMU debug console so that the same guest
 * prints under QEMU's isa-debugcon.
 */
#define VIRQLAB_PORT_CONSOLE		0x00e9	/* outb: one console byte */
#define VIRQLAB_PORT_UCALL		0x1000	/* outl: GPA of struct ucall */
#define VIRQLAB_PORT_COST		0x1004	/* any access: cost probe */
#define VIRQLAB_PORT_MSI_DOORBELL	0x1008	/* outl: VIRQLAB_DOORBELL() */

/*
 * The Linux guest's receiver (guest-linux/virqlab-rx.c, a ring-3 program with
 * ioperm) reports to vmm-mini (vmm-mini/linux_rx.c) on three dword ports:
 * outl(key, REPORT); outl(low 32 bits, +4); outl(high 32 bits, +8) commits.
 * Keys are enum virqnet_report_key, and LINUX_RX_READY (value 0): its socket
 * is bound, the receive window may open; LINUX_RX_REPORTED (value W, 1..K):
 * window W's counts are all reported (vmm-mini --windows K). Its consumption log is a struct
 * virqnet_lat_log at LINUX_LATLOG_GPA, in the e820-reserved low 1 MiB that
 * Linux never allocates (and /dev/mem lets root map, STRICT_DEVMEM or not).
 */
#define VIRQLAB_PORT_LINUX_REPORT	0x1010
#define VIRQLAB_LINUX_RX_READY		0x1
#define VIRQLAB_LINUX_RX_REPORTED	0x2	/* value W: window W's counts are all reported */
#define VIRQLAB_LINUX_LATLOG_GPA	0xd0000ULL

/*
 * Under QEMU (boot_info.vmm == VIRQLAB_VMM_QEMU) there is no ucall port: the
 * guest prints what vmm-mini would and ends the run itself through
 * isa-debug-exit, which exits QEMU with (value << 1) | 1. The values avoid 0,
 * whose exit status 1 QEMU also uses for its own errors; run-guest-qemu.sh
 * maps 33/35/37 back to 0/1/4.
 */
#define VIRQLAB_PORT_QEMU_EXIT		0x00f4	/* outl: VIRQLAB_QEMU_EXIT_* */
#define VIRQLAB_QEMU_EXIT_PASS		0x10	/* UCALL_DONE: QEMU exits 33 */
#define VIRQLAB_QEMU_EXIT_FAIL		0x11	/* ABORT, EXCEPTION: exits 35 */
#define VIRQLAB_QEMU_EXIT_SKIP		0x12	/* UCALL_SKIP: exits 37 */

/*
 * Doorbell: the guest asks the host to send it one MSI right now, during the
 * exit, with KVM_SIGNAL_MSI. The interrupt is therefore pending when the vCPU
 * re-enters, which makes lock-step interrupt storms deterministic. The same
 * value written to VIRQLAB_MMIO_DOORBELL_GPA does the same from an MMIO exit:
 * the shape of a PCI device whose register write raises its MSI (QEMU's edu),
 * so that the cost can be compared with such a device under QEMU.
 */
#define VIRQLAB_DOORBELL(apic_id, vector) (((uint32_t)(apic_id) << 8) | ((vector) & 0xff))

/* Interrupt vectors the guest kernel uses (32..255 are free for devices). */
#define VIRQLAB_VEC_TIMER		0xec
#define VIRQLAB_VEC_SELF_IPI		0xed
#define VIRQLAB_VEC_TEST		0x40	/* host MSIs in self-tests */
#define VIRQLAB_VEC_SPURIOUS		0xff

/* Who loaded the guest (boot_info.vmm). */
#define VIRQLAB_VMM_MINI		1
#define VIRQLAB_VMM_QEMU		2	/* QEMU -kernel, via the PVH entry */

#define VIRQLAB_BOOT_MAGIC		0x4c51524956ULL	/* "VIRQL" */
#define VIRQLAB_MAX_VCPUS		64

struct virqlab_boot_info {
	uint64_t magic;
	uint32_t abi_version;
	uint32_t vmm;			/* VIRQLAB_VMM_* */
	uint32_t nr_vcpus;
	uint32_t flags;
	uint64_t mem_bytes;
	uint64_t tsc_khz;		/* 0: unknown */
	char test[32];			/* self-test to run, NUL-terminated */
	char mode[32];			/* interrupt mode, NUL-terminated */
	char args[256];			/* "key=value ..." NUL-terminated */
};

/*
 * Guest-to-host calls, in the KVM selftests' ucall style: the guest fills a
 * struct ucall in its own memory and writes its GPA to VIRQLAB_PORT_UCALL.
 * The host may write results back into args[] before resuming the vCPU.
 */
enum ucall_cmd {
	UCALL_NONE = 0,
	UCALL_SYNC,		/* args[0]: enum ucall_sync, args[1..]: params */
	UCALL_DONE,		/* test passed; ends the VM */
	UCALL_ABORT,		/* guest assert failed: args[0] line, msg file:expr */
	UCALL_EXCEPTION,	/* unexpected exception: vector, error, rip, cr2 */
	UCALL_SKIP,		/* test cannot run here: msg says why (exit 4) */
	UCALL_NR
};

enum ucall_sync {
	SYNC_PING = 0,		/* no-op round trip */
	SYNC_SIGNAL_MSI,	/* args[1] apic id, args[2] vector: KVM_SIGNAL_MSI */
	SYNC_IRQFD,		/* args[1] apic id, args[2] vector: via an irqfd */
	SYNC_MSI_TIMED,		/* args[1] apic id, args[2] vector, args[3] count,
				 * args[4] GPA of volatile u32 "armed" counter:
				 * host sends one MSI per arm, stamps host TSC */
	SYNC_SAMPLES,		/* args[1] enum cost_kind, args[2] GPA of u64[],
				 * args[3] count: guest TSC deltas */
	SYNC_REPORT,		/* args[1] key, args[2] value: a guest counter */
	SYNC_TSC,		/* args[1] guest TSC read just before this call: the host
				 * checks guest = host + KVM's offset (one clock) */
	SYNC_NR
};

/* Primitive operations timed by the costs self-test. */
enum cost_kind {
	COST_PIO = 0,		/* port-I/O exit to user space */
	COST_MMIO,		/* MMIO exit to user space */
	COST_MSI,		/* host KVM_SIGNAL_MSI -> guest handler (halted vCPU) */
	COST_EOI,		/* x2APIC EOI write */
	COST_SYSCALL,		/* ring-3 syscall round trip */
	COST_MMIO_MSI,		/* MMIO doorbell write -> the MSI it raises -> handler */
	COST_FLOOR,		/* nothing between the two TSC reads: the loop itself */
	COST_NR
};

/* One name per cost_kind: table rows, TSV and the QEMU console say the same. */
#define VIRQLAB_COST_NAMES {				\
	[COST_PIO] = "pio-exit-to-user",		\
	[COST_MMIO] = "mmio-exit-to-user",		\
	[COST_MSI] = "msi-to-handler",			\
	[COST_EOI] = "eoi",				\
	[COST_SYSCALL] = "syscall-roundtrip",		\
	[COST_MMIO_MSI] = "mmio-doorbell-msi",		\
	[COST_FLOOR] = "timing-floor",			\
}

#define UCALL_MSG_MAX	160

struct ucall {
	uint32_t cmd;		/* enum ucall_cmd */
	uint32_t cpu;		/* vCPU index */
	uint64_t args[6];
	char msg[UCALL_MSG_MAX];	/* NUL-terminated; host bounds-checks */
};

#endif /* VIRQLAB_ABI_H */
