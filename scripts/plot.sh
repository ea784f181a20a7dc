#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# plot.sh - the figures of one run, with gnuplot, as PNG, SVG and PDF. The
# .dat and .gp behind each stay beside it, and every path in a .gp is relative
# to the plots folder, so `cd RESULTDIR/plots && gnuplot NAME.gp` redraws
# NAME.png anywhere (-e 'fmt="pdf"' or "svg" for the others; -e 'fmt=""' to
# keep a terminal of your own).
#
#   irqs-per-pkt     interrupts per delivered packet vs offered rate
#   exits-per-pkt    exits per delivered packet vs offered rate
#   delivered        delivered vs offered rate (the diagonal = no loss)
#   latency-p99      p99 latency vs offered rate
#   latency-cdf      latency CDF per mode at the workload's cdf_rates
#   latency-ccdf     the tail: P(latency > x), log y, same samples
#
# Points are medians over repeats; bars run from the smallest to the largest
# repeat, and each key says so with the number of repeats (summary.tsv's n).
# Rate 0 (as fast as possible) is placed at the rate udpgen achieved. sink
# has no guest consumer, hence no interrupts, exits or latency: it appears
# only in "delivered", as the ceiling. Axes are fitted to the data drawn
# (bars included); an axis is logarithmic when its data span more than a
# factor of 10, or, for the offered rate, when the run sweeps it (3 rates or
# more over a factor of 4 or more). Colours are Okabe and Ito's palette
# (safe for the common colour-vision deficiencies; its yellow is left out,
# it vanishes on white), each mode also with its own point shape.
#
# The latency figures pool the samples (cells/*/lat.tsv) of every ok repeat.
# A committed run whose samples were left out for size keeps the cdf-*.dat
# an earlier plot.sh made from them: those are reused, and their CCDF is
# then resolved only to 1/2000 (the key says so).

set -eu
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/plot.sh RESULTDIR
       scripts/plot.sh --help | --version

Draw RESULTDIR/plots/NAME.{png,svg,pdf} for NAME in irqs-per-pkt,
exits-per-pkt, delivered, latency-p99, latency-cdf and latency-ccdf, from
summary.tsv and the cells' latency samples (cells/*/lat.tsv), with the .gp
and .dat files behind them; print the PNG paths. `make plots RUN=DIR` runs it.

Options:
  -h, --help     this text
  --version      print "plot.sh (virqlab) REVISION" and exit

Exit codes:
  0  figures drawn
  2  usage error: bad option, or RESULTDIR has no summary.tsv
  3  gnuplot missing or failed

Examples:
  scripts/plot.sh results/latest
  make plots RUN=results/baseline/pvm
  cd results/baseline/pvm/plots && gnuplot -e 'fmt="pdf"' exits-per-pkt.gp
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

# meta_any KEY...: the first of these meta keys that has a value (folders
# from before one provenance vocabulary name some facts differently).
meta_any() {
	for _k; do
		_v=$(meta_get "$dir" "$_k")
		[ -z "$_v" ] || { printf '%s\n' "$_v"; return; }
	done
}

p=$dir/plots
mkdir -p "$p"
workload=$(meta_any workload)
flavour=$(meta_any kvm_flavour flavour)
cpu=$(meta_any kvm_cpu cpu)
host=$(meta_any host)
day=$(meta_any start date | cut -c1-10)
status=$(meta_any status)
rev=$(meta_any git_rev | cut -c1-7)
case "$(meta_any git_dirty)" in
no | 0 | "") dirty= ;;
*) dirty="-dirty" ;;
esac
subtitle="git ${rev:-unknown}$dirty, KVM ${flavour:-unknown}, $cpu, host $host, $day"
[ "$status" = complete ] || subtitle="$subtitle, PARTIAL run"
cdf_rates=
if workload_load "$dir/workload.conf" "$flavour" 2>/dev/null; then
	cdf_rates=$wl_cdf_rates
fi

# What plot.sh made before goes; the CDFs of a run without samples stay.
rm -f "$p"/*.gp "$p"/*.png "$p"/*.svg "$p"/*.pdf "$p"/ccdf-*.dat
for f in "$p"/*.dat; do
	case "${f##*/}" in cdf-*) ;; *) rm -f "$f" ;; esac
done

