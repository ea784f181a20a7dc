// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-cpu.c - vCPUs: creation, CPUID, the 64-bit entry state, and the run
 * loop (one switch on the exit reason, as in kvmtool's kvm-cpu.c).
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/timeline.h"
#include "vmm/util.h"

#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)
#define CPUID_8000_0007_EDX_INVTSC (1u << 8)

#define X86_CR0_PE	(1ull << 0)
#define X86_CR0_MP	(1ull << 1)
#define X86_CR0_ET	(1ull << 4)
#define X86_CR0_NE	(1ull << 5)
#define X86_CR0_WP	(1ull << 16)
#define X86_CR0_PG	(1ull << 31)
#define X86_CR4_PAE	(1ull << 5)
#define X86_CR4_OSFXSR	(1ull << 9)
#define X86_CR4_OSXMMEXCPT (1ull << 10)
#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)

static struct kvm_cpuid2 *supported_cpuid(struct vm *vm)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 64;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
		if (!cpuid)
			die("out of memory for CPUID");
		cpuid->nent = nent;
		if (__kvm_ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			return cpuid;
		if (errno != E2BIG)
			die("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(cpuid);
		nent *= 2;
	}
}

/*
 * x2APIC is what the guest's interrupt path is written for (MSR access, no
 * MMIO exits for EOI on hosts with APIC virtualisation); KVM emulates it on
 * every host. The invariant-TSC bit tells the guest its TSC is a clock, which
 * KVM keeps true by giving every vCPU the same offset and rate. The APIC ID
 * fields are per vCPU (SDM Vol. 2A, CPUID leaves 01H and 0BH).
 */
static void vcpu_set_cpuid(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_cpuid2 *cpuid;
	size_t size;

	if (!vm->cpuid)
		vm->cpuid = supported_cpuid(vm);
	size = sizeof(*cpuid) + vm->cpuid->nent * sizeof(cpuid->entries[0]);
	cpuid = malloc(size);
	if (!cpuid)
		die("out of memory for CPUID");
	memcpy(cpuid, vm->cpuid, size);

	for (unsigned int i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 1:
			e->ecx |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_HYPERVISOR;
			/*
			 * KVM emulates the TSC-deadline timer but lists it only
			 * under KVM_GET_EMULATED_CPUID (api.rst): Linux needs it to
			 * skip calibrating its LAPIC timer.
			 */
			if (vm->cfg.kernel_path && kvm_cap(vm, KVM_CAP_TSC_DEADLINE_TIMER))
				e->ecx |= CPUID_1_ECX_TSC_DEADLINE;
			e->ebx = (e->ebx & 0x00ffffff) | ((uint32_t)vcpu->id << 24);
			break;
		case 0xb:
		case 0x1f:
			e->edx = vcpu->id;
			break;
		case 0x80000007:
			e->edx |= CPUID_8000_0007_EDX_INVTSC;
			break;
		}
	}
	kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
}

static void seg_flat(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code64)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !code64, .s = 1, .l = code64, .g = 1,
	};
}

/*
 * Enter the guest directly in 64-bit mode, as KVM selftests do: paging on
 * with vmm-mini's identity page tables, flat segments from hidden state.
 * The guest loads its own GDT/IDT/TSS first thing. TR and LDTR must still
 * be valid for VMX's guest-state checks (SDM Vol. 3C 26.3.1.2).
 */
static void vcpu_set_long_mode(struct vcpu *vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &sregs);
	seg_flat(&sregs.cs, 0x08, 11, true);
	seg_flat(&sregs.ds, 0x10, 3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr = (struct kvm_segment){ .selector = 0x18, .limit = 0x67, .type = 11, .present = 1 };
	sregs.ldt = (struct kvm_segment){ .selector = 0, .type = 2, .present = 1, .unusable = 1 };
	sregs.gdt.base = 0;
	sregs.gdt.limit = 0;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	sregs.cr3 = VIRQLAB_PAGE_TABLES_GPA;
	sregs.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	sregs.efer = EFER_LME | EFER_LMA;
	kvm_ioctl(vcpu->fd, KVM_SET_SREGS, &sregs);

	memset(&regs, 0, sizeof(regs));
	regs.rip = vcpu->vm->entry;
	regs.rdi = VIRQLAB_BOOT_INFO_GPA;
	regs.rsi = vcpu->id;
	regs.rflags = 0x2;
	kvm_ioctl(vcpu->fd, KVM_SET_REGS, &regs);
}

