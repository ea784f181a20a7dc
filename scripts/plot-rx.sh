#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# plot-rx.sh RESULTDIR - gnuplot figures from a bench-rx run: interrupts and
# exits per delivered packet, and delivered rate, against offered rate, one
# line per mode. Keeps the .dat and .gp beside the PNG and SVG so a figure
# can be restyled without rerunning. Rate 0 ("max") is plotted at the
# highest rate udpgen actually achieved in that run. Cells that did not
# complete or whose accounting failed are left out (they are in rx.tsv).

set -eu
dir=${1:?usage: scripts/plot-rx.sh RESULTDIR}
[ -f "$dir/rx.tsv" ] || { echo "plot-rx: $dir/rx.tsv not found" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "plot-rx: gnuplot not installed" >&2; exit 3; }
flavour=$(awk -F'\t' '$1 == "kvm_flavour" { print $2 }' "$dir/meta")

for mode in inject mask-direct sink; do
	awk -F'\t' -v m="$mode" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$(c["mode"]) == m && $(c["complete"]) == 1 && $(c["accounting"]) == "ok" {
			offered = $(c["rate"]) ? $(c["rate"]) : $(c["sent"]) / ($(c["duration_s"]) ? $(c["duration_s"]) : 1)
			print offered, $(c["irqs_per_pkt"]), $(c["exits_per_pkt"]), $(c["delivered_pps"]),
				$(c["lat_p99_ns"]) / 1000
		}' "$dir/rx.tsv" | sort -n > "$dir/plot-$mode.dat"
done

cat > "$dir/plot.gp" <<GP
# offered_pps irqs_per_pkt exits_per_pkt delivered_pps p99_us, one file per mode
set title "virqlab receive path: interrupts and exits per packet ($flavour)"
set xlabel "offered rate (packets/s)"
set ylabel "per delivered packet"
set logscale xy
set key top right
set grid
plot "$dir/plot-inject.dat" using 1:(\$3 > 0 ? \$3 : 1e-4) with linespoints lw 2 title "inject: exits/pkt", \
     "$dir/plot-inject.dat" using 1:(\$2 > 0 ? \$2 : 1e-4) with linespoints lw 2 dt 2 title "inject: irqs/pkt", \
     "$dir/plot-mask-direct.dat" using 1:(\$3 > 0 ? \$3 : 1e-4) with linespoints lw 2 title "mask-direct: exits/pkt", \
     "$dir/plot-mask-direct.dat" using 1:(\$2 > 0 ? \$2 : 1e-4) with linespoints lw 2 dt 2 title "mask-direct: irqs/pkt"
GP
gnuplot -e "set terminal pngcairo size 900,560; set output '$dir/per-packet.png'" "$dir/plot.gp" 2>/dev/null ||
	gnuplot -e "set terminal png size 900,560; set output '$dir/per-packet.png'" "$dir/plot.gp"
gnuplot -e "set terminal svg size 900,560; set output '$dir/per-packet.svg'" "$dir/plot.gp"
echo "plot-rx: $dir/per-packet.png $dir/per-packet.svg"
