// SPDX-License-Identifier: GPL-2.0
/*
 * ucall.c - guest side of the guest-to-host channel, in the KVM selftests'
 * style: fill this vCPU's struct ucall and write its address to the ucall
 * port, one exit. vmm-mini reads it, acts, may write results back into
 * args[], and resumes us. Under QEMU there is no such port: the same struct
 * goes to ucall_qemu(), which does locally what vmm-mini would.
 */
#include "kernel/kernel.h"

static void send(struct ucall *uc)
{
	if (guest_vmm == VIRQLAB_VMM_QEMU)
		ucall_qemu(uc);
	else
		outl(VIRQLAB_PORT_UCALL, (uint32_t)(uint64_t)uc);
}

void ucall_args(uint32_t cmd, int nargs, const uint64_t *args)
{
	struct percpu *pc = this_cpu();
	struct ucall *uc = &pc->uc;

	uc->cmd = cmd;
	uc->cpu = pc->cpu;
	for (int i = 0; i < 6; i++)
		uc->args[i] = i < nargs ? args[i] : 0;
	uc->msg[0] = '\0';
	send(uc);
}

void ucall(uint32_t cmd, int nargs, ...)
{
	uint64_t args[6] = { 0 };
	va_list ap;

	va_start(ap, nargs);
	for (int i = 0; i < nargs && i < 6; i++)
		args[i] = va_arg(ap, uint64_t);
	va_end(ap);
	ucall_args(cmd, nargs, args);
}

/* A call that ends the run: the host never resumes us. */
static void __attribute__((noreturn)) ucall_final(uint32_t cmd, uint64_t arg0, const char *msg)
{
	struct percpu *pc = this_cpu();
	struct ucall *uc = &pc->uc;

	uc->cmd = cmd;
	uc->cpu = pc->cpu;
	uc->args[0] = arg0;
	for (int i = 1; i < 6; i++)
		uc->args[i] = 0;
	memcpy(uc->msg, msg, UCALL_MSG_MAX);
	uc->msg[UCALL_MSG_MAX - 1] = '\0';
	send(uc);
	halt_forever();
}

void guest_done(void)
{
	ucall_final(UCALL_DONE, 0, "");
}

/* msg is "file:line: message"; the host prints "guest assert failed ... at msg". */
void __guest_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[UCALL_MSG_MAX];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	if (n >= (int)sizeof(msg))
		n = sizeof(msg) - 1;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	ucall_final(UCALL_ABORT, line, msg);
}

void guest_skip(const char *fmt, ...)
{
	char msg[UCALL_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ucall_final(UCALL_SKIP, 0, msg);
}

/* Tests that need vmm-mini's devices cannot mean anything elsewhere: skip. */
void require_vmm_mini(const char *what)
{
	if (guest_vmm != VIRQLAB_VMM_MINI)
		GUEST_SKIP("'%s' needs vmm-mini (%s)", boot_info->test, what);
}
