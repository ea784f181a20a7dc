// SPDX-License-Identifier: GPL-2.0
/*
 * serial.c - one 16550A UART at COM1 (port 0x3f8, ISA IRQ 4), the console
 * of a Linux guest (console=ttyS0). Transmit only: a byte written to THR
 * leaves at once for vmm-mini's console, so the transmitter is always empty
 * and nothing is ever received (LSR.DR stays 0).
 *
 * The registers are the ones Linux's 8250 driver probes and uses (PC16550D
 * datasheet; drivers/tty/serial/8250/8250_port.c): it identifies a 16550A by
 * the scratch register, IER's low nibble, the FIFO bits of IIR and the
 * modem-status loopback (MCR bit 4), and it checks that THRE re-asserts when
 * IER.ETBEI is set again on an idle transmitter (else UART_BUG_THRE).
 *
 * The interrupt line follows the datasheet's priority (line status, data
 * ready, THR empty, modem status) and goes to KVM's PIC and IO-APIC pin 4
 * with KVM_IRQ_LINE (edge: the ISA default in the MP table).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/linux_boot.h"
#include "vmm/timeline.h"
#include "vmm/util.h"

#define COM1_PORT	0x3f8
#define COM1_IRQ	4
#define PANIC_LINE	"Kernel panic - not syncing"

/* Register offsets (DLAB = LCR bit 7 selects DLL/DLM at 0 and 1). */
#define UART_RX		0	/* RBR (read), THR (write) */
#define UART_IER	1
#define UART_IIR	2	/* IIR (read), FCR (write) */
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_MSR	6
#define UART_SCR	7

#define IER_ERBFI	0x01	/* data ready */
#define IER_ETBEI	0x02	/* THR empty */
#define IER_ELSI	0x04	/* line status */
#define IER_EDSSI	0x08	/* modem status */
#define IIR_NO_INT	0x01
#define IIR_MSI		0x00
#define IIR_THRI	0x02
#define IIR_FIFO_ON	0xc0
#define FCR_ENABLE	0x01
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_DCTS	0x01
#define MSR_DDSR	0x02
#define MSR_TERI	0x04
#define MSR_DDCD	0x08
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

struct uart {
	pthread_mutex_t lock;
	struct vm *vm;
	uint8_t ier, lcr, mcr, msr, scr, dll, dlm;
	bool fifo;
	bool thri;		/* THR-empty interrupt pending (cleared by IIR read, THR write) */
	bool line;		/* level last driven on the IRQ line */
	char out[256];
	unsigned int out_len;
	uint64_t out_ns;	/* when out[0] arrived (--boot-timeline) */
	uint64_t tx_bytes;
	bool panicked;		/* the console showed "Kernel panic - not syncing" */
};

static struct uart com1 = { .lock = PTHREAD_MUTEX_INITIALIZER, .dll = 12 };

static void uart_flush_out(struct uart *u)
{
	struct vm *vm = u->vm;

	if (!u->out_len)
		return;
	/*
	 * With panic=-1 a panicking Linux resets the machine just as a clean
	 * reboot does; its console line is what tells the two apart (panic()
	 * prints it at KERN_EMERG, which every console loglevel shows).
	 */
	if (memmem(u->out, u->out_len, PANIC_LINE, sizeof(PANIC_LINE) - 1))
		u->panicked = true;
	timeline_console(u->out, u->out_len, u->out_ns);
	pthread_mutex_lock(&vm->console_lock);
	fwrite(u->out, 1, u->out_len, vm->console);
	fflush(vm->console);
	pthread_mutex_unlock(&vm->console_lock);
	u->out_len = 0;
}

/* Lines go out whole; carriage returns and other control bytes do not. */
static void uart_tx(struct uart *u, uint8_t c)
{
	u->tx_bytes++;
	if (c == '\r')
		return;
	if (c != '\n' && c != '\t' && (c < 0x20 || c > 0x7e))
		c = '?';
	if (!u->out_len && timeline_on)
		u->out_ns = now_ns();
	u->out[u->out_len++] = c;
	if (c == '\n' || u->out_len == sizeof(u->out))
		uart_flush_out(u);
}

