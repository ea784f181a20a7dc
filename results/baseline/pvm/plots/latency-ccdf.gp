# latency-ccdf.gp: latency tail (CCDF). Written by scripts/plot.sh from ../summary.tsv;
# every path is relative to this folder: cd here, then gnuplot latency-ccdf.gp
# draws latency-ccdf.png; -e 'fmt="svg"' or "pdf" for the others, -e 'fmt=""'
# to keep a terminal and output set by an earlier -e.
if (!exists("fmt")) fmt = "png"
if (fmt eq "png") set terminal pngcairo size 960,560 font ",10" noenhanced
if (fmt eq "svg") set terminal svg size 960,560 dynamic font ",10" noenhanced
if (fmt eq "pdf") set terminal pdfcairo size 6.4in,3.7in font ",9" noenhanced
if (fmt ne "") set output "latency-ccdf.".fmt
set title "default: latency tail (CCDF)\ngit 160feb4, KVM pvm, Intel(R) Xeon(R) Processor, host vm, 2026-12-01" noenhanced
# Okabe-Ito colours, one point shape per mode (safe in grey, too).
set linetype 1 lc rgb "#D55E00" lw 2 pt 7 ps 0.9   # inject: vermillion
set linetype 2 lc rgb "#0072B2" lw 2 pt 5 ps 0.9   # mask-direct: blue
set linetype 3 lc rgb "#000000" lw 2 pt 9 ps 0.9   # sink: black
set linetype 4 lc rgb "#009E73" lw 2 pt 13 ps 0.9  # mask-poll: bluish green
set linetype 5 lc rgb "#E69F00" lw 2 pt 11 ps 0.9  # coalesce: orange
set linetype 6 lc rgb "#56B4E9" lw 2 pt 15 ps 0.9  # virtio: sky blue
set linetype 7 lc rgb "#CC79A7" lw 2 pt 12 ps 0.9  # adaptive: reddish purple
# Seven modes take the seven colours (yellow left out): any other is dashed.
set linetype 8 lc rgb "#000000" lw 2 dt 2 pt 3 ps 0.9 # any other mode: black, dashed
modelt(m) = m eq "inject" ? 1 : (m eq "mask-direct" ? 2 : (m eq "mask-poll" ? 4 : (m eq "coalesce" ? 5 : (m eq "sink" ? 3 : (m eq "virtio" ? 6 : (m eq "adaptive" ? 7 : 8))))))
set grid
set key below noenhanced
set datafile missing "-"
set xlabel "latency, host receive to guest consumer (microseconds)"
set ylabel "fraction of packets slower than x"
set key title "all ok repeats pooled"
set xrange [2.66228:3.29806e+06]
set logscale x
set xtics (10, 100, 1000, 10000, 100000, 1e+06)
set format x "%.7g"
set yrange [1.11e-05:1]
set logscale y
set format y "%.7g"
plot "ccdf-inject-2500.dat" using 1:2 with lines lt modelt("inject") dt 1 title "inject at 2500 pps (n=56882)", "ccdf-virtio-2500.dat" using 1:2 with lines lt modelt("virtio") dt 1 title "virtio at 2500 pps (n=60000)", "ccdf-mask-direct-2500.dat" using 1:2 with lines lt modelt("mask-direct") dt 1 title "mask-direct at 2500 pps (n=60000)", "ccdf-inject-80000.dat" using 1:2 with lines lt modelt("inject") dt 2 title "inject at 80000 pps (n=5854)", "ccdf-virtio-80000.dat" using 1:2 with lines lt modelt("virtio") dt 2 title "virtio at 80000 pps (n=57486)", "ccdf-mask-direct-80000.dat" using 1:2 with lines lt modelt("mask-direct") dt 2 title "mask-direct at 80000 pps (n=54308)"
