#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# plot.sh - the figures of one run, with gnuplot, as PNG and SVG; the .dat
# and .gp behind each stay beside it so a figure can be restyled without
# rerunning (gnuplot -e "set terminal ..." RESULTDIR/plots/NAME.gp).
#
#   irqs-per-pkt     interrupts per delivered packet vs offered rate (log y)
#   exits-per-pkt    exits per delivered packet vs offered rate (log y)
#   delivered        delivered vs offered rate (the diagonal = no loss)
#   latency-p99      p99 latency vs offered rate (log y)
#   latency-cdf      latency CDF per mode at the workload's cdf_rates
#
# Points are medians over repeats; bars run from the smallest to the largest
# repeat. Rate 0 (as fast as possible) is placed at the rate udpgen achieved.
# sink has no guest consumer, hence no interrupts, exits or latency: it
# appears only in "delivered", as the ceiling.

set -eu
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/plot.sh RESULTDIR
       scripts/plot.sh --help | --version

Draw RESULTDIR/plots/*.png and *.svg from summary.tsv and the cells' latency
samples (cells/*/lat.tsv); print the PNG paths. Exit 2 on a bad RESULTDIR,
3 if gnuplot is missing.

Examples:
  scripts/plot.sh results/latest
  scripts/plot.sh results/baseline/svm-emulated
USAGE
}

die() {
	echo "plot: $2" >&2
	exit "$1"
}
case "${1:-}" in
--version) exec scripts/lib/version.sh plot.sh ;;
-h|--help) usage; exit 0 ;;
"") die 2 "no results directory given (see --help)" ;;
-*) die 2 "unknown option '$1' (see --help)" ;;
esac
[ $# -eq 1 ] || die 2 "unexpected argument '$2': one RESULTDIR at a time (see --help)"
dir=${1%/}
[ -f "$dir/summary.tsv" ] || die 2 "$dir/summary.tsv not found: not a results directory (or no cell finished)"
command -v gnuplot >/dev/null 2>&1 || die 3 "gnuplot not installed (scripts/deps.sh installs it)"
. scripts/lib/results.sh
. tests/lib/tap.sh >/dev/null
. scripts/lib/workload.sh

p=$dir/plots
mkdir -p "$p"
workload=$(meta_get "$dir" workload)
flavour=$(meta_get "$dir" kvm_flavour)
cpu=$(meta_get "$dir" kvm_cpu)
host=$(meta_get "$dir" host)
day=$(meta_get "$dir" start | cut -c1-10)
status=$(meta_get "$dir" status)
subtitle="host $host, $cpu, KVM $flavour, $day$( [ "$status" = complete ] || echo ", PARTIAL run")"
cdf_rates=
if workload_load "$dir/workload.conf" "$flavour" 2>/dev/null; then
	cdf_rates=$wl_cdf_rates
fi

# One .dat per mode: x median min max for each metric, sorted by x.
modes=$(awk -F'\t' 'NR > 1 && !seen[$1]++ { print $1 }' "$dir/summary.tsv" | tr '\n' ' ' | sed 's/ $//')
for m in $modes; do
	awk -F'\t' -v m="$m" 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
		function t(k) { return $(c[k]) " " $(c[k "_min"]) " " $(c[k "_max"]) }
		$1 == m && $(c["n"]) > 0 {
			x = $(c["rate"]) > 0 ? $(c["rate"]) : $(c["offered_pps"])
			print x, t("delivered_pps"), t("irqs_per_pkt"), t("exits_per_pkt"),
				t("lat_p99_ns"), t("lat_p50_ns"), t("offered_pps"), $(c["rate"])
		}' "$dir/summary.tsv" | sort -n > "$p/$m.dat"
done
consumers=$(for m in $modes; do [ "$m" = sink ] || echo "$m"; done | tr '\n' ' ' | sed 's/ $//')

# The latency CDF: every ok repeat of a cell pooled, at most 2000 points.
cdfs=
for r in $cdf_rates; do
	for m in $consumers; do
		files=$(awk -F'\t' -v m="$m" -v r="$r" -v d="$dir/cells" '!/^#/ && $2 == m && $3 == r && $5 == "run" { print d "/" $1 }' "$dir/plan.tsv" |
			while read -r c; do [ "$(cat "$c/status" 2>/dev/null)" = ok ] && [ -f "$c/lat.tsv" ] && echo "$c/lat.tsv"; done)
		[ -n "$files" ] || continue
		# shellcheck disable=SC2086
		grep -hv '^#' $files | sort -n | awk '{ v[++n] = $1 } END {
			step = n > 2000 ? n / 2000 : 1
			for (i = step; i <= n + 0.0001; i += step) printf "%.3f %.6f\n", v[int(i)] / 1000, int(i) / n
		}' > "$p/cdf-$m-$r.dat"
		[ -s "$p/cdf-$m-$r.dat" ] && cdfs="$cdfs $m:$r"
	done
