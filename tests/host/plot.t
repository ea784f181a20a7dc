#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# plot.t - scripts/plot.sh on a synthetic run (a rate sweep of three rates).
#
# Description: every figure is produced as a non-empty PNG, SVG and PDF (each
# checked by its signature) with its .gp and .dat kept beside it; every .gp
# names its data by paths relative to its folder and redraws its PNG from a
# copy of that folder moved elsewhere (cd there; gnuplot NAME.gp); the y axis
# is fitted to the data drawn (exits per packet from 0.7 to 7: no 0.01..100),
# the offered rate of a sweep is a log axis (delivered too), each key says
# what a bar spans ("min..max of 3 repeats", from summary.tsv's n); the
# colours are Okabe-Ito's without its yellow, one per mode; the latency tail
# is a CCDF on a log y down to one sample in n; the subtitle names the git
# revision (dirty marked), the KVM flavour and the date from meta. A run whose
# samples were not kept reuses its stored CDF and says so. `make plots RUN=DIR`
# draws them; a missing results directory is refused with exit 2.
. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/tests/lib/synth.sh"
. "$VIRQLAB_ROOT/scripts/lib/results.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool gnuplot

figures="irqs-per-pkt exits-per-pkt delivered latency-p99 latency-cdf latency-ccdf"
plan 45
t=$BUILD/tmp/plot-t.$$
rm -rf "$t"
trap 'rm -rf "$t"' EXIT
synth_run "$t" synthplot
meta_set "$t" git_rev 0123456789abcdef0123456789abcdef01234567
meta_set "$t" git_dirty yes
for r in 1 2 3; do
	synth_cell "$t" inject 1000 $r 1000 1 7 400000 900000 0
	synth_cell "$t" inject 4000 $r 1100 1 5 900000 2000000 2900
	synth_cell "$t" inject 16000 $r 1100 1 4.$r 950000 2100000 14900
	synth_cell "$t" mask-direct 1000 $r 1000 0.9 2 300000 600000 0
	synth_cell "$t" mask-direct 4000 $r 4000 0.4 0.9 500000 $((1200000 + r * 1000)) 0
	synth_cell "$t" mask-direct 16000 $r 16000 0.1 0.$((r + 6)) 500000 1300000 0
done
scripts/summarize.sh "$t" >/dev/null
out=$(scripts/plot.sh "$t" 2>&1) && rc=0 || rc=$?
is "plot.sh exits 0" 0 "$rc"
is "plot.sh prints the PNG paths, one a line" "$(for f in $figures; do echo "$t/plots/$f.png"; done | sort)" \
	"$(printf '%s\n' "$out" | sort)"

# sig FILE: the first bytes that name its format.
sig() { od -An -c -N4 "$1" | tr -d ' '; }
# formats B: B.png, B.svg and B.pdf are what their names say.
formats() { [ "$(sig "$1.png")" = 211PNG ] && [ "$(sig "$1.pdf")" = %PDF ] && grep -q "<svg" "$1.svg"; }
for f in $figures; do
	check "$f: PNG, SVG and PDF, each non-empty by its signature" formats "$t/plots/$f"
done

