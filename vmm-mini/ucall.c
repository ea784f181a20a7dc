// SPDX-License-Identifier: GPL-2.0
/*
 * ucall.c - host side of the guest-to-host call channel (KVM selftests'
 * ucall, carried on one port): the guest writes the GPA of a struct ucall.
 *
 * The struct lives in guest memory and is hostile input: it is copied out
 * once (so a second vCPU cannot change it under us), its GPA and every
 * argument are range-checked, and its message is bounded before printing.
 */
#include <stdarg.h>
#include <string.h>

#include "vmm/costs.h"
#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/util.h"
#include "vmm/virqnet_dev.h"

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", NULL,
	"#TS", "#NP", "#SS", "#GP", "#PF", NULL, "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP",
};

static void report(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	console__flush(vm);
	pthread_mutex_lock(&vm->console_lock);
	va_start(ap, fmt);
	pr_errv(fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&vm->console_lock);
}

static uint64_t guest_uc_result;

static int ucall_sync(struct vcpu *vcpu, struct ucall *uc)
{
	struct vm *vm = vcpu->vm;
	uint64_t *a = uc->args;

	switch (a[0]) {
	case SYNC_PING:
		return 0;
	case SYNC_SIGNAL_MSI:
		if (a[1] >= vm->nr_vcpus || a[2] < 32 || a[2] > 255)
			return -1;
		return irq__signal_msi(vm, a[1], a[2]);
	case SYNC_IRQFD:
		if (a[1] >= vm->nr_vcpus || a[2] < 32 || a[2] > 255)
			return -1;
		return irq__irqfd_fire(vm, a[1], a[2]);
	case SYNC_MSI_TIMED:
		if (a[1] >= vm->nr_vcpus || a[2] < 32 || a[2] > 255)
			return -1;
		return costs__msi_timed(vcpu, a[1], a[2], a[3], a[4]);
	case SYNC_SAMPLES:
		return costs__samples(vcpu, a[1], a[2], a[3]);
	case SYNC_TSC: {
		/*
		 * The guest read its TSC after our last KVM_RUN began and before this
		 * exit reached us, so with guest = host + offset the value must fall
		 * between the two host stamps.
		 */
		uint64_t now = rdtsc(), host;
		int64_t offset;

		if (vcpu_get_tsc_offset(vcpu, &offset)) {
			guest_uc_result = 2;	/* unknown: no KVM_VCPU_TSC_OFFSET */
			return 0;
		}
		host = a[1] - (uint64_t)offset;
		guest_uc_result = host >= vcpu->run_tsc && host <= now;
		if (!guest_uc_result)
			report(vm, "vCPU %d: guest TSC %llu - offset %lld = %llu outside [%llu, %llu]",
			       vcpu->id, (unsigned long long)a[1], (long long)offset,
			       (unsigned long long)host, (unsigned long long)vcpu->run_tsc,
			       (unsigned long long)now);
		return 0;
	}
	case SYNC_REPORT:
		if (vm->virqnet)
			virqnet_guest_report(vm->virqnet, a[1], a[2]);
		return 0;
	default:
		return -1;
	}
}

static bool ucall_io(struct vcpu *vcpu, uint64_t port, uint8_t *data, uint32_t len,
		     bool is_write, void *dev)
{
	struct vm *vm = dev;
	struct ucall *guest_uc, uc;
	uint32_t gpa;

	if (!is_write || len != 4)
		return false;
	memcpy(&gpa, data, 4);
	guest_uc = gpa_to_hva(vm, gpa, sizeof(uc));
	if (!guest_uc) {
		report(vm, "vCPU %d: ucall at GPA 0x%x outside guest RAM", vcpu->id, gpa);
		vm_finish(vm, VMM_EXIT_GUEST_FAIL);
		return true;
	}
	memcpy(&uc, guest_uc, sizeof(uc));
	uc.msg[UCALL_MSG_MAX - 1] = '\0';

	switch (uc.cmd) {
	case UCALL_SYNC:
		guest_uc_result = 0;
		if (uc.args[0] == SYNC_TSC) {
			ucall_sync(vcpu, &uc);
			guest_uc->args[5] = guest_uc_result;	/* the answer, written back */
			break;
		}
		if (ucall_sync(vcpu, &uc) < 0) {
			report(vm, "vCPU %d: guest sync request %llu with bad arguments", vcpu->id,
			       (unsigned long long)uc.args[0]);
			vm_finish(vm, VMM_EXIT_GUEST_FAIL);
		}
		break;
	case UCALL_DONE:
		vm_finish(vm, VMM_EXIT_OK);
		break;
	case UCALL_ABORT:
		report(vm, "guest assert failed on vCPU %d at %s", vcpu->id, uc.msg);
		vm_finish(vm, VMM_EXIT_GUEST_FAIL);
		break;
	case UCALL_EXCEPTION: {
		uint64_t vec = uc.args[0];
		char name[8];

		if (vec < 32 && exc_names[vec])
			snprintf(name, sizeof(name), "%s", exc_names[vec]);
		else
			snprintf(name, sizeof(name), "#%llu", (unsigned long long)(vec & 0xff));
		report(vm, "guest exception %s (vector %llu) error 0x%llx at RIP 0x%llx CR2 0x%llx "
		       "on vCPU %d", name, (unsigned long long)vec, (unsigned long long)uc.args[1],
		       (unsigned long long)uc.args[2], (unsigned long long)uc.args[3], vcpu->id);
		vm_finish(vm, VMM_EXIT_GUEST_FAIL);
		break;
	}
	case UCALL_SKIP:
		report(vm, "guest skipped the test: %s", uc.msg);
		vm_finish(vm, VMM_EXIT_SKIP);
		break;
	default:
		report(vm, "vCPU %d: unknown ucall %u", vcpu->id, uc.cmd);
		vm_finish(vm, VMM_EXIT_GUEST_FAIL);
		break;
	}
	return true;
}

void ucall__init(struct vm *vm)
{
	ioport__register(VIRQLAB_PORT_UCALL, 4, ucall_io, vm, "ucall");
}
