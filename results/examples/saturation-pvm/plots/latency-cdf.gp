# latency-cdf: latency CDF (all repeats pooled)
set title "saturation: latency CDF (all repeats pooled)\n{/*0.8 host vm, Intel(R) Xeon(R) Processor, KVM pvm, 2026-12-01}"
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
plot "results/20261201-095329-saturation/plots/cdf-inject-2500.dat" using 1:2 with lines lw 2 lt modelt("inject") dt 1 title "inject at 2500 pps", "results/20261201-095329-saturation/plots/cdf-coalesce-2500.dat" using 1:2 with lines lw 2 lt modelt("coalesce") dt 1 title "coalesce at 2500 pps", "results/20261201-095329-saturation/plots/cdf-mask-direct-2500.dat" using 1:2 with lines lw 2 lt modelt("mask-direct") dt 1 title "mask-direct at 2500 pps", "results/20261201-095329-saturation/plots/cdf-mask-poll-2500.dat" using 1:2 with lines lw 2 lt modelt("mask-poll") dt 1 title "mask-poll at 2500 pps", "results/20261201-095329-saturation/plots/cdf-inject-0.dat" using 1:2 with lines lw 2 lt modelt("inject") dt 2 title "inject at max pps", "results/20261201-095329-saturation/plots/cdf-coalesce-0.dat" using 1:2 with lines lw 2 lt modelt("coalesce") dt 2 title "coalesce at max pps", "results/20261201-095329-saturation/plots/cdf-mask-direct-0.dat" using 1:2 with lines lw 2 lt modelt("mask-direct") dt 2 title "mask-direct at max pps", "results/20261201-095329-saturation/plots/cdf-mask-poll-0.dat" using 1:2 with lines lw 2 lt modelt("mask-poll") dt 2 title "mask-poll at max pps"
