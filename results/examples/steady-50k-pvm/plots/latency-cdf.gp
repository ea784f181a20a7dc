# latency-cdf: latency CDF (all repeats pooled)
set title "steady-50k: latency CDF (all repeats pooled)\n{/*0.8 host vm, Intel(R) Xeon(R) Processor, KVM pvm, 2026-12-01}"
modelt(m) = m eq "inject" ? 1 : (m eq "mask-direct" ? 2 : (m eq "mask-poll" ? 4 : (m eq "coalesce" ? 5 : 3)))
set grid
set key outside right top
set datafile missing "-"
set offsets graph 0.03, graph 0.03, graph 0.08, graph 0.08
set xlabel "latency, host receive to guest consumer (microseconds)"
set ylabel "fraction of packets at or below"
set logscale x
set yrange [0:1]
set key outside right bottom
plot "results/examples/steady-50k-pvm/plots/cdf-mask-direct-50000.dat" using 1:2 with lines lw 2 lt modelt("mask-direct") dt 1 title "mask-direct at 50000 pps"
