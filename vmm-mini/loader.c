// SPDX-License-Identifier: GPL-2.0
/*
 * loader.c - put the guest kernel into RAM: validate and load its ELF image,
 * build the identity page tables it enters with, and fill the boot-info page.
 *
 * The image is input like any other: every header field is checked against
 * the file's size and the guest's RAM before it is used, and a bad image is
 * a usage error (exit 2) with one line naming the problem.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/kvm.h"
#include "vmm/util.h"

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_US		(1ull << 2)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_PS		(1ull << 7)
#define SZ_2M		0x200000ull
#define SZ_1G		0x40000000ull

static uint8_t *read_image(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die_usage("guest image %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		die_usage("guest image %s: not a regular file", path);
	if (st.st_size > 64 << 20)
		die_usage("guest image %s: %lld bytes, larger than 64 MiB", path,
			  (long long)st.st_size);
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf)
		die("out of memory reading %s", path);
	n = read(fd, buf, st.st_size);
	if (n != st.st_size)
		die_usage("guest image %s: short read", path);
	close(fd);
	*size = st.st_size;
	return buf;
}

/*
 * With dry set, only validate (before /dev/kvm is opened, so that a bad image
 * is reported as such on any machine); otherwise copy into RAM.
 */
static void load_elf(struct vm *vm, const uint8_t *img, size_t size, bool dry)
{
	const char *path = vm->cfg.guest_path;
	const Elf64_Ehdr *eh = (const void *)img;
	bool entry_ok = false;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		die_usage("guest image %s: not an ELF file (or truncated header)", path);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB)
		die_usage("guest image %s: not a 64-bit little-endian ELF", path);
	if (eh->e_machine != EM_X86_64)
		die_usage("guest image %s: wrong machine %u, expected x86-64 (%u)", path,
			  eh->e_machine, EM_X86_64);
	if (eh->e_type != ET_EXEC)
		die_usage("guest image %s: not an executable (e_type %u)", path, eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phoff > size || (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		die_usage("guest image %s: program headers outside the file (truncated?)", path);

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff + i * sizeof(*ph));
		uint8_t *dst;

		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > size ||
		    ph->p_filesz > size - ph->p_offset)
			die_usage("guest image %s: segment %u extends past the end of the file "
				  "(truncated?)", path, i);
		if (ph->p_paddr < VIRQLAB_KERNEL_GPA || ph->p_paddr >= vm->ram_size ||
		    ph->p_memsz > vm->ram_size - ph->p_paddr)
			die_usage("guest image %s: segment %u [0x%llx, +0x%llx) lies outside guest "
				  "RAM [0x%llx, 0x%llx)", path, i, (unsigned long long)ph->p_paddr,
				  (unsigned long long)ph->p_memsz,
				  (unsigned long long)VIRQLAB_KERNEL_GPA,
				  (unsigned long long)vm->ram_size);
		if (!dry) {
			dst = gpa_to_hva(vm, ph->p_paddr, ph->p_memsz);
			memcpy(dst, img + ph->p_offset, ph->p_filesz);
			memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
		}
		if ((ph->p_flags & PF_X) && eh->e_entry >= ph->p_paddr &&
		    eh->e_entry - ph->p_paddr < ph->p_memsz)
			entry_ok = true;
	}
	if (!entry_ok)
		die_usage("guest image %s: entry point 0x%llx is not in a loaded executable segment",
			  path, (unsigned long long)eh->e_entry);
	vm->entry = eh->e_entry;
}

/*
 * Identity map: RAM with 2 MiB pages, user-accessible so that ring-3
 * consumers can read device rings in place, except the first 2 MiB with 4 KiB
 * pages so that page 0 can stay unmapped (NULL faults); the device window
 * [3 GiB, 4 GiB) uncached (SDM Vol. 3A 4.5, 11.12). Nothing above 4 GiB is
 * mapped, so VIRQLAB_UNMAPPED_GVA faults.
 */
