#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 34
#
# Description: one receive queue delivers in order, with the device thread
# and the vCPU on two different host cores (--rx-cpu, --vcpu-cpu) so that
# they really run in parallel (one core where the host has only one). For
# inject and mask-direct, at rates below capacity and at overload, not one
# datagram is reordered by the device (its `reordered` column) or seen out
# of order by the guest, and sent = delivered + dropped; well below
# capacity nothing is dropped either (near it, on a shared machine, a
# preempted vCPU may fill the ring: counted drops, still in order). Then a datagram that arrives late on purpose
# (udpgen --late) is delivered once, counted as reordered by the device and
# out of order by the guest, and the accounting still holds. Counts scale
# with RX_COUNT (default: 10000 natively, 1500 in the emulated sandbox), a
# run below capacity sending for at most 4 s (3 s in the sandbox) but never
# fewer than 2000 (600) datagrams: the rates that keep both cores busiest,
# where a reorder would come from, still send all of RX_COUNT.

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/tests/lib/rx.sh"
trap rx_cleanup EXIT

if [ "$KVM_WHERE" = sandbox ]; then
	n=${RX_COUNT:-1500} inject_rates="200 400" md_rates="400 1000" loaded="2000 0" secs=3 least=600
else
	n=${RX_COUNT:-10000} inject_rates="500 1000 2000" md_rates="2000 10000" loaded="40000 0" secs=4 least=2000
fi
# count RATE: datagrams for a run below capacity at RATE (see above).
count() {
	_c=$(($1 * secs))
	[ "$_c" -ge "$least" ] || _c=$least
	[ "$_c" -le "$n" ] || _c=$n
	echo "$_c"
}
cpus=$(nproc)
if [ "$cpus" -ge 2 ]; then
	RX_VMM_ARGS="--rx-cpu 0 --vcpu-cpu 1"
else
	RX_VMM_ARGS="--rx-cpu 0 --vcpu-cpu 0"
fi
export RX_VMM_ARGS
plan $(( (3 * $(echo $inject_rates $md_rates | wc -w)) + 6 * $(echo $loaded | wc -w) + 6 ))
note "kvm: $KVM_WHERE ($(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh")); $cpus CPUs: $RX_VMM_ARGS;" \
	"$n packets per run"

# in_order NAME: exit 0, nothing reordered (device, guest), no duplicates.
in_order() {
	is "$1: vmm-mini exit 0 (sent = delivered + dropped)" 0 "$rx_rc"
	[ "$rx_rc" = 0 ] || diag "$rx_out"
	is "$1: nothing reordered (device, guest) or duplicated" "0 0 0" \
		"$(col reordered) $(col guest_out_of_order) $(col guest_duplicate)"
}

for mode in inject mask-direct; do
	if [ "$mode" = inject ]; then rates=$inject_rates; else rates=$md_rates; fi
	for rate in $rates; do
		c=$(count "$rate")
		rx_run "$mode" "$rate" "$c"
		in_order "$mode at $rate pps"
		is "$mode at $rate pps: delivered = sent = $c, no drops" "$c $c 0" \
			"$(col sent) $(col delivered) $(col dropped)"
	done
	for rate in $loaded; do
		name="$mode at $rate pps"
		[ "$rate" = 0 ] && name="$mode at overload"
		rx_run "$mode" "$rate" "$n"
		in_order "$name"
		is "$name: sent = delivered + dropped" "$(col sent)" \
			"$(( $(col delivered) + $(col dropped) ))"
		note "$name: delivered $(col delivered) of $(col sent) at $(col delivered_pps) pps," \
			"ring full $(col drop_ring_full), never arrived $(col drop_seq_gap)"
	done
done

# A late datagram (seq 100 sent after 120) is delivered once and counted;
# 300 datagrams: 180 more after it.
for mode in inject mask-direct; do
	rx_run "$mode" "${inject_rates%% *}" 300 --late 100:20
	is "$mode, seq 100 sent 20 late: vmm-mini exit 0" 0 "$rx_rc"
	[ "$rx_rc" = 0 ] || diag "$rx_out"
	is "$mode, late one: delivered = sent = 300, no drops" "300 300 0" \
		"$(col sent) $(col delivered) $(col dropped)"
	is "$mode, late one: reordered 1 (device), out of order 1 and no duplicate (guest)" \
		"1 1 0" "$(col reordered) $(col guest_out_of_order) $(col guest_duplicate)"
done
done_testing