void vcpu_create(struct vm *vm, int id)
{
	struct vcpu *vcpu = &vm->vcpus[id];
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = kvm_ioctl_val(vm->vm_fd, KVM_CREATE_VCPU, id);
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED)
		die("mmap of vCPU %d kvm_run: %s", id, strerror(errno));
	vcpu_set_cpuid(vcpu);
	vcpu_set_long_mode(vcpu);
	/*
	 * With an in-kernel LAPIC, KVM parks APs in wait-for-SIPI; every vCPU
	 * of ours enters _start directly instead.
	 */
	kvm_ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp);
	if (id == 0) {
		long khz = __kvm_ioctl_val(vcpu->fd, KVM_GET_TSC_KHZ, 0);

		vm->tsc_khz = khz > 0 ? (uint64_t)khz : 0;
	}
}

/*
 * One MSR as KVM holds it for the vCPU. Only while the vCPU is not in
 * KVM_RUN (its own thread, or after it was joined): KVM_GET_MSRS waits for
 * the vCPU otherwise. 0, or a negative errno (-ENOENT: KVM has no such MSR).
 */
int vcpu_get_msr(struct vcpu *vcpu, uint32_t index, uint64_t *value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e.index = index };
	int n = __kvm_ioctl(vcpu->fd, KVM_GET_MSRS, &m.hdr);

	if (n < 0)
		return -errno;
	if (n != 1)
		return -ENOENT;
	*value = m.e.data;
	return 0;
}

/*
 * guest_tsc = host_tsc + offset when the guest runs at the host's TSC rate.
 * KVM reports the offset it applies through the vCPU TSC attribute group
 * (Documentation/virt/kvm/devices/vcpu.rst, KVM_VCPU_TSC_CTRL).
 */
int vcpu_get_tsc_offset(struct vcpu *vcpu, int64_t *offset)
{
#ifdef KVM_VCPU_TSC_CTRL
	struct kvm_device_attr attr = {
		.group = KVM_VCPU_TSC_CTRL,
		.attr = KVM_VCPU_TSC_OFFSET,
		.addr = (uintptr_t)offset,
	};

	if (__kvm_ioctl(vcpu->fd, KVM_HAS_DEVICE_ATTR, &attr) < 0)
		return -errno;
	if (__kvm_ioctl(vcpu->fd, KVM_GET_DEVICE_ATTR, &attr) < 0)
		return -errno;
	return 0;
#else
	(void)vcpu;
	(void)offset;
	return -ENOTSUP;
#endif
}

void vcpu_dump(struct vcpu *vcpu, FILE *out)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (__kvm_ioctl(vcpu->fd, KVM_GET_REGS, &r) < 0 ||
	    __kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s) < 0) {
		fprintf(out, "  (registers unavailable: %s)\n", strerror(errno));
		return;
	}
	fprintf(out, "  RIP %016llx RSP %016llx RFLAGS %08llx\n", r.rip, r.rsp, r.rflags);
	fprintf(out, "  RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", r.rax, r.rbx, r.rcx, r.rdx);
	fprintf(out, "  RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", r.rsi, r.rdi, r.rbp, r.r8);
	fprintf(out, "  R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", r.r9, r.r10, r.r11, r.r12);
	fprintf(out, "  R13 %016llx R14 %016llx R15 %016llx\n", r.r13, r.r14, r.r15);
	fprintf(out, "  CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx EFER %llx\n",
		s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
	fprintf(out, "  CS %04x (base %llx l %u dpl %u) SS %04x GDT %llx/%x IDT %llx/%x\n",
		s.cs.selector, s.cs.base, s.cs.l, s.cs.dpl, s.ss.selector, s.gdt.base, s.gdt.limit,
		s.idt.base, s.idt.limit);
}

