#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# plot.t - scripts/plot.sh on a synthetic run: every figure is produced as a
# non-empty PNG (checked by its signature) and SVG, with its .gp and .dat
# kept beside it; the figures carry units, the modes and the workload; a
# missing results directory is refused with exit 2.
. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/tests/lib/synth.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool gnuplot

figures="irqs-per-pkt exits-per-pkt delivered latency-p99 latency-cdf"
plan 18
t=$BUILD/tmp/plot-t.$$
rm -rf "$t"
synth_run "$t" synthplot
for r in 1 2 3; do
	synth_cell "$t" inject 1000 $r 1000 1 7 400000 900000 0
	synth_cell "$t" inject 4000 $r 1100 1 5 900000 2000000 2900
	synth_cell "$t" mask-direct 1000 $r 1000 0.9 2 300000 600000 0
	synth_cell "$t" mask-direct 4000 $r 4000 0.4 0.9 500000 1200000 0
done
scripts/summarize.sh "$t" >/dev/null
out=$(scripts/plot.sh "$t" 2>&1) && rc=0 || rc=$?
is "plot.sh exits 0" 0 "$rc"
for f in $figures; do
	png=$t/plots/$f.png
	if [ -s "$png" ] && [ "$(od -An -c -N4 "$png" | tr -d ' ')" = '211PNG' ]; then
		ok "$f.png is a non-empty PNG ($(wc -c < "$png") bytes)"
	else
		not_ok "$f.png is a non-empty PNG"
	fi
	check "$f.svg is a non-empty SVG" grep -q '<svg' "$t/plots/$f.svg"
done
check "the .gp scripts are kept" test -s "$t/plots/irqs-per-pkt.gp"
like "axes carry units" 'packets/s' "$(cat "$t/plots/delivered.gp")"
like "the title names the workload and the host" 'synthplot: .*host test' "$(cat "$t/plots/latency-p99.gp")"
like "the CDF is drawn per mode at cdf_rates" 'inject at 4000 pps.*mask-direct at 4000 pps' "$(cat "$t/plots/latency-cdf.gp")"
# modelt() as the .gp files define it: mask-poll must not be drawn like sink.
lts=$(gnuplot -e "$(grep '^modelt' "$t/plots/irqs-per-pkt.gp"); print modelt(\"inject\"), modelt(\"mask-direct\"), modelt(\"mask-poll\"), modelt(\"sink\"), modelt(\"coalesce\")" 2>&1)
is "line types: inject, mask-direct, mask-poll, sink, coalesce each their own" "1 2 4 3 5" "$lts"
err=$(scripts/plot.sh "$t/none" 2>&1) && rc=0 || rc=$?
like "a missing results directory: exit 2, named (exit $rc)" "plot: $t/none/summary.tsv not found" "$err"
is "... exit 2" 2 "$rc"
rm -rf "$t"
done_testing