static void build_page_tables(struct vm *vm)
{
	uint64_t *pml4 = gpa_to_hva(vm, VIRQLAB_PAGE_TABLES_GPA, 0x1000);
	uint64_t *pdpt = gpa_to_hva(vm, VIRQLAB_PAGE_TABLES_GPA + 0x1000, 0x1000);
	uint64_t *pd = gpa_to_hva(vm, VIRQLAB_PAGE_TABLES_GPA + 0x2000, 0x4000);
	uint64_t *pt = gpa_to_hva(vm, VIRQLAB_PAGE_TABLES_GPA + 0x6000, 0x1000);
	uint64_t gpa;

	memset(pml4, 0, VIRQLAB_PAGE_TABLES_END - VIRQLAB_PAGE_TABLES_GPA);
	/* Upper levels allow user access; the leaves decide (RAM yes, devices no). */
	pml4[0] = (VIRQLAB_PAGE_TABLES_GPA + 0x1000) | PTE_P | PTE_RW | PTE_US;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (VIRQLAB_PAGE_TABLES_GPA + 0x2000 + i * 0x1000) | PTE_P | PTE_RW | PTE_US;
	pd[0] = (VIRQLAB_PAGE_TABLES_GPA + 0x6000) | PTE_P | PTE_RW | PTE_US;
	for (int i = 1; i < 512; i++)
		pt[i] = (uint64_t)i * 0x1000 | PTE_P | PTE_RW | PTE_US;
	for (gpa = SZ_2M; gpa < vm->ram_size; gpa += SZ_2M)
		pd[gpa / SZ_2M] = gpa | PTE_P | PTE_RW | PTE_US | PTE_PS;
	for (gpa = VIRQLAB_MMIO_BASE; gpa < 4 * SZ_1G; gpa += SZ_2M)
		pd[gpa / SZ_2M] = gpa | PTE_P | PTE_RW | PTE_PS | PTE_PCD | PTE_PWT;
}

static void copy_str(char *dst, size_t size, const char *src, const char *what)
{
	if (!src)
		src = "";
	if (strlen(src) >= size)
		die_usage("%s '%.40s...' is longer than %zu bytes", what, src, size - 1);
	strcpy(dst, src);
}

static void fill_boot_info(struct vm *vm)
{
	struct virqlab_boot_info *bi = gpa_to_hva(vm, VIRQLAB_BOOT_INFO_GPA, sizeof(*bi));

	memset(bi, 0, sizeof(*bi));
	bi->magic = VIRQLAB_BOOT_MAGIC;
	bi->abi_version = VIRQLAB_ABI_VERSION;
	bi->vmm = VIRQLAB_VMM_MINI;
	bi->nr_vcpus = vm->nr_vcpus;
	bi->mem_bytes = vm->ram_size;
	bi->tsc_khz = vm->tsc_khz;
	copy_str(bi->test, sizeof(bi->test), vm->cfg.test, "--test");
	copy_str(bi->mode, sizeof(bi->mode), vm->cfg.mode, "--mode");
	copy_str(bi->args, sizeof(bi->args), vm->cfg.args, "--args");
}

/* The file bytes behind guest address va, at least len of them; NULL if none. */
static const uint8_t *image_at(const uint8_t *img, size_t size, uint64_t va, uint64_t len)
{
	const Elf64_Ehdr *eh = (const void *)img;

	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(img + eh->e_phoff + i * sizeof(*ph));

		if (ph->p_type == PT_LOAD && va >= ph->p_vaddr && va - ph->p_vaddr < ph->p_filesz &&
		    len <= ph->p_filesz - (va - ph->p_vaddr))
			return img + ph->p_offset + (va - ph->p_vaddr);
	}
	return NULL;
}

/*
 * The guest's self-tests are the entries between its linker script's
 * __start_guest_tests and __stop_guest_tests (struct guest_test in the guest's
 * kernel.h: name, run, ap_run, 8-byte pointers), found through the symbol
 * table. Calls fn for each name; returns false when the image has no such
 * symbols (stripped, or another kernel): then only the guest can judge a name.
 */
