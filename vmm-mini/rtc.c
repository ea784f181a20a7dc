// SPDX-License-Identifier: GPL-2.0
/*
 * rtc.c - the CMOS clock (MC146818) at ports 0x70/0x71, read-only: the host's
 * UTC time in BCD, never "update in progress". Linux reads it at boot for
 * the wall clock and probes it in rtc_cmos; on floating ports (all ones) the
 * UIP bit never clears and that probe alone waited 4 s of a 12 s boot in
 * the sandbox. Writes to the clock are dropped (the guest cannot set the
 * host's time); the other CMOS bytes are plain RAM, as on a PC.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "vmm/devices.h"
#include "vmm/kvm.h"
#include "vmm/linux_boot.h"

#define RTC_INDEX	0x70
#define RTC_DATA	0x71

#define REG_SECONDS	0x00
#define REG_MINUTES	0x02
#define REG_HOURS	0x04
#define REG_WEEKDAY	0x06
#define REG_MDAY	0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_A		0x0a	/* bit 7 UIP; 0x26: 32.768 kHz time base, 1024 Hz */
#define REG_B		0x0b	/* 0x02: 24-hour, BCD, no interrupts */
#define REG_C		0x0c
#define REG_D		0x0d	/* bit 7 VRT: the clock's battery is good */
#define REG_CENTURY	0x32

struct cmos {
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t ram[128];
};

static struct cmos cmos = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint8_t bcd(int v)
{
	return (v / 10) << 4 | (v % 10);
}

static uint8_t cmos_read(struct cmos *c, uint8_t reg)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	switch (reg) {
	case REG_SECONDS:
		return bcd(tm.tm_sec);
	case REG_MINUTES:
		return bcd(tm.tm_min);
	case REG_HOURS:
		return bcd(tm.tm_hour);
	case REG_WEEKDAY:
		return bcd(tm.tm_wday + 1);
	case REG_MDAY:
		return bcd(tm.tm_mday);
	case REG_MONTH:
		return bcd(tm.tm_mon + 1);
	case REG_YEAR:
		return bcd(tm.tm_year % 100);
	case REG_CENTURY:
		return bcd((tm.tm_year + 1900) / 100);
	case REG_A:
		return 0x26;
	case REG_B:
		return 0x02;
	case REG_C:
		return 0;
	case REG_D:
		return 0x80;
	default:
		return c->ram[reg];
	}
}

static bool rtc_io(struct vcpu *vcpu, uint64_t port, uint8_t *data, uint32_t len,
		   bool is_write, void *dev)
{
	struct cmos *c = dev;

	if (len != 1)
		return false;
	pthread_mutex_lock(&c->lock);
	if (port == RTC_INDEX) {
		/* Bit 7 of the index masks NMIs on a PC; there are none here. */
		if (is_write)
			c->index = data[0] & 0x7f;
		else
			data[0] = 0xff;
	} else if (is_write) {
		if (c->index > REG_D && c->index != REG_CENTURY)
			c->ram[c->index] = data[0];
	} else {
		data[0] = cmos_read(c, c->index);
	}
	pthread_mutex_unlock(&c->lock);
	return true;
}

void rtc__init(struct vm *vm)
{
	ioport__register(RTC_INDEX, 2, rtc_io, &cmos, "cmos rtc");
}
