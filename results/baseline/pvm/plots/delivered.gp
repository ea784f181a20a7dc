# delivered.gp: delivered vs offered rate. Written by scripts/plot.sh from ../summary.tsv;
# every path is relative to this folder: cd here, then gnuplot delivered.gp
# draws delivered.png; -e 'fmt="svg"' or "pdf" for the others, -e 'fmt=""'
# to keep a terminal and output set by an earlier -e.
if (!exists("fmt")) fmt = "png"
if (fmt eq "png") set terminal pngcairo size 960,560 font ",10" noenhanced
if (fmt eq "svg") set terminal svg size 960,560 dynamic font ",10" noenhanced
if (fmt eq "pdf") set terminal pdfcairo size 6.4in,3.7in font ",9" noenhanced
if (fmt ne "") set output "delivered.".fmt
set title "default: delivered vs offered rate\ngit 160feb4, KVM pvm, Intel(R) Xeon(R) Processor, host vm, 2026-12-01" noenhanced
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
set xlabel "offered rate (packets/s, as udpgen achieved it)"
set ylabel "delivered rate (packets/s)"
set key title "points: median; bars: min..max of 3 repeats"
set xrange [759.791:126727]
set logscale x
set xtics (1000, 2500, 5000, 10000, 20000, 40000, 80000)
set format x "%.7g"
set yrange [759.791:126727]
set logscale y
set ytics (5000, 2000, 1000, 50000, 20000, 10000, 100000)
set format y "%.7g"
plot for [m in "sink inject virtio mask-direct"] m.".dat" using 17:2:3:4 with yerrorlines lt modelt(m) title m, \
     x with lines dt 2 lw 1 lc "gray50" title "offered (no loss)"