/* MSR in loopback: CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2 (datasheet 8.6.4). */
static uint8_t uart_msr(struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return u->msr;
	return (m & MCR_RTS ? MSR_CTS : 0) | (m & MCR_DTR ? MSR_DSR : 0) |
	       (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
}

static uint8_t uart_iir(struct uart *u)
{
	uint8_t fifo = u->fifo ? IIR_FIFO_ON : 0;

	/* Nothing is received, so no line-status or data-ready source. */
	if ((u->ier & IER_ETBEI) && u->thri)
		return fifo | IIR_THRI;
	if ((u->ier & IER_EDSSI) && (u->msr & (MSR_DCTS | MSR_DDSR | MSR_TERI | MSR_DDCD)))
		return fifo | IIR_MSI;
	return fifo | IIR_NO_INT;
}

/*
 * The ISA line is an edge to the IO-APIC: drive it only on a change. In
 * loopback OUT2 gates nothing here; outside it, a PC's OUT2 enables the IRQ
 * driver, and Linux sets it before it expects interrupts.
 */
static void uart_update_irq(struct uart *u)
{
	bool level = !(uart_iir(u) & IIR_NO_INT) && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);
	struct kvm_irq_level irq = { .irq = COM1_IRQ, .level = level };

	if (level == u->line)
		return;
	u->line = level;
	kvm_ioctl(u->vm->vm_fd, KVM_IRQ_LINE, &irq);
}

static void uart_write(struct uart *u, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case UART_RX:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			break;
		}
		/* Loopback sends the byte to the receiver, which nobody reads. */
		if (!(u->mcr & MCR_LOOP))
			uart_tx(u, v);
		/* Sent at once: THR is empty again, which is a new THRE event. */
		u->thri = true;
		break;
	case UART_IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		/* Enabling ETBEI on an empty THR raises THRE (Linux tests this). */
		if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
			u->thri = true;
		u->ier = v & 0x0f;
		break;
	case UART_IIR:		/* FCR */
		u->fifo = v & FCR_ENABLE;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v & 0x1f;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:		/* LSR, MSR: read-only */
		break;
	}
}

static uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case UART_RX:
		return u->lcr & LCR_DLAB ? u->dll : 0;
	case UART_IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir(u);
		/* Reading IIR while it names THRE clears that source. */
		if ((v & 0x0f) == IIR_THRI)
			u->thri = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return LSR_THRE | LSR_TEMT;
	case UART_MSR:
		v = uart_msr(u);
		u->msr &= ~(MSR_DCTS | MSR_DDSR | MSR_TERI | MSR_DDCD);
		return v;
	default:
		return u->scr;
	}
}

static bool serial_io(struct vcpu *vcpu, uint64_t port, uint8_t *data, uint32_t len,
		      bool is_write, void *dev)
{
	struct uart *u = dev;
	unsigned int reg = port - COM1_PORT;

	if (len != 1)
		return false;
	pthread_mutex_lock(&u->lock);
	if (is_write)
		uart_write(u, reg, data[0]);
	else
		data[0] = uart_read(u, reg);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return true;
}

void serial__flush(struct vm *vm)
{
	pthread_mutex_lock(&com1.lock);
	if (com1.vm && com1.out_len) {
		com1.out[com1.out_len++] = '\n';
		uart_flush_out(&com1);
	}
	pthread_mutex_unlock(&com1.lock);
}

uint64_t serial__tx_bytes(void)
{
	return com1.tx_bytes;
}

bool serial__guest_panicked(void)
{
	bool p;

	pthread_mutex_lock(&com1.lock);
	p = com1.panicked;
	pthread_mutex_unlock(&com1.lock);
	return p;
}

void serial__init(struct vm *vm)
{
	com1.vm = vm;
	/* Carrier and data-set-ready up, as a null-modem cable would show. */
	com1.msr = MSR_DCD | MSR_DSR | MSR_CTS;
	ioport__register(COM1_PORT, 8, serial_io, &com1, "serial");
}
