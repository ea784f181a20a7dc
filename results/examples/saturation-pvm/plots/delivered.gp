# delivered: delivered vs offered rate
set title "saturation: delivered vs offered rate\n{/*0.8 host vm, Intel(R) Xeon(R) Processor, KVM pvm, 2026-12-01}"
modelt(m) = m eq "inject" ? 1 : (m eq "mask-direct" ? 2 : (m eq "mask-poll" ? 4 : (m eq "coalesce" ? 5 : 3)))
set grid
set key outside right top
set datafile missing "-"
set offsets graph 0.03, graph 0.03, graph 0.08, graph 0.08
set xlabel "offered rate (packets/s)"
set ylabel "delivered rate (packets/s)"
set xrange [0:*]
set yrange [0:*]
plot for [m in "sink inject coalesce mask-direct mask-poll"] "results/20261201-095329-saturation/plots/".m.".dat" using 17:2:3:4 with yerrorlines lw 2 lt modelt(m) title m, \
     "results/20261201-095329-saturation/plots/sink.dat" using 17:17 with lines dt 2 lc "gray" title "offered (no loss)"