done

# gp NAME TITLE: write plots/NAME.gp (the common frame, then stdin).
gp() {
	{
		printf '# %s: %s\n' "$1" "$2"
		printf 'set title "%s: %s\\n{/*0.8 %s}"\n' "$workload" "$2" "$subtitle"
		printf 'modelt(m) = m eq "inject" ? 1 : (m eq "mask-direct" ? 2 : (m eq "mask-poll" ? 4 : (m eq "coalesce" ? 5 : 3)))\n'
		printf 'set grid\nset key outside right top\nset datafile missing "-"\nset offsets graph 0.03, graph 0.03, graph 0.08, graph 0.08\n'
		cat
	} > "$p/$1.gp"
}

modelist() {
	for m in $1; do printf '"%s" ' "$m"; done
}

gp irqs-per-pkt "interrupts per delivered packet" <<GP
set xlabel "offered rate (packets/s)"
set ylabel "interrupts raised per delivered packet"
set logscale xy
plot for [m in "$consumers"] "$p/".m.".dat" using 1:(\$5 > 0 ? \$5 : NaN):6:7 with yerrorlines lw 2 lt modelt(m) title m
GP
gp exits-per-pkt "exits per delivered packet" <<GP
set xlabel "offered rate (packets/s)"
set ylabel "VM exits per delivered packet"
set logscale xy
plot for [m in "$consumers"] "$p/".m.".dat" using 1:(\$8 > 0 ? \$8 : NaN):9:10 with yerrorlines lw 2 lt modelt(m) title m
GP
gp delivered "delivered vs offered rate" <<GP
set xlabel "offered rate (packets/s)"
set ylabel "delivered rate (packets/s)"
set xrange [0:*]
set yrange [0:*]
plot for [m in "$modes"] "$p/".m.".dat" using 17:2:3:4 with yerrorlines lw 2 lt modelt(m) title m, \\
     "$p/${modes%% *}.dat" using 17:17 with lines dt 2 lc "gray" title "offered (no loss)"
GP
gp latency-p99 "p99 latency, host receive to guest consumer" <<GP
set xlabel "offered rate (packets/s)"
set ylabel "p99 latency (microseconds)"
set logscale xy
set format y "10^{%L}"
plot for [m in "$consumers"] "$p/".m.".dat" using 1:(\$11 > 0 ? \$11 / 1000 : NaN):(\$12 / 1000):(\$13 / 1000) with yerrorlines lw 2 lt modelt(m) title m
GP
if [ -n "$cdfs" ]; then
	plots=
	for mr in $cdfs; do
		m=${mr%:*} r=${mr#*:}
		label="$m at $( [ "$r" = 0 ] && echo max || echo "$r") pps"
		# One colour per mode (as in the other figures), one dash pattern per rate.
		lc="modelt(\"$m\")"
		dt=$(echo $cdf_rates | tr ' ' '\n' | grep -nx "$r" | cut -d: -f1)
		plots="$plots${plots:+, }\"$p/cdf-$m-$r.dat\" using 1:2 with lines lw 2 lt $lc dt $dt title \"$label\""
	done
	gp latency-cdf "latency CDF (all repeats pooled)" <<GP
set xlabel "latency, host receive to guest consumer (microseconds)"
set ylabel "fraction of packets at or below"
set logscale x
set yrange [0:1]
set key outside right bottom
plot $plots
GP
fi

for g in "$p"/*.gp; do
	n=${g%.gp}
	gnuplot -e "set terminal pngcairo size 960,560 font ',10'; set output '$n.png'" "$g" ||
		die 3 "gnuplot failed on $g"
	gnuplot -e "set terminal svg size 960,560 dynamic; set output '$n.svg'" "$g" ||
		die 3 "gnuplot failed on $g"
	echo "$n.png"
done