# One .dat per mode: x median min max for each metric, sorted by x.
modes=$(awk -F'\t' 'NR > 1 && !seen[$1]++ { print $1 }' "$dir/summary.tsv" | tr '\n' ' ' | sed 's/ $//')
for m in $modes; do
	awk -F'\t' -v m="$m" 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i
			print "#x\tdelivered_pps\tmin\tmax\tirqs_per_pkt\tmin\tmax\texits_per_pkt\tmin\tmax" \
				"\tlat_p99_ns\tmin\tmax\tlat_p50_ns\tmin\tmax\toffered_pps\trate\tn"
			next }
		function t(k) { return $(c[k]) "\t" $(c[k "_min"]) "\t" $(c[k "_max"]) }
		$1 == m && $(c["n"]) > 0 {
			x = $(c["rate"]) > 0 ? $(c["rate"]) : $(c["offered_pps"])
			print x "\t" t("delivered_pps") "\t" t("irqs_per_pkt") "\t" t("exits_per_pkt") "\t" \
				t("lat_p99_ns") "\t" t("lat_p50_ns") "\t" $(c["offered_pps"]) "\t" $(c["rate"]) \
				"\t" $(c["n"])
		}' "$dir/summary.tsv" | sort -n > "$p/$m.dat"
done
consumers=$(for m in $modes; do [ "$m" = sink ] || echo "$m"; done | tr '\n' ' ' | sed 's/ $//')

# repeats: what the bars span, from summary.tsv's n (ok repeats per point).
repeats=$(awk -F'\t' 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
	$(c["n"]) > 0 { n = $(c["n"]); lo = (lo == "" || n < lo) ? n : lo; hi = n > hi ? n : hi }
	END { print lo == hi ? lo : lo "-" hi }' "$dir/summary.tsv")
bars="points: median; bars: min..max of $repeats repeats"
rate0=$(awk -F'\t' 'NR > 1 && $2 == 0 { print "yes"; exit }' "$dir/summary.tsv")

# The latency samples: every ok repeat of a cell pooled. cdf-M-R.dat holds
# at most 2000 quantiles; ccdf-M-R.dat every one of the 50 slowest samples,
# then log-spaced ranks (3 % apart), so the tail keeps its resolution.
lats=
for r in $cdf_rates; do
	for m in $consumers; do
		files=$(awk -F'\t' -v m="$m" -v r="$r" -v d="$dir/cells" '!/^#/ && $2 == m && $3 == r && $5 == "run" { print d "/" $1 }' "$dir/plan.tsv" |
			while read -r c; do if [ "$(cat "$c/status" 2>/dev/null)" = ok ] && [ -f "$c/lat.tsv" ]; then echo "$c/lat.tsv"; fi; done)
		if [ -n "$files" ]; then
			# shellcheck disable=SC2086
			grep -hv '^#' $files | sort -n > "$p/lat.tmp"
			awk 'BEGIN { print "#latency_us\tfraction_at_or_below" } { v[++n] = $1 } END {
				step = n > 2000 ? n / 2000 : 1
				for (i = step; i <= n + 0.0001; i += step) printf "%.3f\t%.6f\n", v[int(i)] / 1000, int(i) / n
			}' "$p/lat.tmp" > "$p/cdf-$m-$r.dat"
			awk 'BEGIN { print "#latency_us\tfraction_above" } { v[++n] = $1 } END {
				for (k = 1; k <= 50; k++) keep[k] = 1
				for (k = 50; k < n; k *= 1.03) keep[int(k)] = 1
				for (i = 1; i < n; i++) if (keep[n - i] && v[i] < v[i + 1])
					printf "%.3f\t%.9g\n", v[i] / 1000, (n - i) / n
			}' "$p/lat.tmp" > "$p/ccdf-$m-$r.dat"
			rm -f "$p/lat.tmp"
			lats="$lats $m:$r:$(cat $files | grep -vc '^#')"
		elif [ -s "$p/cdf-$m-$r.dat" ]; then
			# An earlier plot.sh's quantiles: P(X > v_i) = 1 - F(v_i).
			awk 'BEGIN { print "#latency_us\tfraction_above (from cdf quantiles: samples not kept)" }
				!/^#/ && $2 < 1 && $1 != last { printf "%s\t%.9g\n", $1, 1 - $2 } { last = $1 }' \
				"$p/cdf-$m-$r.dat" > "$p/ccdf-$m-$r.dat"
			lats="$lats $m:$r:q"
		fi
	done
