// SPDX-License-Identifier: GPL-2.0
/*
 * pvh.c - the QEMU side door: turn the PVH start info into the boot info
 * vmm-mini would have written, then join the common path in kmain().
 *
 * QEMU (-kernel build/guest.elf) enters pvh_start (head.S) on the BSP only,
 * with EBX pointing at struct hvm_start_info (Xen's public/arch-x86/
 * hvm/start_info.h). The command line, from -append, carries the same things
 * vmm-mini's flags do: "test=NAME mode=MODE key=value ...": test and mode
 * go to their fields, every other word to args. RAM size comes from the
 * start info's E820-style memory map. nr_vcpus is 1 until the BSP has
 * started the APs the MADT lists (smp_qemu.c); tests that need vmm-mini's
 * devices skip.
 */
#include "kernel/acpi.h"
#include "kernel/kernel.h"

#define HVM_START_MAGIC		0x336ec578
#define E820_RAM		1

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;		/* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

static struct virqlab_boot_info bi;

/* The end of the highest RAM range below the device window. */
static uint64_t ram_top(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e = (const void *)si->memmap_paddr;
	uint64_t top = 0;

	if (si->version < 1 || !si->memmap_paddr || !si->memmap_entries)
		GUEST_FAIL("PVH start info version %u has no memory map", si->version);
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		uint64_t end = e[i].addr + e[i].size;

		if (e[i].type != E820_RAM || e[i].addr >= VIRQLAB_RAM_MAX)
			continue;
		if (end > VIRQLAB_RAM_MAX)
			end = VIRQLAB_RAM_MAX;
		if (end > top)
			top = end;
	}
	return top;
}

/* Copy word [w, w + n) into dst at *len, space-separated; fail if too long. */
static void put_word(char *dst, size_t size, size_t *len, const char *w, size_t n,
		     const char *what)
{
	size_t sep = *len ? 1 : 0;

	if (*len + sep + n >= size)
		GUEST_FAIL("-append: %s longer than %zu bytes", what, size - 1);
	if (sep)
		dst[(*len)++] = ' ';
	memcpy(dst + *len, w, n);
	*len += n;
	dst[*len] = '\0';
}

static void parse_cmdline(const char *p)
{
	size_t test_len = 0, mode_len = 0, args_len = 0;

	while (p && *p) {
		const char *w;
		size_t n;

		while (*p == ' ')
			p++;
		for (w = p; *p && *p != ' '; p++)
			;
		n = p - w;
		if (n > 5 && !strncmp(w, "test=", 5)) {
			test_len = 0;
			put_word(bi.test, sizeof(bi.test), &test_len, w + 5, n - 5, "test name");
		} else if (n > 5 && !strncmp(w, "mode=", 5)) {
			mode_len = 0;
			put_word(bi.mode, sizeof(bi.mode), &mode_len, w + 5, n - 5, "mode");
		} else if (n) {
			put_word(bi.args, sizeof(bi.args), &args_len, w, n, "key=value arguments");
		}
	}
}

void __attribute__((noreturn)) pvh_main(uint32_t start_info)
{
	const struct hvm_start_info *si = (const void *)(uint64_t)start_info;

	percpu_init(0);
	guest_vmm = VIRQLAB_VMM_QEMU;
	if (si->magic != HVM_START_MAGIC)
		GUEST_FAIL("PVH start info magic 0x%x, expected 0x%x", si->magic,
			   HVM_START_MAGIC);
	bi.magic = VIRQLAB_BOOT_MAGIC;
	bi.abi_version = VIRQLAB_ABI_VERSION;
	bi.vmm = VIRQLAB_VMM_QEMU;
	bi.nr_vcpus = 1;
	bi.mem_bytes = ram_top(si);
	memcpy(bi.test, "hello", sizeof("hello"));	/* vmm-mini's defaults */
	memcpy(bi.mode, "inject", sizeof("inject"));
	parse_cmdline((const char *)si->cmdline_paddr);
	acpi_rsdp_pa = si->rsdp_paddr;	/* the tables stay; the start info need not */
	kmain(&bi, 0, VIRQLAB_VMM_QEMU);
}