static const char *exit_reason_name(uint32_t r)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
		[KVM_EXIT_IO] = "KVM_EXIT_IO",
		[KVM_EXIT_HLT] = "KVM_EXIT_HLT",
		[KVM_EXIT_MMIO] = "KVM_EXIT_MMIO",
		[KVM_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN (triple fault)",
		[KVM_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
		[KVM_EXIT_INTR] = "KVM_EXIT_INTR",
		[KVM_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
		[KVM_EXIT_SYSTEM_EVENT] = "KVM_EXIT_SYSTEM_EVENT",
	};

	if (r < ARRAY_SIZE(names) && names[r])
		return names[r];
	return "unhandled exit reason";
}

/* An exit we cannot continue from: say what and where, dump, exit 3. */
static void vcpu_fatal(struct vcpu *vcpu, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vcpu_fatal(struct vcpu *vcpu, const char *fmt, ...)
{
	struct kvm_regs r = { 0 };
	char what[512];
	va_list ap;

	console__flush(vcpu->vm);
	__kvm_ioctl(vcpu->fd, KVM_GET_REGS, &r);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&vcpu->vm->console_lock);
	pr_err("vCPU %d: %s at guest RIP 0x%llx", vcpu->id, what, r.rip);
	vcpu_dump(vcpu, stderr);
	pthread_mutex_unlock(&vcpu->vm->console_lock);
	vm_finish(vcpu->vm, VMM_EXIT_HOST);
}

/* Returns false when the vCPU must stop. */
static bool vcpu_handle_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO: {
		/* KVM guarantees data_offset + size*count lies in the run page. */
		uint8_t *data = (uint8_t *)run + run->io.data_offset;
		bool is_write = run->io.direction == KVM_EXIT_IO_OUT;

		vcpu->exits[EXIT_KIND_IO]++;
		if (!ioport__emulate(vcpu, run->io.port, data, run->io.size, run->io.count,
				     is_write)) {
			/*
			 * Linux probes legacy ports (CMOS, DMA, floppy, more UARTs)
			 * that a PC without the device leaves floating: reads give
			 * all ones, writes vanish. The virqlab guest touches none.
			 */
			if (vcpu->vm->cfg.kernel_path) {
				if (!is_write)
					memset(data, 0xff, (size_t)run->io.size * run->io.count);
				vcpu->vm->pio_unclaimed++;
				return true;
			}
			if (!atomic_load(&vcpu->vm->stopping))
				vcpu_fatal(vcpu, "unclaimed port I/O: %s port 0x%x size %u",
					   is_write ? "out" : "in", run->io.port, run->io.size);
			return false;
		}
		return true;
	}
	case KVM_EXIT_MMIO:
		vcpu->exits[EXIT_KIND_MMIO]++;
		if (run->mmio.len > sizeof(run->mmio.data) ||
		    !mmio__emulate(vcpu, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
				   run->mmio.is_write)) {
			if (!atomic_load(&vcpu->vm->stopping))
				vcpu_fatal(vcpu, "unclaimed MMIO: %s 0x%llx len %u",
					   run->mmio.is_write ? "write" : "read",
					   run->mmio.phys_addr, run->mmio.len);
			return false;
		}
		return true;
	case KVM_EXIT_INTR:
		vcpu->exits[EXIT_KIND_INTR]++;
		return !atomic_load(&vcpu->vm->stopping);
	case KVM_EXIT_INTERNAL_ERROR:
		vcpu_fatal(vcpu, "KVM_EXIT_INTERNAL_ERROR suberror %u", run->internal.suberror);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		vcpu_fatal(vcpu, "KVM_EXIT_FAIL_ENTRY hardware reason 0x%llx",
			   (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		vcpu_fatal(vcpu, "KVM_EXIT_SYSTEM_EVENT type %u", run->system_event.type);
		return false;
	default:
		vcpu->exits[EXIT_KIND_OTHER]++;
		vcpu_fatal(vcpu, "unexpected exit %s (%u)", exit_reason_name(run->exit_reason),
			   run->exit_reason);
		return false;
	}
}

enum { SNAP_IDLE, SNAP_ASKED, SNAP_TAKING, SNAP_DONE };

static void vcpu_take_snapshot(struct vcpu *vcpu);

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	sigset_t set;

	/* SIGUSR1 is the kick: let it through only to interrupt KVM_RUN. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	if (vcpu->id == 0)
		timeline_mark("vcpu-entry", "vCPU 0's first KVM_RUN");
	while (!atomic_load(&vcpu->vm->stopping)) {
		int r;

		vcpu->run_tsc = rdtsc();
		r = __kvm_ioctl_val(vcpu->fd, KVM_RUN, 0);
		/* One per kvm:kvm_userspace_exit event: the probes check this. */
		vcpu->runs++;
		if (atomic_load(&vcpu->snap_state) == SNAP_ASKED)
			vcpu_take_snapshot(vcpu);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vcpu->run->immediate_exit = 0;
				continue;
			}
			if (!atomic_load(&vcpu->vm->stopping)) {
				pr_info("KVM_RUN on vCPU %d: %s", vcpu->id, strerror(errno));
				vm_finish(vcpu->vm, VMM_EXIT_HOST);
			}
			break;
		}
		if (!vcpu_handle_exit(vcpu))
			break;
	}
	return NULL;
}

static void kick_handler(int sig)
{
	(void)sig;
}

void vcpu_start(struct vcpu *vcpu)
{
	static bool handler_installed;
	pthread_attr_t attr, *pin;
	int err;

	if (!handler_installed) {
		/* No SA_RESTART: the kick must make KVM_RUN return EINTR. */
		struct sigaction sa = { .sa_handler = kick_handler };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		handler_installed = true;
	}
	pin = thread_attr_pinned(&attr, vcpu->vm->cfg.vcpu_cpu);
	err = pthread_create(&vcpu->thread, pin, vcpu_thread, vcpu);
	if (pin)
		pthread_attr_destroy(pin);
	if (err)
		die("pthread_create for vCPU %d: %s", vcpu->id, strerror(err));
	vcpu->started = true;
}

