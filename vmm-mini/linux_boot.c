// SPDX-License-Identifier: GPL-2.0
/*
 * linux_boot.c - boot a Linux bzImage by the x86 boot protocol's 64-bit
 * entry (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): the
 * protected-mode kernel loaded at its preferred address, a zero page
 * (struct boot_params) holding the image's setup header, an e820 map, the
 * command line and the initrd's place, then the vCPU started in long mode at
 * the load address + 0x200 with RSI = the zero page, on identity page tables
 * and a GDT with flat __BOOT_CS (0x10) and __BOOT_DS (0x18).
 *
 * Guest physical layout (all of it inside guest RAM, which starts at 0):
 *   0x00500  GDT                    0x07000  zero page (boot_params)
 *   0x09000  PML4, PDPT, 4 PDs      0x20000  command line
 *   0x9fc00-0x100000 reserved: EBDA, VGA, BIOS; MP tables at 0xf0000
 *   load address (pref_address, 16 MiB)  the kernel, init_size bytes
 *   top of RAM (below initrd_addr_max)   the initrd
 *
 * The image is input like any other: a bad one is one line and exit 2,
 * found before /dev/kvm is opened (linux_check).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/kvm.h"
#include "vmm/linux_boot.h"
#include "vmm/util.h"

#define GDT_GPA		0x500ull
#define ZERO_PAGE_GPA	0x7000ull
#define PT_GPA		0x9000ull	/* PML4; PDPT at +0x1000, PDs at +0x2000.. */
#define CMDLINE_GPA	0x20000ull
#define CMDLINE_MAX	0x10000ull	/* up to 0x30000, below the EBDA */
#define EBDA_GPA	0x9fc00ull
#define MPTABLE_GPA	0xf0000ull
#define HIGH_GPA	0x100000ull
#define SZ_2M		0x200000ull

/* Setup header fields, by offset in the image and in the zero page. */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP		0x200
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define E820_MAX		128

#define LOADFLAGS_LOADED_HIGH	0x01
#define XLF_KERNEL_64		0x01
#define LOADER_UNDEFINED	0xff	/* type_of_loader: no assigned ID */
#define E820_RAM		1
#define E820_RESERVED		2

/*
 * 2.12 is the first protocol with xloadflags, the only way a kernel says it
 * has the 64-bit entry at +0x200 (XLF_KERNEL_64); it also has everything
 * else used here: cmdline_size (2.06), pref_address and init_size (2.10).
 */
#define MIN_PROTOCOL		0x020c

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)

#define X86_CR0_PE	(1ull << 0)
#define X86_CR0_ET	(1ull << 4)
#define X86_CR0_NE	(1ull << 5)
#define X86_CR0_PG	(1ull << 31)
#define X86_CR4_PAE	(1ull << 5)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

static struct {
	uint8_t hdr[0x400];		/* the first two sectors: boot sector + setup header */
	size_t hdr_len;			/* setup header end, 0x202 + the jump's offset byte */
	uint64_t setup_bytes;		/* real-mode part: (setup_sects + 1) * 512 */
	uint64_t kernel_bytes;		/* the protected-mode part, loaded */
	uint64_t load_gpa, init_size;
	uint64_t initrd_gpa, initrd_bytes;
	uint32_t cmdline_size;
} img;

static uint16_t get16(const uint8_t *p, unsigned int off)
{
	return p[off] | p[off + 1] << 8;
}

