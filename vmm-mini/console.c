// SPDX-License-Identifier: GPL-2.0
/*
 * console.c - the guest console on port 0xe9 (the Bochs/QEMU debug port,
 * so the same guest prints under QEMU). Bytes are collected per vCPU and
 * written a line at a time, so that lines from two vCPUs never interleave.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/util.h"

#define LINE_MAX_BYTES 256

static char line_buf[VIRQLAB_MAX_VCPUS][LINE_MAX_BYTES];
static unsigned int line_len[VIRQLAB_MAX_VCPUS];

static void console_emit(struct vm *vm, int cpu)
{
	pthread_mutex_lock(&vm->console_lock);
	fwrite(line_buf[cpu], 1, line_len[cpu], vm->console);
	fflush(vm->console);
	pthread_mutex_unlock(&vm->console_lock);
	line_len[cpu] = 0;
}

static bool console_io(struct vcpu *vcpu, uint64_t port, uint8_t *data, uint32_t len,
		       bool is_write, void *dev)
{
	struct vm *vm = dev;
	int cpu = vcpu->id;

	if (!is_write) {
		memset(data, 0, len);	/* nothing to read: the guest polls nothing */
		return true;
	}
	for (uint32_t i = 0; i < len; i++) {
		char c = data[i];

		/* Keep the host terminal sane whatever the guest writes. */
		if (c != '\n' && c != '\t' && (c < 0x20 || c > 0x7e))
			c = '?';
		line_buf[cpu][line_len[cpu]++] = c;
		if (c == '\n' || line_len[cpu] == LINE_MAX_BYTES)
			console_emit(vm, cpu);
	}
	return true;
}

void console__flush(struct vm *vm)
{
	for (unsigned int cpu = 0; cpu < vm->nr_vcpus; cpu++) {
		if (!line_len[cpu])
			continue;
		line_buf[cpu][line_len[cpu]++] = '\n';
		console_emit(vm, cpu);
	}
}

void console__init(struct vm *vm)
{
	ioport__register(VIRQLAB_PORT_CONSOLE, 1, console_io, vm, "console");
}