# Relative paths: the folder, copied elsewhere, redraws each PNG alone.
cp -r "$t/plots" "$t/moved"
rm -f "$t/moved"/*.png
for f in $figures; do
	err=$(cd "$t/moved" && gnuplot "$f.gp" 2>&1) && rc=0 || rc=$?
	is "$f.gp redraws $f.png from its own folder, moved (gnuplot says: '$err')" "0 yes" \
		"$rc $( [ "$(sig "$t/moved/$f.png")" = 211PNG ] && echo yes)"
done
is "no .gp names an absolute or foreign path" "" \
	"$(grep -lE '"(/|\.\./)[^"]*\.dat"|results/' "$t/plots"/*.gp)"

# yrange LO HI in the .gp (gnuplot's own reading of it, not a regex).
yrange() { (cd "$t/moved" && gnuplot -e 'fmt=""; set terminal unknown; set print "-"' "$1.gp" \
	-e 'print GPVAL_Y_MIN, GPVAL_Y_MAX' 2>/dev/null); }
yr=$(yrange exits-per-pkt)
check "exits-per-pkt: y axis fitted to the bars, 0.7..7 (got $yr: from 0..0.7 to 7..8.5)" \
	awk -v r="$yr" 'BEGIN { split(r, a, " "); exit !(a[1] >= 0 && a[1] <= 0.7 && a[2] >= 7 && a[2] <= 8.5) }'
for f in irqs-per-pkt exits-per-pkt delivered latency-p99; do
	like "$f: the offered-rate sweep is a log x axis" "^set logscale x\$" "$(cat "$t/plots/$f.gp")"
done
like "the x tics are the sweep's rates" 'set xtics \(1000, 4000, 16000\)' "$(cat "$t/plots/exits-per-pkt.gp")"
for f in irqs-per-pkt exits-per-pkt delivered latency-p99; do
	like "$f: the key says what a bar spans" 'set key title "points: median; bars: min..max of 3 repeats"' \
		"$(cat "$t/plots/$f.gp")"
done

# Okabe-Ito (Okabe and Ito 2008), yellow #F0E442 left out.
okabe="#000000 #E69F00 #56B4E9 #009E73 #0072B2 #D55E00 #CC79A7"
cols=$(sed -n 's/^set linetype [0-9]* lc rgb "\(#[0-9A-F]*\)".*/\1/p' "$t/plots/irqs-per-pkt.gp")
bad=$(for c in $cols; do case " $okabe " in *" $c "*) ;; *) echo "$c" ;; esac; done)
is "every colour is one of Okabe-Ito's, not its yellow ($(echo $cols))" "" "$bad"
is "... seven line types for the seven modes, each its own colour" 7 \
	"$(sed -n 's/^set linetype \([1-7]\) lc rgb "\(#[0-9A-F]*\)".*/\2/p' "$t/plots/irqs-per-pkt.gp" | sort -u | wc -l)"
like "... an eighth, any other mode, dashed" '^set linetype 8 lc rgb "#[0-9A-F]*" lw 2 dt 2 ' "$(cat "$t/plots/irqs-per-pkt.gp")"
# modelt() as the .gp files define it: mask-poll must not be drawn like sink,
# nor virtio and adaptive like each other.
lts=$(gnuplot -e "$(grep '^modelt' "$t/plots/irqs-per-pkt.gp"); print modelt(\"inject\"), modelt(\"mask-direct\"), modelt(\"mask-poll\"), modelt(\"sink\"), modelt(\"coalesce\"), modelt(\"virtio\"), modelt(\"adaptive\"), modelt(\"other\")" 2>&1)
is "line types: inject, mask-direct, mask-poll, sink, coalesce, virtio, adaptive, another each their own" "1 2 4 3 5 6 7 8" "$lts"

like "axes carry units" 'packets/s' "$(cat "$t/plots/delivered.gp")"
like "the subtitle: git revision (dirty marked), flavour, date" \
	'^set title "synthplot: .*\\ngit 0123456-dirty, KVM synthetic, none, host test, 2026-01-01"' \
	"$(cat "$t/plots/latency-p99.gp")"
like "the CDF is drawn per mode at cdf_rates" 'inject at 4000 pps.*mask-direct at 4000 pps' "$(cat "$t/plots/latency-cdf.gp")"

# The CCDF: log y, the 600 pooled samples of mask-direct at 4000 pps (3 x
# 200), every one of the slowest kept: P(X > x) down to 1/600 at the
# second-largest sample.
ccdf=$t/plots/ccdf-mask-direct-4000.dat
like "latency-ccdf: a log y axis" 'set logscale y' "$(cat "$t/plots/latency-ccdf.gp")"
like "... each curve names its sample count" 'mask-direct at 4000 pps \(n=600\)' "$(cat "$t/plots/latency-ccdf.gp")"
is "... its smallest fraction is one sample in 600" "0.00166667" \
	"$(awk '!/^#/ { v = $2 } END { printf "%.6g", v }' "$ccdf")"
is "... at the second-slowest sample (ms)" \
	"$(cat "$t"/cells/mask-direct-4000-*/lat.tsv | grep -v '^#' | sort -n | tail -2 | head -1 | awk '{ printf "%.3f", $1 / 1000 }')" \
	"$(awk '!/^#/ { v = $1 } END { print v }' "$ccdf")"
check "... falling: every fraction below the one before" \
	awk '!/^#/ { if (n++ && $2 >= last) exit 1; last = $2 }' "$ccdf"
yr=$(yrange latency-ccdf)
check "... the y axis reaches below 1/600 and stops at 1 (got $yr)" \
	awk -v r="$yr" 'BEGIN { split(r, a, " "); exit !(a[1] < 0.00166667 && a[1] > 0.0001 && a[2] == 1) }'

# A run kept without its samples (results/examples/saturation-svm-emulated):
# the stored CDF is reused, and the CCDF drawn from it says so.
rm -f "$t"/cells/*/lat.tsv
cp "$t/plots/cdf-inject-4000.dat" "$t/cdf.keep"
scripts/plot.sh "$t" >/dev/null 2>&1 && rc=0 || rc=$?
is "without samples: plot.sh exits 0" 0 "$rc"
check "... the stored CDF is kept as it was" cmp -s "$t/cdf.keep" "$t/plots/cdf-inject-4000.dat"
like "... the CCDF comes from it, and the key says so" 'inject at 4000 pps \(quantiles\).*' \
	"$(cat "$t/plots/latency-ccdf.gp")"

out=$(make -s plots RUN="$t" 2>&1) && rc=0 || rc=$?
is "make plots RUN=DIR: exit 0" 0 "$rc"
like "... it prints the figures" "^$t/plots/latency-ccdf.png\$" "$out"
err=$(scripts/plot.sh "$t/none" 2>&1) && rc=0 || rc=$?
like "a missing results directory: exit 2, named (exit $rc)" "plot: $t/none/summary.tsv not found" "$err"
is "... exit 2" 2 "$rc"
done_testing
