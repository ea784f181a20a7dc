# latency-p99: p99 latency, host receive to guest consumer
set title "saturation: p99 latency, host receive to guest consumer\n{/*0.8 host vm, Intel(R) Xeon(R) Processor, KVM pvm, 2026-12-01}"
modelt(m) = m eq "inject" ? 1 : (m eq "mask-direct" ? 2 : (m eq "mask-poll" ? 4 : (m eq "coalesce" ? 5 : 3)))
set grid
set key outside right top
set datafile missing "-"
set offsets graph 0.03, graph 0.03, graph 0.08, graph 0.08
set xlabel "offered rate (packets/s)"
set ylabel "p99 latency (microseconds)"
set logscale xy
set format y "10^{%L}"
plot for [m in "inject coalesce mask-direct mask-poll"] "results/20261201-095329-saturation/plots/".m.".dat" using 1:($11 > 0 ? $11 / 1000 : NaN):($12 / 1000):($13 / 1000) with yerrorlines lw 2 lt modelt(m) title m
