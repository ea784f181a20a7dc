/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm.h - the VM and its vCPUs as vmm-mini sees them.
 */
#ifndef VMM_KVM_H
#define VMM_KVM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>

#include "uapi/virqlab_abi.h"
#include "vmm/util.h"

/*
 * KVM ioctls as KVM selftests issue them (kvm_util.h: kvm_ioctl and
 * __kvm_ioctl). The argument must be the size the request number encodes
 * (_IOC_SIZE; Documentation/virt/kvm/api.rst gives each ioctl's
 * "Parameters"), checked when it compiles; a variable-length argument
 * (struct kvm_cpuid2, kvm_msrs, kvm_irq_routing) is passed as its header.
 * __kvm_ioctl() returns the raw result (-1 with errno); kvm_ioctl() dies
 * naming the request: "KVM_SET_USER_MEMORY_REGION: Invalid argument", exit
 * 3. The _val forms are for requests that take a value, not a pointer
 * (_IO: KVM_CREATE_VCPU's id, KVM_CHECK_EXTENSION's capability), and check
 * that the request encodes no argument size.
 */
/* NAME is #req, taken before req expands, so that messages say KVM_RUN, not a number. */
#define kvm_do_ioctl(fd, req, name, argp) ({					\
	_Static_assert(!_IOC_SIZE(req) || _IOC_SIZE(req) == sizeof(*(argp)),	\
		       name ": argument is not the size the request encodes");	\
	ioctl(fd, req, argp);							\
})
#define kvm_do_ioctl_val(fd, req, name, val) ({					\
	_Static_assert(_IOC_SIZE(req) == 0, name " takes a pointer, not a value"); \
	ioctl(fd, req, (unsigned long)(val));					\
})
#define __kvm_ioctl(fd, req, argp)	kvm_do_ioctl(fd, req, #req, argp)
#define __kvm_ioctl_val(fd, req, val)	kvm_do_ioctl_val(fd, req, #req, val)
#define kvm_ioctl(fd, req, argp) ({						\
	long __r = kvm_do_ioctl(fd, req, #req, argp);				\
	if (__r < 0)								\
		kvm_ioctl_fail(#req);						\
	__r;									\
})
#define kvm_ioctl_val(fd, req, val) ({						\
	long __r = kvm_do_ioctl_val(fd, req, #req, val);			\
	if (__r < 0)								\
		kvm_ioctl_fail(#req);						\
	__r;									\
})

struct vm;
struct virqnet_mode_ops;

/* vmm-mini's own view of the exits it handled, per vCPU. */
enum exit_kind {
	EXIT_KIND_IO = 0,
	EXIT_KIND_MMIO,
	EXIT_KIND_INTR,
	EXIT_KIND_OTHER,
	EXIT_KIND_NR
};

struct vcpu {
	struct vm *vm;
	int id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool started;
	uint64_t exits[EXIT_KIND_NR];
	uint64_t runs;			/* KVM_RUN returns, errors included */
	uint64_t run_tsc;		/* host TSC just before the last KVM_RUN */
	/* vcpu_snapshot(): asked for by another thread, taken by this one. */
	atomic_int snap_state;
	struct vcpu_snapshot *snap;
};

/*
 * What a stuck vCPU was doing, for a diagnostic line. Its own thread takes
 * it between two KVM_RUNs, where the state ioctls are safe and the state is
 * the one the guest left (a halted vCPU stays halted: KVM_RUN returns EINTR
 * with mp_state unchanged).
 */
struct vcpu_snapshot {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_lapic_state lapic;
	struct kvm_mp_state mp;
	struct kvm_vcpu_events events;
	int err;			/* errno of the first ioctl that failed, or 0 */
};

struct vm_config {
	const char *guest_path;
	const char *kernel_path;		/* --kernel: a Linux bzImage instead of the guest ELF */
	const char *initrd_path;
	const char *append;
	const char *console_path;
	const char *timeline_path;		/* --boot-timeline */
	const char *test;
	const char *mode;
	const char *args;
	unsigned int nr_vcpus;
	unsigned int nr_queues;		/* --queues: the receive device's */
	uint64_t mem_bytes;
	double timeout_s;		/* 0: none */
	const char *source;		/* udp:ADDR:PORT or NULL */
	const char *stats_path;
	const struct virqnet_mode_ops *rx_mode;	/* --mode's entry of virqnet_modes[] */
	uint64_t count;
	double duration_s;
	double idle_s;
	uint64_t coalesce_us;		/* coalesce: the moderation window */
	uint64_t poll_us;		/* mask-poll: the guest consumer's poll window */
	uint64_t adaptive_up_pps;	/* adaptive: poll from this arrival rate up */
	uint64_t adaptive_down_pps;	/* adaptive: stop polling at this rate or below */
	int rx_cpu, vcpu_cpu;		/* host CPU to pin the thread to, -1 = any */
	bool test_given;
	bool accept_foreign;		/* deliver datagrams without virqlab's header too */
};

/* The KVM implementation underneath us, reported with every figure. */
struct kvm_flavour {
	char name[8];			/* vmx, svm, pvm, unknown */
	bool cpu_emulated;		/* e.g. QEMU TCG in the sandbox */
	char cpu_model[96];
	char host_kernel[96];
};

struct vm {
	struct vm_config cfg;
	struct kvm_flavour flavour;
	int sys_fd;
	int vm_fd;
	uint8_t *ram;
	uint64_t ram_size;
	uint64_t entry;
	int run_size;
	uint64_t tsc_khz;
	struct kvm_cpuid2 *cpuid;
	struct vcpu vcpus[VIRQLAB_MAX_VCPUS];
	unsigned int nr_vcpus;

	FILE *console;
	pthread_mutex_t console_lock;

	/* Termination: the first verdict wins, then every vCPU is kicked. */
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	bool done;
	int exit_code;
	atomic_bool stopping;

	/* Guest-requested test data (costs test). */
	struct costs *costs;
	struct irq_state *irq;
	struct virqnet *virqnet;
	uint64_t pio_unclaimed;		/* Linux guest: floating-port accesses */
};

/* kvm.c */
void vm_create(struct vm *vm);
void vm_destroy(struct vm *vm);
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
void vm_finish(struct vm *vm, int exit_code);
void kvm_flavour_detect(struct kvm_flavour *f);
bool kvm_cap(struct vm *vm, long cap);

/* kvm-cpu.c */
void vcpu_create(struct vm *vm, int id);
void vcpu_start(struct vcpu *vcpu);
void vcpu_kick(struct vcpu *vcpu);
void vcpu_dump(struct vcpu *vcpu, FILE *out);
bool vcpu_snapshot(struct vcpu *vcpu, struct vcpu_snapshot *s);
bool lapic_vector_bit(const struct kvm_lapic_state *l, unsigned int reg, unsigned int vector);
void vcpu_snapshot_print(const struct vcpu_snapshot *s, int id, unsigned int vector);
int vcpu_get_tsc_offset(struct vcpu *vcpu, int64_t *offset);
int vcpu_get_msr(struct vcpu *vcpu, uint32_t index, uint64_t *value);

/* loader.c */
void guest_check(struct vm *vm);
void guest_list_tests(struct vm *vm);
void guest_load(struct vm *vm);

#endif
