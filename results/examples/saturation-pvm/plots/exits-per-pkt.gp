# exits-per-pkt: exits per delivered packet
set title "saturation: exits per delivered packet\n{/*0.8 host vm, Intel(R) Xeon(R) Processor, KVM pvm, 2026-12-01}"
modelt(m) = m eq "inject" ? 1 : (m eq "mask-direct" ? 2 : (m eq "mask-poll" ? 4 : (m eq "coalesce" ? 5 : 3)))
set grid
set key outside right top
set datafile missing "-"
set offsets graph 0.03, graph 0.03, graph 0.08, graph 0.08
set xlabel "offered rate (packets/s)"
set ylabel "VM exits per delivered packet"
set logscale xy
plot for [m in "inject coalesce mask-direct mask-poll"] "results/20261201-095329-saturation/plots/".m.".dat" using 1:($8 > 0 ? $8 : NaN):9:10 with yerrorlines lw 2 lt modelt(m) title m
