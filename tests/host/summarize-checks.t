#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: scripts/summarize.sh names every cell whose figures cannot be
# true, in summary.flags, at the end of summary.txt and on stderr: a
# delivered_pps above udpgen's achieved rate by more than 2 % (the receive
# window holds every delivered datagram's arrival: results/README.md,
# "delivered_pps"), latency percentiles out of order, more delivered than
# sent. A run with none of these has no summary.flags. Nothing here needs KVM.

. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/tests/lib/synth.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool jq

plan 8
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# synth_cell DIR MODE RATE REPEAT DELIVERED_PPS IRQS/PKT EXITS/PKT P50_NS P99_NS DROPPED
synth_run "$t/good" default
for r in 1 2 3; do
	synth_cell "$t/good" inject 1000 "$r" 1000.1 1 7 400000 900000 0
	synth_cell "$t/good" mask-direct 4000 "$r" 4079 0.5 2 300000 600000 0
done
scripts/summarize.sh "$t/good" > /dev/null 2> "$t/good.err"
is "plausible figures (within 2 %): exit 0" 0 "$?"
check "... no summary.flags" [ ! -e "$t/good/summary.flags" ]
is "... nothing on stderr" "" "$(cat "$t/good.err")"

synth_run "$t/bad" default
synth_cell "$t/bad" inject 1000 1 1000 1 7 400000 900000 0
synth_cell "$t/bad" mask-direct 4000 1 4000 0.5 2 300000 600000 0
synth_cell "$t/bad" mask-direct 4000 2 4850 0.5 2 300000 600000 0
synth_cell "$t/bad" inject 1000 2 1000 1 7 900000 400000 0
scripts/summarize.sh "$t/bad" > /dev/null 2> "$t/bad.err"
is "implausible figures: still exit 0 (the figures are what was measured)" 0 "$?"
like "a delivered_pps above udpgen's achieved rate is named, with its repeat" \
	"^mask-direct@4000 repeat 2: delivered_pps 4850 above udpgen's achieved 4000 pps by more than 2 %$" \
	"$(cat "$t/bad/summary.flags" 2>/dev/null)"
like "latency percentiles out of order are named" \
	"^inject@1000 repeat 2: latency percentiles out of order \(p50 900000, p90 900000, p99 400000" \
	"$(cat "$t/bad/summary.flags" 2>/dev/null)"
is "... two flags, nothing else" 2 "$(wc -l < "$t/bad/summary.flags" 2>/dev/null || echo 0)"
like "... at the end of summary.txt and on stderr" \
	"figures that cannot be true .*mask-direct@4000 repeat 2.*summarize: mask-direct@4000 repeat 2" \
	"$(tail -3 "$t/bad/summary.txt" | tr '\n' ' ') $(tr '\n' ' ' < "$t/bad.err")"
done_testing