done

# range LOG COL... < DATA: "lo hi" of the positive values in these columns
# (any value with LOG=0), widened a little; "-" when there are none. LOG=2:
# the ratio of the largest to the smallest positive value.
range() {
	_log=$1
	shift
	awk -v log_="$_log" -v cols="$*" 'BEGIN { nc = split(cols, c, " ") }
		/^#/ { next }
		{ for (i = 1; i <= nc; i++) { v = $(c[i]); if (v == "-" || v == "" || v == "NaN") continue
			v += 0; if (log_ && v <= 0) continue
			if (!seen++ || v < lo) lo = v; if (v > hi || seen == 1) hi = v } }
		END {
			if (!seen) { print "-"; exit }
			if (log_ == 2) { print (lo > 0 ? hi / lo : 0); exit }
			if (log_) { f = hi > lo ? (hi / lo) ^ 0.06 : 1.25; if (f < 1.1) f = 1.1
				printf "%.6g %.6g\n", lo / f, hi * f }
			else { d = (hi - lo) * 0.08; m = (hi < 0 ? -hi : hi) * 0.05; if (d < m) d = m; if (d == 0) d = 1
				l = lo - d; if (lo >= 0 && l < 0) l = 0; printf "%.6g %.6g\n", l, hi + d }
		}'
}

# axis NAME "lo hi" TICS: the gnuplot lines for axis x or y: log when the
# data span a factor over 10 (or TICS is "sweep"), linear otherwise; log
# axes get 1-2-5 tics (gnuplot's own give decades only), a sweep its rates.
axis() {
	_a=$1 _lo=${2% *} _hi=${2#* }
	[ "$2" = - ] && return
	_islog=$(awk -v l="$_lo" -v h="$_hi" -v s="$3" 'BEGIN { print (l > 0 && (s == "sweep" || s == "log" || h / l > 10 * 1.2)) ? 1 : 0 }')
	printf 'set %srange [%s:%s]\n' "$_a" "$_lo" "$_hi"
	if [ "$_islog" = 1 ]; then
		printf 'set logscale %s\n' "$_a"
		if [ "$3" = sweep ]; then
			printf 'set %stics (%s)\n' "$_a" "$(awk -F'\t' 'NR > 1 && $2 > 0 && !s[$2]++ { printf "%s%s", n++ ? ", " : "", $2 }' "$dir/summary.tsv")"
		else
			awk -v a="$_a" -v l="$_lo" -v h="$_hi" 'BEGIN {
				dec = log(h / l) / log(10); split(dec < 1.2 ? "1 2 3 5" : (dec < 3.5 ? "1 2 5" : "1"), m, " ")
				for (e = int(log(l) / log(10)) - 1; 10 ^ e <= h; e++) for (i in m) {
					v = m[i] * 10 ^ e; if (v >= l && v <= h) t = t (t == "" ? "" : ", ") sprintf("%.6g", v) }
				printf "set %stics (%s)\n", a, t }'
		fi
	fi
	printf 'set format %s "%%.7g"\n' "$_a"
}

