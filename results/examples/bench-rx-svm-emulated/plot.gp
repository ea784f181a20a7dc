# offered_pps irqs_per_pkt exits_per_pkt delivered_pps p99_us, one file per mode
set title "virqlab receive path: interrupts and exits per packet (svm-emulated)"
set xlabel "offered rate (packets/s)"
set ylabel "per delivered packet"
set logscale xy
set key top right
set grid
plot "results/examples/bench-rx-svm-emulated/plot-inject.dat" using 1:($3 > 0 ? $3 : 1e-4) with linespoints lw 2 title "inject: exits/pkt",      "results/examples/bench-rx-svm-emulated/plot-inject.dat" using 1:($2 > 0 ? $2 : 1e-4) with linespoints lw 2 dt 2 title "inject: irqs/pkt",      "results/examples/bench-rx-svm-emulated/plot-mask-direct.dat" using 1:($3 > 0 ? $3 : 1e-4) with linespoints lw 2 title "mask-direct: exits/pkt",      "results/examples/bench-rx-svm-emulated/plot-mask-direct.dat" using 1:($2 > 0 ? $2 : 1e-4) with linespoints lw 2 dt 2 title "mask-direct: irqs/pkt"