static bool for_each_guest_test(const uint8_t *img, size_t size,
				void (*fn)(const char *name, void *arg), void *arg)
{
	const Elf64_Ehdr *eh = (const void *)img;
	uint64_t start = 0, stop = 0;
	const Elf64_Shdr *sh;

	if (eh->e_shentsize != sizeof(*sh) || !eh->e_shnum ||
	    eh->e_shoff > size || (size - eh->e_shoff) / sizeof(*sh) < eh->e_shnum)
		return false;
	sh = (const void *)(img + eh->e_shoff);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const Elf64_Shdr *str = &sh[sh[i].sh_link];

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum ||
		    sh[i].sh_offset > size || sh[i].sh_size > size - sh[i].sh_offset ||
		    str->sh_offset > size || str->sh_size > size - str->sh_offset || !str->sh_size)
			continue;
		for (uint64_t off = 0; off + sizeof(Elf64_Sym) <= sh[i].sh_size;
		     off += sizeof(Elf64_Sym)) {
			const Elf64_Sym *sym = (const void *)(img + sh[i].sh_offset + off);
			const char *name = (const char *)img + str->sh_offset + sym->st_name;

			if (sym->st_name >= str->sh_size || memchr(name, '\0',
			    str->sh_size - sym->st_name) == NULL)
				continue;
			if (!strcmp(name, "__start_guest_tests"))
				start = sym->st_value;
			else if (!strcmp(name, "__stop_guest_tests"))
				stop = sym->st_value;
		}
	}
	if (!start || stop < start || (stop - start) % 24)
		return false;
	for (uint64_t va = start; va < stop; va += 24) {
		const uint8_t *ent = image_at(img, size, va, 24);
		const char *name;
		uint64_t name_va;

		if (!ent)
			return false;
		memcpy(&name_va, ent, sizeof(name_va));
		name = (const char *)image_at(img, size, name_va, 1);
		if (!name || !memchr(name, '\0', img + size - (const uint8_t *)name))
			return false;
		fn(name, arg);
	}
	return true;
}

struct test_lookup {
	const char *want;
	bool found;
	char list[1024];
};

static void note_test(const char *name, void *arg)
{
	struct test_lookup *l = arg;
	size_t n = strlen(l->list);

	if (!strcmp(name, l->want))
		l->found = true;
	snprintf(l->list + n, sizeof(l->list) - n, "%s%s", n ? " " : "", name);
}

static void print_test(const char *name, void *arg)
{
	puts(name);
}

static uint8_t *image;
static size_t image_size;

void guest_list_tests(struct vm *vm)
{
	vm->ram_size = vm->cfg.mem_bytes;
	image = read_image(vm->cfg.guest_path, &image_size);
	load_elf(vm, image, image_size, true);
	if (!for_each_guest_test(image, image_size, print_test, NULL))
		die_usage("guest image %s: no .guest_tests section to list", vm->cfg.guest_path);
}

/* Read and validate the image and boot arguments; needs no /dev/kvm. */
void guest_check(struct vm *vm)
{
	struct virqlab_boot_info bi;
	struct test_lookup l = { .want = vm->cfg.test };

	vm->ram_size = vm->cfg.mem_bytes;
	image = read_image(vm->cfg.guest_path, &image_size);
	load_elf(vm, image, image_size, true);
	/* An unknown name is the caller's mistake (2), not a guest failure (1). */
	if (for_each_guest_test(image, image_size, note_test, &l) && !l.found)
		die_usage("--test '%s': no such test in %s (it has: %s)", vm->cfg.test,
			  vm->cfg.guest_path, l.list);
	copy_str(bi.test, sizeof(bi.test), vm->cfg.test, "--test");
	copy_str(bi.mode, sizeof(bi.mode), vm->cfg.mode, "--mode");
	copy_str(bi.args, sizeof(bi.args), vm->cfg.args, "--args");
}

void guest_load(struct vm *vm)
{
	load_elf(vm, image, image_size, false);
	free(image);
	image = NULL;
	build_page_tables(vm);
	fill_boot_info(vm);
}
