#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 13
#
# Description: coalesce, inject with interrupt moderation (vmm-mini --mode
# coalesce --coalesce-us N), the conventional alternative the method is
# compared with. Arrivals within one window share one interrupt and are
# still delivered exactly once, in order; a window that ends with no later
# arrival is raised by the receive thread's timer (not left for the next
# arrival); a quarter of the ring waiting raises it at once, so a burst
# longer than the window cannot fill the ring; the window still open at the
# end of the run is flushed. Every arrival is counted either as raising an
# interrupt or as sharing one.

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/tests/lib/rx.sh"
trap rx_cleanup EXIT

plan 15
note "kvm: $KVM_WHERE ($(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh"))"

# delivered_all N WHAT: exit 0, N delivered once in order, nothing dropped,
# and every arrival raised an interrupt or shared one.
delivered_all() {
	is "$2: vmm-mini exit 0, accounting ok" "0 ok" "$rx_rc $(col accounting)"
	[ "$rx_rc" = 0 ] || diag "$rx_out"
	is "$2: delivered = sent = $1, no drops, in order, intact" "$1 $1 0 0 0 0" \
		"$(col sent) $(col delivered) $(col dropped) $(col guest_out_of_order) $(col guest_duplicate) $(col guest_corrupt)"
	is "$2: irqs_raised + irqs_coalesced = delivered" "$1" \
		"$(( $(col irqs_raised) + $(col irqs_coalesced) ))"
}

# 50 pps against a 1 ms window: each window closes long before the next
# arrival, so each packet's interrupt is raised by the timer, on its own.
RX_VMM_ARGS="--coalesce-us 1000" rx_run coalesce 50 150
delivered_all 150 "sparse arrivals, 1 ms window"
is "... coalesce_us is in the stats" 1000 "$(col coalesce_us)"
check "... each arrival's window closed by the timer: irqs_raised $(col irqs_raised) >= 140" \
	test "$(col irqs_raised)" -ge 140

# 500 pps against a 20 ms window: about ten arrivals share each interrupt.
RX_VMM_ARGS="--coalesce-us 20000" rx_run coalesce 500 1000
delivered_all 1000 "500 pps, 20 ms window"
check "... arrivals share interrupts: irqs_raised $(col irqs_raised) <= 250" test "$(col irqs_raised)" -le 250
check "... and the guest took fewer interrupts too: guest_irqs $(col guest_irqs) <= 250" \
	test "$(col guest_irqs)" -le 250

# One burst of 600 at full speed against a 1 s window: a quarter of the
# ring (256) raises the interrupt without waiting; the run ends before the
# window does, and the open window is flushed.
RX_VMM_ARGS="--coalesce-us 1000000" rx_run coalesce 0 600 --pattern burst --burst 600
delivered_all 600 "a 600-packet burst, 1 s window"
check "... the quarter-ring limit raised interrupts before the window ended: irqs_raised $(col irqs_raised) >= 3" \
	test "$(col irqs_raised)" -ge 3
is "... no ring-full drops" 0 "$(col drop_ring_full)"

done_testing
