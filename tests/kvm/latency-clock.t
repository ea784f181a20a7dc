#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 13
#
# Description: vmm-mini's latency (host kernel receive stamp -> guest
# consumption, the guest TSC carried onto the host clock through the TSC
# relation, clock.h) checked against two clocks it does not use. The sender:
# udpgen stamps every payload with its own CLOCK_REALTIME just before the send
# (virqlab_payload.h, send_ns), so per packet send <= kernel receive, and the
# latency from the sender's stamp (send_lat_*) exceeds vmm-mini's by the
# loopback path alone. The reader: vmm-mini reads the guest's consumption log
# after the guest wrote it, so no consumption time may lie after the host
# clock at that read (lat_future). Inject and mask-direct, paced traffic.
#
# Tolerances, and why:
# - send_after_rx = 0 and lat_future = 0, exactly: causality; one violation
#   means a clock or the TSC relation is wrong (a TSC offset error of either
#   sign shows here, or as a sample below zero, dropped: lat_samples < n).
# - 0 < send_lat_pNN - lat_pNN < 1 / (2 x rate), for p50 and p99: the loopback
#   path is never zero and (measured natively on PVM at 1,000 pps: 3-8 us)
#   far shorter than half the spacing between packets, the smallest error a
#   pairing of a packet with its neighbour's stamps would make.
# The BPF histogram's check of the same samples at its own resolution, 1/16 of
# a power of two, is in probes.t.

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/tests/lib/rx.sh"
trap 'rx_cleanup' EXIT

n=${RX_COUNT:-1000}
rate=1000
[ "$KVM_WHERE" = native ] || rate=250
half=$((1000000000 / rate / 2))
plan 11
note "kvm: $KVM_WHERE ($(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh")); $n packets at $rate pps; half spacing $half ns"

for mode in inject mask-direct; do
	rx_run "$mode" "$rate" "$n"
	is "$mode: exit 0, every packet delivered and timed" "0 $n $n" \
		"$rx_rc $(col delivered) $(col lat_samples)"
	is "$mode: no sender stamp later than the kernel's receive stamp" 0 "$(col send_after_rx)"
	is "$mode: no consumption after vmm-mini read it (by up to $(col lat_future_max_ns) ns)" 0 \
		"$(col lat_future)"
	for p in 50 99; do
		mine=$(col lat_p${p}_ns) theirs=$(col send_lat_p${p}_ns)
		check "$mode: p$p from the sender's stamp exceeds vmm-mini's by 0 < d < $half ns ($theirs - $mine)" \
			awk -v a="$mine" -v b="$theirs" -v h="$half" 'BEGIN {
				exit !(a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && a > 0 && b - a > 0 && b - a < h) }'
	done
done

# The text report says the same as the columns.
like "report: the sender's latency and both checks on one line" \
	'latency sender -> guest consumer: p50 [0-9]+ ns, p99 [0-9]+ ns; sender stamp after the kernel.s 0; consumed after the host read it 0 ' \
	"$rx_out"
done_testing