static uint32_t get32(const uint8_t *p, unsigned int off)
{
	return (uint32_t)get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static int open_regular(const char *what, const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die_usage("%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		die_usage("%s %s: not a regular file", what, path);
	*size = st.st_size;
	return fd;
}

/* Exactly len bytes at off into dst, or a usage error naming the file. */
static void read_at(int fd, const char *what, const char *path, void *dst, uint64_t len,
		    uint64_t off)
{
	uint8_t *p = dst;

	while (len) {
		ssize_t n = pread(fd, p, len > (1u << 30) ? 1u << 30 : len, off);

		if (n <= 0)
			die_usage("%s %s: short read at byte %llu", what, path,
				  (unsigned long long)off);
		p += n;
		off += n;
		len -= n;
	}
}

/* Every check that needs only the files and the command line: exit 2 on any. */
void linux_check(struct vm *vm)
{
	const char *path = vm->cfg.kernel_path;
	const char *append = vm->cfg.append ? vm->cfg.append : "";
	uint64_t size, ram = vm->cfg.mem_bytes, top;
	unsigned int setup_sects;
	uint16_t version;
	int fd;

	fd = open_regular("--kernel", path, &size);
	if (size < 0x270)
		die_usage("--kernel %s: %llu bytes, too short for a bzImage", path,
			  (unsigned long long)size);
	read_at(fd, "--kernel", path, img.hdr, size < sizeof(img.hdr) ? size : sizeof(img.hdr), 0);
	close(fd);
	if (memcmp(img.hdr + HDR_MAGIC, "HdrS", 4) || get16(img.hdr, HDR_BOOT_FLAG) != 0xaa55)
		die_usage("--kernel %s: not a bzImage (no \"HdrS\" setup header)", path);
	version = get16(img.hdr, HDR_VERSION);
	if (version < MIN_PROTOCOL)
		die_usage("--kernel %s: boot protocol %u.%02u, older than 2.12 (no xloadflags to "
			  "declare the 64-bit entry)", path, version >> 8, version & 0xff);
	if (!(get16(img.hdr, HDR_XLOADFLAGS) & XLF_KERNEL_64))
		die_usage("--kernel %s: no 64-bit entry point (xloadflags lacks XLF_KERNEL_64)",
			  path);
	if (!(img.hdr[HDR_LOADFLAGS] & LOADFLAGS_LOADED_HIGH))
		die_usage("--kernel %s: a zImage loaded low, not a bzImage", path);

	setup_sects = img.hdr[HDR_SETUP_SECTS] ? img.hdr[HDR_SETUP_SECTS] : 4;
	img.setup_bytes = (setup_sects + 1) * 512ull;
	img.hdr_len = 0x202 + img.hdr[HDR_JUMP + 1];
	if (img.hdr_len > sizeof(img.hdr) || img.hdr_len > img.setup_bytes)
		die_usage("--kernel %s: setup header of %zu bytes runs past the setup code", path,
			  img.hdr_len);
	if (size <= img.setup_bytes ||
	    size - img.setup_bytes < get32(img.hdr, HDR_SYSSIZE) * 16ull)
		die_usage("--kernel %s: %llu bytes, shorter than its header says (truncated?)",
			  path, (unsigned long long)size);
	img.kernel_bytes = size - img.setup_bytes;

	/* Loading at the preferred address spares the kernel a copy of itself. */
	img.load_gpa = get32(img.hdr, HDR_PREF_ADDRESS) |
		       (uint64_t)get32(img.hdr, HDR_PREF_ADDRESS + 4) << 32;
	if (img.load_gpa < HIGH_GPA || !img.hdr[HDR_RELOCATABLE])
		img.load_gpa = HIGH_GPA;
	img.init_size = get32(img.hdr, HDR_INIT_SIZE);
	if (img.init_size < img.kernel_bytes)
		img.init_size = img.kernel_bytes;
	if (img.load_gpa > ram || img.init_size > ram - img.load_gpa)
		die_usage("--kernel %s: needs %llu MiB of RAM (loaded at %llu MiB, init_size %llu "
			  "MiB), more than --mem %llu", path,
			  (unsigned long long)((img.load_gpa + img.init_size + (1 << 20) - 1) >> 20),
			  (unsigned long long)(img.load_gpa >> 20),
			  (unsigned long long)(img.init_size >> 20), (unsigned long long)(ram >> 20));

	img.cmdline_size = get32(img.hdr, HDR_CMDLINE_SIZE);
	if (img.cmdline_size > CMDLINE_MAX - 1)
		img.cmdline_size = CMDLINE_MAX - 1;
	if (strlen(append) > img.cmdline_size)
		die_usage("--append: %zu bytes, longer than the kernel's cmdline_size %u",
			  strlen(append), img.cmdline_size);

	if (!vm->cfg.initrd_path)
		return;
	fd = open_regular("--initrd", vm->cfg.initrd_path, &img.initrd_bytes);
	close(fd);
	/* As high as it goes, below initrd_addr_max, page-aligned (boot.rst). */
	top = (uint64_t)get32(img.hdr, HDR_INITRD_ADDR_MAX) + 1;
	if (top > ram)
		top = ram;
	if (img.initrd_bytes > top || ((top - img.initrd_bytes) & ~0xfffull) <
	    img.load_gpa + img.init_size)
		die_usage("--initrd %s: %llu bytes do not fit between the kernel's end (%llu MiB) "
			  "and %llu MiB (--mem, initrd_addr_max)", vm->cfg.initrd_path,
			  (unsigned long long)img.initrd_bytes,
			  (unsigned long long)((img.load_gpa + img.init_size) >> 20),
			  (unsigned long long)(top >> 20));
	img.initrd_gpa = (top - img.initrd_bytes) & ~0xfffull;
}

/* Identity map of the low 4 GiB with 2 MiB pages: RAM, the APICs, PCI holes. */
static void build_page_tables(struct vm *vm)
{
	uint64_t *pml4 = gpa_to_hva(vm, PT_GPA, 0x6000);
	uint64_t *pdpt = pml4 + 512, *pd = pml4 + 1024;

	memset(pml4, 0, 0x6000);
	pml4[0] = (PT_GPA + 0x1000) | PTE_P | PTE_RW;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (PT_GPA + 0x2000 + i * 0x1000) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = i * SZ_2M | PTE_P | PTE_RW | PTE_PS;
}

/* Flat segments, SDM Vol. 3A 3.4.5: 64-bit code at 0x10, data at 0x18. */
static void build_gdt(struct vm *vm)
{
	uint64_t *gdt = gpa_to_hva(vm, GDT_GPA, 4 * sizeof(uint64_t));

	gdt[0] = 0;
	gdt[1] = 0;
	gdt[2] = 0x00af9b000000ffffull;
	gdt[3] = 0x00cf93000000ffffull;
}

static void e820_add(uint8_t *zp, uint64_t addr, uint64_t len, uint32_t type)
{
	uint8_t *e = zp + BP_E820_TABLE + zp[BP_E820_ENTRIES]++ * 20;

	memcpy(e, &addr, 8);
	memcpy(e + 8, &len, 8);
	memcpy(e + 16, &type, 4);
}

void linux_load(struct vm *vm)
{
	const char *append = vm->cfg.append ? vm->cfg.append : "";
	uint8_t *zp = gpa_to_hva(vm, ZERO_PAGE_GPA, 0x1000);
	struct kvm_pit_config pit = { .flags = 0 };
	uint64_t size;
	int fd;

	fd = open_regular("--kernel", vm->cfg.kernel_path, &size);
	if (size != img.setup_bytes + img.kernel_bytes)
		die_usage("--kernel %s: changed size while vmm-mini started", vm->cfg.kernel_path);
	read_at(fd, "--kernel", vm->cfg.kernel_path, gpa_to_hva(vm, img.load_gpa, img.kernel_bytes),
		img.kernel_bytes, img.setup_bytes);
	close(fd);
	if (vm->cfg.initrd_path) {
		fd = open_regular("--initrd", vm->cfg.initrd_path, &size);
		if (size != img.initrd_bytes)
			die_usage("--initrd %s: changed size while vmm-mini started",
				  vm->cfg.initrd_path);
		read_at(fd, "--initrd", vm->cfg.initrd_path,
			gpa_to_hva(vm, img.initrd_gpa, img.initrd_bytes), img.initrd_bytes, 0);
		close(fd);
	}
	memcpy(gpa_to_hva(vm, CMDLINE_GPA, strlen(append) + 1), append, strlen(append) + 1);

	/* The zero page: the image's own setup header, then what we fill in. */
	memset(zp, 0, 0x1000);
	memcpy(zp + HDR_SETUP_SECTS, img.hdr + HDR_SETUP_SECTS, img.hdr_len - HDR_SETUP_SECTS);
	zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put32(zp, HDR_CMD_LINE_PTR, CMDLINE_GPA);
	put32(zp, HDR_RAMDISK_IMAGE, img.initrd_gpa);
	put32(zp, HDR_RAMDISK_SIZE, img.initrd_bytes);
	e820_add(zp, 0, EBDA_GPA, E820_RAM);
	e820_add(zp, EBDA_GPA, HIGH_GPA - EBDA_GPA, E820_RESERVED);
	e820_add(zp, HIGH_GPA, vm->ram_size - HIGH_GPA, E820_RAM);

	build_gdt(vm);
	build_page_tables(vm);
	mptable_write(vm, MPTABLE_GPA);
	vm->entry = img.load_gpa + 0x200;

	/* The 8254 that Linux checks its IO-APIC timer path with (check_timer). */
	kvm_ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit);
}

/*
 * XCR0 starts as every user state component KVM offers (CPUID.0xD.0
 * EDX:EAX), the value Linux itself sets first thing (fpu__init_cpu_xstate).
 * Why not the reset value 1: in the sandbox, QEMU's emulated SVM does not
 * intercept the guest's XSETBV, so KVM never learns the guest's XCR0; it
 * then reports CPUID.0xD.0 EBX (the XSAVE size) for XCR0 = 1 and Linux
 * warns "XSAVE consistency problem: size 2696 != kernel_size 576", and it
 * reloads its stale XCR0 on every entry. Where XSETBV is intercepted this
 * changes nothing Linux can see.
 */
static void vcpu_set_xcr0(struct vcpu *vcpu)
{
	struct kvm_xcrs xcrs = { .nr_xcrs = 1 };
	struct kvm_cpuid2 *c = vcpu->vm->cpuid;

	if (!kvm_cap(vcpu->vm, KVM_CAP_XCRS) || !c)
		return;
	for (unsigned int i = 0; i < c->nent; i++) {
		if (c->entries[i].function == 0xd && c->entries[i].index == 0)
			xcrs.xcrs[0].value = c->entries[i].eax | (uint64_t)c->entries[i].edx << 32;
	}
	if (!(xcrs.xcrs[0].value & 1))
		return;
	xcrs.xcrs[0].xcr = 0;
	kvm_ioctl(vcpu->fd, KVM_SET_XCRS, &xcrs);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type, .present = 1,
		.dpl = 0, .db = !code64, .s = 1, .l = code64, .g = 1,
	};
}

