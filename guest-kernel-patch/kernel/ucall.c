// SPDX-License-Identifier: GPL-2.0
/*
 * ucall.c - guest side of the guest-to-host channel: fill this vCPU's
 * struct ucall and write its address to the ucall port (one exit). The
 * host reads it, acts, may write results back into args[], and resumes us.
 */
#include "kernel/kernel.h"

void ucall(uint32_t cmd, int nargs, ...)
{
	struct percpu *pc = this_cpu();
	struct ucall *uc = &pc->uc;
	va_list ap;

	uc->cmd = cmd;
	uc->cpu = pc->cpu;
	va_start(ap, nargs);
	for (int i = 0; i < 6; i++)
		uc->args[i] = i < nargs ? va_arg(ap, uint64_t) : 0;
	va_end(ap);
	uc->msg[0] = '\0';
	outl(VIRQLAB_PORT_UCALL, (uint32_t)(uint64_t)uc);
}

static void __attribute__((noreturn)) ucall_msg(uint32_t cmd, const char *msg)
{
	struct percpu *pc = this_cpu();
	struct ucall *uc = &pc->uc;

	uc->cmd = cmd;
	uc->cpu = pc->cpu;
	memcpy(uc->msg, msg, UCALL_MSG_MAX);
	uc->msg[UCALL_MSG_MAX - 1] = '\0';
	outl(VIRQLAB_PORT_UCALL, (uint32_t)(uint64_t)uc);
	halt_forever();
}

void guest_done(void)
{
	ucall(UCALL_DONE, 0);
	halt_forever();
}

/* "file:line: message" in msg; the host prefixes "guest assert failed". */
void __guest_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[UCALL_MSG_MAX];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	this_cpu()->uc.args[0] = line;
	ucall_msg(UCALL_ABORT, msg);
}

void guest_skip(const char *fmt, ...)
{
	char msg[UCALL_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ucall_msg(UCALL_SKIP, msg);
}
