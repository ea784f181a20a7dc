// SPDX-License-Identifier: GPL-2.0
/*
 * kvm.c - the VM: /dev/kvm, guest RAM, the in-kernel irqchip, the flavour of
 * KVM underneath, and the one place a verdict ends the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "vmm/kvm.h"
#include "vmm/timeline.h"
#include "vmm/util.h"

/*
 * The flavour decides how to read every figure (PVM emulates guest ring 0;
 * in the sandbox the whole CPU is emulated), so it is detected, never
 * assumed, and printed next to the numbers.
 */
void kvm_flavour_detect(struct kvm_flavour *f)
{
	struct utsname u;
	char line[256];
	FILE *fp;

	strcpy(f->name, "unknown");
	if (access("/sys/module/kvm_pvm", F_OK) == 0)
		strcpy(f->name, "pvm");
	else if (access("/sys/module/kvm_intel", F_OK) == 0)
		strcpy(f->name, "vmx");
	else if (access("/sys/module/kvm_amd", F_OK) == 0)
		strcpy(f->name, "svm");

	f->cpu_model[0] = '\0';
	f->cpu_emulated = false;
	fp = fopen("/proc/cpuinfo", "r");
	while (fp && fgets(line, sizeof(line), fp)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon += strspn(colon + 1, " \t") + 1;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(f->cpu_model, sizeof(f->cpu_model), "%s", colon);
		break;
	}
	if (fp)
		fclose(fp);
	/* QEMU's TCG names its CPUs "QEMU ..."; the sandbox also says so. */
	if (strstr(f->cpu_model, "QEMU") || getenv("VIRQLAB_IN_SANDBOX"))
		f->cpu_emulated = true;

	f->host_kernel[0] = '\0';
	if (uname(&u) == 0)
		snprintf(f->host_kernel, sizeof(f->host_kernel), "%s", u.release);
}

bool kvm_cap(struct vm *vm, long cap)
{
	return __kvm_ioctl_val(vm->vm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

static void require_cap(struct vm *vm, long cap, const char *name)
{
	if (!kvm_cap(vm, cap))
		die("KVM lacks %s, which vmm-mini needs", name);
}

void vm_create(struct vm *vm)
{
	struct kvm_userspace_memory_region region;
	long api;

	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		die("/dev/kvm: %s", strerror(errno));
	api = kvm_ioctl_val(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		die("KVM_GET_API_VERSION: %ld, expected %d", api, KVM_API_VERSION);

	vm->vm_fd = kvm_ioctl_val(vm->sys_fd, KVM_CREATE_VM, 0);
	require_cap(vm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP");
	require_cap(vm, KVM_CAP_IRQFD, "KVM_CAP_IRQFD");
	require_cap(vm, KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI");
	require_cap(vm, KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT");

	vm->run_size = kvm_ioctl_val(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

	/* VMX needs a TSS region below 4 GiB outside RAM; harmless elsewhere. */
	if (kvm_cap(vm, KVM_CAP_SET_TSS_ADDR))
		kvm_ioctl_val(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000);
	kvm_ioctl_val(vm->vm_fd, KVM_CREATE_IRQCHIP, 0);

	vm->ram_size = vm->cfg.mem_bytes;
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED)
		die("mmap of %llu MiB guest RAM: %s", (unsigned long long)vm->ram_size >> 20,
		    strerror(errno));
	madvise(vm->ram, vm->ram_size, MADV_MERGEABLE);

	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = vm->ram_size,
		.userspace_addr = (uintptr_t)vm->ram,
	};
	kvm_ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

void vm_destroy(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		munmap(vm->vcpus[i].run, vm->run_size);
		close(vm->vcpus[i].fd);
	}
	if (vm->ram && vm->ram != MAP_FAILED)
		munmap(vm->ram, vm->ram_size);
	close(vm->vm_fd);
	close(vm->sys_fd);
	free(vm->cpuid);
}

/*
 * The only way from a guest address to host memory. Returns NULL unless all
 * of [gpa, gpa + len) lies in RAM; the arithmetic cannot overflow because
 * gpa is compared before the addition.
 */
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return vm->ram + gpa;
}

/* Record the first verdict and stop every vCPU. */
void vm_finish(struct vm *vm, int exit_code)
{
	pthread_mutex_lock(&vm->lock);
	if (!vm->done) {
		vm->done = true;
		vm->exit_code = exit_code;
		atomic_store(&vm->stopping, true);
		if (timeline_on) {
			char code[16];

			snprintf(code, sizeof(code), "exit %d", exit_code);
			timeline_mark("verdict", code);
		}
		pthread_cond_broadcast(&vm->done_cond);
	}
	pthread_mutex_unlock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}