/* The boot CPU's state at the 64-bit entry (boot.rst). */
void linux_vcpu_init(struct vcpu *vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	vcpu_set_xcr0(vcpu);
	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &sregs);
	seg(&sregs.cs, 0x10, 11, true);
	seg(&sregs.ds, 0x18, 3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	/* Never loaded from the GDT, but VMX checks them (SDM Vol. 3C 26.3.1.2). */
	sregs.tr = (struct kvm_segment){ .selector = 0x20, .limit = 0x67, .type = 11, .present = 1 };
	sregs.ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
	sregs.gdt.base = GDT_GPA;
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	sregs.cr3 = PT_GPA;
	sregs.cr4 = X86_CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &sregs);

	memset(&regs, 0, sizeof(regs));
	regs.rip = vcpu->vm->entry;
	regs.rsi = ZERO_PAGE_GPA;
	regs.rsp = ZERO_PAGE_GPA;
	regs.rflags = 0x2;	/* IF = 0: interrupts off at entry (boot.rst) */
	kvm_ioctl(vcpu->fd, KVM_SET_REGS, &regs);
}

/*
 * What the boot cost vmm-mini, on stderr: exits to user space by kind (the
 * console alone is two port exits a byte, LSR then THR), and how many
 * accesses went to ports nothing claims.
 */
void linux_report(struct vm *vm)
{
	uint64_t runs = 0, io = 0, mmio = 0;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		runs += vm->vcpus[i].runs;
		io += vm->vcpus[i].exits[EXIT_KIND_IO];
		mmio += vm->vcpus[i].exits[EXIT_KIND_MMIO];
	}
	pr_info("Linux guest: %llu KVM_RUN returns, %llu port I/O and %llu MMIO exits, %llu "
		"accesses to floating ports, %llu console bytes", (unsigned long long)runs,
		(unsigned long long)io, (unsigned long long)mmio,
		(unsigned long long)vm->pio_unclaimed, (unsigned long long)serial__tx_bytes());
}