/*
 * immediate_exit closes the race with a vCPU that is between its stopping
 * check and KVM_RUN: KVM returns -EINTR at once if it is set on entry, and
 * the signal interrupts a KVM_RUN already in progress.
 */
void vcpu_kick(struct vcpu *vcpu)
{
	if (!vcpu->started)
		return;
	vcpu->run->immediate_exit = 1;
	pthread_kill(vcpu->thread, SIGUSR1);
}

/* In the vCPU's own thread, between two KVM_RUNs. */
static void vcpu_take_snapshot(struct vcpu *vcpu)
{
	int asked = SNAP_ASKED;
	struct vcpu_snapshot *s = vcpu->snap;

	if (!atomic_compare_exchange_strong(&vcpu->snap_state, &asked, SNAP_TAKING))
		return;
	s->err = 0;
	if (__kvm_ioctl(vcpu->fd, KVM_GET_REGS, &s->regs) < 0 ||
	    __kvm_ioctl(vcpu->fd, KVM_GET_SREGS, &s->sregs) < 0 ||
	    __kvm_ioctl(vcpu->fd, KVM_GET_LAPIC, &s->lapic) < 0 ||
	    __kvm_ioctl(vcpu->fd, KVM_GET_MP_STATE, &s->mp) < 0 ||
	    __kvm_ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &s->events) < 0)
		s->err = errno;
	atomic_store(&vcpu->snap_state, SNAP_DONE);
}

/*
 * Kick the vCPU out of KVM_RUN and have its thread record its state. Waits
 * at most a second; false if the vCPU thread never came back (then nothing
 * is written to *s afterwards).
 */
bool vcpu_snapshot(struct vcpu *vcpu, struct vcpu_snapshot *s)
{
	int asked = SNAP_ASKED;

	if (!vcpu->started)
		return false;
	vcpu->snap = s;
	atomic_store(&vcpu->snap_state, SNAP_ASKED);
	vcpu_kick(vcpu);
	for (int i = 0; i < 1000; i++) {
		if (atomic_load(&vcpu->snap_state) == SNAP_DONE)
			break;
		usleep(1000);
	}
	if (atomic_compare_exchange_strong(&vcpu->snap_state, &asked, SNAP_IDLE))
		return false;
	while (atomic_load(&vcpu->snap_state) != SNAP_DONE)
		usleep(100);
	atomic_store(&vcpu->snap_state, SNAP_IDLE);
	return s->err == 0;
}

/* reg: APIC_ISR 0x100, APIC_TMR 0x180, APIC_IRR 0x200 (SDM Vol. 3A 11.8.4). */
bool lapic_vector_bit(const struct kvm_lapic_state *l, unsigned int reg, unsigned int vector)
{
	uint32_t word;

	memcpy(&word, &l->regs[reg + 0x10 * (vector / 32)], sizeof(word));
	return word >> (vector % 32) & 1;
}

static void lapic_vectors(char *buf, size_t size, const struct kvm_lapic_state *l,
			  unsigned int reg)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int v = 16; v < 256 && n + 8 < size; v++)
		if (lapic_vector_bit(l, reg, v))
			n += snprintf(buf + n, size - n, "%s0x%02x", n ? "," : "", v);
	if (!n)
		snprintf(buf, size, "-");
}

void vcpu_snapshot_print(const struct vcpu_snapshot *s, int id, unsigned int vector)
{
	static const char *const mp_names[] = {
		"runnable", "uninitialized", "init-received", "halted", "sipi-received",
	};
	const char *mp = s->mp.mp_state < ARRAY_SIZE(mp_names) ? mp_names[s->mp.mp_state] : "?";
	char irr[128], isr[128];

	lapic_vectors(irr, sizeof(irr), &s->lapic, 0x200);
	lapic_vectors(isr, sizeof(isr), &s->lapic, 0x100);
	pr_warn("vCPU %d: RIP 0x%llx CPL %u IF %u %s; LAPIC IRR %s ISR %s (vector 0x%02x: "
		"irr %u isr %u); event injected %u vector 0x%02x shadow %u",
		id, s->regs.rip, s->sregs.cs.selector & 3, (unsigned int)(s->regs.rflags >> 9 & 1),
		mp, irr, isr, vector, lapic_vector_bit(&s->lapic, 0x200, vector),
		lapic_vector_bit(&s->lapic, 0x100, vector), s->events.interrupt.injected,
		s->events.interrupt.nr, s->events.interrupt.shadow);
}