# A sweep: 3 or more rates spanning a factor of 4 or more.
sweep=$(awk -F'\t' 'NR > 1 && !s[$17]++ { n++; if (!lo || $17 < lo) lo = $17; if ($17 > hi) hi = $17 }
	END { print (n >= 3 && lo > 0 && hi / lo >= 4) ? "sweep" : "" }' "$(for m in $modes; do printf '%s\n' "$p/$m.dat"; done | head -1)")
cat_modes() { for m in $1; do cat "$p/$m.dat"; done; }
xr=$(cat_modes "$modes" | range 0 1 17)
[ -z "$sweep" ] || xr=$(cat_modes "$modes" | range 1 1 17)

# gp NAME TITLE: write plots/NAME.gp (the common frame, then stdin).
gp() {
	{
		printf '# %s.gp: %s. Written by scripts/plot.sh from ../summary.tsv;\n' "$1" "$2"
		printf '# every path is relative to this folder: cd here, then gnuplot %s.gp\n' "$1"
		printf '# draws %s.png; -e '"'"'fmt="svg"'"'"' or "pdf" for the others, -e '"'"'fmt=""'"'"'\n' "$1"
		printf '# to keep a terminal and output set by an earlier -e.\n'
		printf 'if (!exists("fmt")) fmt = "png"\n'
		printf 'if (fmt eq "png") set terminal pngcairo size 960,560 font ",10" noenhanced\n'
		printf 'if (fmt eq "svg") set terminal svg size 960,560 dynamic font ",10" noenhanced\n'
		printf 'if (fmt eq "pdf") set terminal pdfcairo size 6.4in,3.7in font ",9" noenhanced\n'
		printf 'if (fmt ne "") set output "%s.".fmt\n' "$1"
		printf 'set title "%s: %s\\n%s" noenhanced\n' "$workload" "$2" "$subtitle"
		printf '# Okabe-Ito colours, one point shape per mode (safe in grey, too).\n'
		printf 'set linetype 1 lc rgb "#D55E00" lw 2 pt 7 ps 0.9   # inject: vermillion\n'
		printf 'set linetype 2 lc rgb "#0072B2" lw 2 pt 5 ps 0.9   # mask-direct: blue\n'
		printf 'set linetype 3 lc rgb "#000000" lw 2 pt 9 ps 0.9   # sink: black\n'
		printf 'set linetype 4 lc rgb "#009E73" lw 2 pt 13 ps 0.9  # mask-poll: bluish green\n'
		printf 'set linetype 5 lc rgb "#E69F00" lw 2 pt 11 ps 0.9  # coalesce: orange\n'
		printf 'set linetype 6 lc rgb "#56B4E9" lw 2 pt 15 ps 0.9  # virtio: sky blue\n'
		printf 'set linetype 7 lc rgb "#CC79A7" lw 2 pt 12 ps 0.9  # adaptive: reddish purple\n'
		printf '# Seven modes take the seven colours (yellow left out): any other is dashed.\n'
		printf 'set linetype 8 lc rgb "#000000" lw 2 dt 2 pt 3 ps 0.9 # any other mode: black, dashed\n'
		printf 'modelt(m) = m eq "inject" ? 1 : (m eq "mask-direct" ? 2 : (m eq "mask-poll" ? 4 : (m eq "coalesce" ? 5 : (m eq "sink" ? 3 : (m eq "virtio" ? 6 : (m eq "adaptive" ? 7 : 8))))))\n'
		printf 'set grid\nset key below noenhanced\nset datafile missing "-"\n'
		cat
	} > "$p/$1.gp"
}

# rate_fig NAME TITLE YLABEL COL SCALE: a metric against the offered rate.
rate_fig() {
	_div=${5:-1}
	_yr=$(cat_modes "$consumers" | awk -v c="$4" -v d="$_div" '!/^#/ { for (i = c; i < c + 3; i++) if ($i != "-") $i /= d } { print }' | range 1 "$4" $(($4 + 1)) $(($4 + 2)))
	_ylog=$(cat_modes "$consumers" | range 2 "$4" $(($4 + 1)) $(($4 + 2)) | awk '{ print ($1 > 10 ? 1 : 0) }')
	[ "$_ylog" = 1 ] || _yr=$(cat_modes "$consumers" | awk -v c="$4" -v d="$_div" '!/^#/ { for (i = c; i < c + 3; i++) if ($i != "-") $i /= d } { print }' | range 0 "$4" $(($4 + 1)) $(($4 + 2)))
	{
		printf 'set xlabel "offered rate (packets/s)%s"\n' "${rate0:+; rate 0 = as fast as possible, at the rate achieved}"
		printf 'set ylabel "%s"\n' "$3"
		printf 'set key title "%s"\n' "$bars"
		axis x "$xr" "$sweep"
		axis y "$_yr" ""
		printf 'plot for [m in "%s"] m.".dat" using 1:($%s > 0 ? $%s / %s : NaN):($%s / %s):($%s / %s) with yerrorlines lt modelt(m) title m\n' \
			"$consumers" "$4" "$4" "$_div" $(($4 + 1)) "$_div" $(($4 + 2)) "$_div"
	} | gp "$1" "$2"
}

rate_fig irqs-per-pkt "interrupts per delivered packet" "interrupts raised per delivered packet" 5
rate_fig exits-per-pkt "exits per delivered packet" "VM exits per delivered packet" 8
rate_fig latency-p99 "p99 latency, host receive to guest consumer" "p99 latency (microseconds)" 11 1000

# delivered: both axes the offered/delivered rate, the diagonal no loss.
dr=$(cat_modes "$modes" | range "$( [ -n "$sweep" ] && echo 1 || echo 0)" 2 3 4 17)
{
	printf 'set xlabel "offered rate (packets/s, as udpgen achieved it)"\n'
	printf 'set ylabel "delivered rate (packets/s)"\n'
	printf 'set key title "%s"\n' "$bars"
	axis x "$dr" "$sweep"
	axis y "$dr" "$( [ -n "$sweep" ] && echo log)"
	printf 'plot for [m in "%s"] m.".dat" using 17:2:3:4 with yerrorlines lt modelt(m) title m, \\\n' "$modes"
	printf '     x with lines dt 2 lw 1 lc "gray50" title "offered (no loss)"\n'
} | gp delivered "delivered vs offered rate"

if [ -n "$lats" ]; then
	cdf= ccdf= note=
	for e in $lats; do
		m=${e%%:*} r=${e#*:} r=${r%%:*} n=${e##*:}
		label="$m at $( [ "$r" = 0 ] && echo max || echo "$r") pps"
		if [ "$n" = q ]; then
			note="; (quantiles): from the 2000 stored CDF points, samples not kept"
			nlabel="$label (quantiles)"
		else
			nlabel="$label (n=$n)"
		fi
		# One colour per mode (as in the other figures), one dash pattern per rate.
		dt=$(echo $cdf_rates | tr ' ' '\n' | grep -nx "$r" | cut -d: -f1)
		cdf="$cdf${cdf:+, }\"cdf-$m-$r.dat\" using 1:2 with lines lt modelt(\"$m\") dt $dt title \"$label\""
		ccdf="$ccdf${ccdf:+, }\"ccdf-$m-$r.dat\" using 1:2 with lines lt modelt(\"$m\") dt $dt title \"$nlabel\""
	done
	cdfs=$(for e in $lats; do m=${e%%:*} r=${e#*:}; printf '%s\n' "$p/cdf-$m-${r%%:*}.dat"; done)
	ccdfs=$(for e in $lats; do m=${e%%:*} r=${e#*:}; printf '%s\n' "$p/ccdf-$m-${r%%:*}.dat"; done)
	# shellcheck disable=SC2086
	lx=$(cat $cdfs $ccdfs | range 1 1)
	# shellcheck disable=SC2086
	ly=$(cat $ccdfs | awk '!/^#/ && (lo == "" || $2 < lo) { lo = $2 } END { printf "%.3g 1\n", lo / 1.5 }')
	{
		printf 'set xlabel "latency, host receive to guest consumer (microseconds)"\n'
		printf 'set ylabel "fraction of packets at or below"\n'
		printf 'set key title "all ok repeats pooled%s"\n' "$note"
		axis x "$lx" ""
		printf 'set yrange [0:1]\nset ytics 0.1\n'
		
		printf 'plot %s\n' "$cdf"
	} | gp latency-cdf "latency CDF"
	{
		printf 'set xlabel "latency, host receive to guest consumer (microseconds)"\n'
		printf 'set ylabel "fraction of packets slower than x"\n'
		printf 'set key title "all ok repeats pooled%s"\n' "$note"
		axis x "$lx" ""
		printf 'set yrange [%s:%s]\nset logscale y\nset format y "%%.7g"\n' "${ly% *}" "${ly#* }"
		printf 'plot %s\n' "$ccdf"
	} | gp latency-ccdf "latency tail (CCDF)"
fi

# A PDF carries its creation time: the run's start instead of now, so that
# redrawing an unchanged run changes no committed byte (same length: the
# xref offsets stay right).
pdfdate=$(meta_any start date | tr -cd '0-9' | cut -c1-14)
for g in "$p"/*.gp; do
	n=${g##*/}
	for fmt in png svg pdf; do
		(cd "$p" && gnuplot -e "fmt=\"$fmt\"" "$n") || die 3 "gnuplot failed on $g ($fmt)"
	done
	[ ${#pdfdate} != 14 ] ||
		LC_ALL=C sed -i "s|/CreationDate (D:[0-9]\{14\}Z)|/CreationDate (D:${pdfdate}Z)|" "${g%.gp}.pdf"
	echo "${g%.gp}.png"
done
