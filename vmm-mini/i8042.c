// SPDX-License-Identifier: GPL-2.0
/*
 * i8042.c - the PC keyboard controller, as little of it as a Linux guest
 * needs: its command byte (so that drivers/input/serio/i8042.c finds a
 * controller at once instead of timing out), its self-test, and the reset
 * line. reboot=k makes Linux pulse that line (command 0xfe on port 0x64,
 * arch/x86/kernel/reboot.c): that is the guest ending the run, and vmm-mini
 * exits 0 with a line saying so. No keyboard or mouse sits behind it; boot
 * Linux with i8042.nokbd i8042.noaux so that it does not look for them.
 */
#include <pthread.h>

#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/linux_boot.h"
#include "vmm/util.h"

#define I8042_DATA	0x60
#define I8042_CMD	0x64

#define STS_OBF		0x01	/* output buffer full: a byte waits at 0x60 */
#define STS_SYS		0x04	/* system flag: POST passed */
#define STS_UNLOCKED	0x10	/* keyboard not inhibited (keylock off) */

#define CMD_READ_CTR	0x20
#define CMD_WRITE_CTR	0x60
#define CMD_AUX_DISABLE	0xa7
#define CMD_AUX_ENABLE	0xa8
#define CMD_AUX_TEST	0xa9
#define CMD_SELF_TEST	0xaa
#define CMD_KBD_TEST	0xab
#define CMD_KBD_DISABLE	0xad
#define CMD_KBD_ENABLE	0xae
#define CMD_WRITE_OUTP	0xd1
#define CMD_PULSE_RESET	0xfe

#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20

struct i8042 {
	pthread_mutex_t lock;
	struct vm *vm;
	uint8_t ctr, out, pending_cmd;
	bool obf;
};

static struct i8042 kbc = { .lock = PTHREAD_MUTEX_INITIALIZER, .ctr = CTR_KBDDIS | CTR_AUXDIS };

static void kbc_reply(struct i8042 *k, uint8_t v)
{
	k->out = v;
	k->obf = true;
}

/*
 * Called by the vCPU thread with the console flushed up to the reset
 * command, so a panic line printed before it has been seen.
 */
static void kbc_reset(struct i8042 *k)
{
	if (serial__guest_panicked()) {
		pr_info("guest kernel panicked, then reset the machine (i8042): exit 1");
		vm_finish(k->vm, VMM_EXIT_GUEST_FAIL);
		return;
	}
	pr_info("guest reset the machine (i8042 reset line): ending the run");
	vm_finish(k->vm, VMM_EXIT_OK);
}

static void kbc_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case CMD_READ_CTR:
		kbc_reply(k, k->ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTP:
		k->pending_cmd = cmd;
		break;
	case CMD_SELF_TEST:
		kbc_reply(k, 0x55);
		break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
		kbc_reply(k, 0x00);
		break;
	case CMD_AUX_DISABLE:
		k->ctr |= CTR_AUXDIS;
		break;
	case CMD_AUX_ENABLE:
		k->ctr &= ~CTR_AUXDIS;
		break;
	case CMD_KBD_DISABLE:
		k->ctr |= CTR_KBDDIS;
		break;
	case CMD_KBD_ENABLE:
		k->ctr &= ~CTR_KBDDIS;
		break;
	case CMD_PULSE_RESET:
		kbc_reset(k);
		break;
	default:
		break;
	}
}

static bool i8042_io(struct vcpu *vcpu, uint64_t port, uint8_t *data, uint32_t len,
		     bool is_write, void *dev)
{
	struct i8042 *k = dev;

	if (len != 1)
		return false;
	pthread_mutex_lock(&k->lock);
	if (port != I8042_CMD && port != I8042_DATA) {
		/* 0x61-0x63: the PIT's speaker port is KVM's; the rest float. */
		if (!is_write)
			data[0] = 0xff;
	} else if (port == I8042_CMD && is_write) {
		k->pending_cmd = 0;
		kbc_command(k, data[0]);
	} else if (port == I8042_CMD) {
		data[0] = STS_SYS | STS_UNLOCKED | (k->obf ? STS_OBF : 0);
	} else if (is_write) {
		if (k->pending_cmd == CMD_WRITE_CTR)
			k->ctr = data[0];
		else if (k->pending_cmd == CMD_WRITE_OUTP && !(data[0] & 1))
			kbc_reset(k);	/* output port bit 0 is the reset line */
		k->pending_cmd = 0;	/* bytes for a keyboard: there is none */
	} else {
		data[0] = k->out;
		k->obf = false;
	}
	pthread_mutex_unlock(&k->lock);
	return true;
}

void i8042__init(struct vm *vm)
{
	kbc.vm = vm;
	ioport__register(I8042_DATA, I8042_CMD - I8042_DATA + 1, i8042_io, &kbc, "i8042");
}
