#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# summarize.sh - derive a run's summary from its raw cells: summary.tsv (one
# row per mode x rate: n, failed, and per metric the median, min, max, mean,
# stddev and coefficient of variation over the repeats; columns in
# results/README.md) and summary.txt (the same for people, modes side by
# side). Only cells whose status is ok count; warm-up cells never do.
# run-experiment.sh calls it; rerun it any time, it only reads cells/.

set -eu
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/summarize.sh RESULTDIR
       scripts/summarize.sh --help | --version

Rewrite RESULTDIR/summary.tsv and RESULTDIR/summary.txt from RESULTDIR/cells/
and print summary.txt.

Options:
  -h, --help     this text
  --version      print "summarize.sh (virqlab) REVISION" and exit

Exit: 0 done; 2 bad usage, or RESULTDIR is not a results directory.

Examples:
  scripts/summarize.sh results/latest
  scripts/summarize.sh results/20261125-061400-default
USAGE
}

case "${1:-}" in
--version) exec scripts/lib/version.sh summarize.sh ;;
-h|--help) usage; exit 0 ;;
"") echo "summarize: no results directory given (see --help)" >&2; exit 2 ;;
-*) echo "summarize: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { echo "summarize: unexpected argument '$2': one RESULTDIR at a time (see --help)" >&2; exit 2; }
dir=$1
[ -f "$dir/plan.tsv" ] && [ -d "$dir/cells" ] ||
	{ echo "summarize: $dir: no plan.tsv or cells/: not a results directory" >&2; exit 2; }

# One input line per finished run cell: mode rate status, then the stats
# row's and udpgen's columns as name=value pairs.
awk -F'\t' -v dir="$dir" '
function row(file, prefix,    h, v, n, i, out) {
	if ((getline h < file) <= 0) return ""
	getline v < file
	close(file)
	sub(/^#/, "", h)
	n = split(h, hn, "\t"); split(v, vv, "\t")
	for (i = 1; i <= n; i++) out = out "\t" prefix hn[i] "=" vv[i]
	return out
}
!/^#/ && $5 == "run" {
	c = dir "/cells/" $1
	if ((getline st < (c "/status")) <= 0) next
	close(c "/status")
	printf "%s\t%s\t%s%s%s\n", $2, $3, st == "ok" ? "ok" : "failed", row(c "/stats.tsv", ""), row(c "/gen.tsv", "gen_")
}' "$dir/plan.tsv" > "$dir/summary.in"

awk -F'\t' -v metrics="offered_pps delivered_pps irqs_per_pkt exits_per_pkt lat_p50_ns lat_p90_ns lat_p99_ns lat_max_ns dropped loss_pct" '
function sortv(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
}
BEGIN {
	nm = split(metrics, M, " ")
	printf "#mode\trate\tn\tfailed"
	for (k = 1; k <= nm; k++)
		printf "\t%s\t%s_min\t%s_max\t%s_mean\t%s_sd\t%s_cov", M[k], M[k], M[k], M[k], M[k], M[k]
	printf "\tformat\n"
}
{
	key = $1 SUBSEP $2
	if (!(key in seen)) { seen[key] = 1; order[++ncell] = key }
	if ($3 != "ok") { failed[key]++; next }
	delete f
	for (i = 4; i <= NF; i++) { p = index($i, "="); f[substr($i, 1, p - 1)] = substr($i, p + 1) }
	f["offered_pps"] = ("gen_achieved_pps" in f) ? f["gen_achieved_pps"] : ""
	f["loss_pct"] = f["sent"] > 0 ? 100 * f["dropped"] / f["sent"] : 0
	n[key]++
	# No latency samples (the sink has no guest consumer): no latency, not 0.
	for (k = 1; k <= nm; k++)
		if (!(M[k] ~ /^lat_/ && f["lat_samples"] + 0 == 0))
			val[key, M[k], ++nv[key, M[k]]] = f[M[k]] + 0
}
END {
	for (c = 1; c <= ncell; c++) {
		key = order[c]; split(key, mr, SUBSEP)
		printf "%s\t%s\t%d\t%d", mr[1], mr[2], n[key], failed[key]
		for (k = 1; k <= nm; k++) {
			nn = nv[key, M[k]]
			if (!nn) { printf "\t-\t-\t-\t-\t-\t-"; continue }
			delete a; s = 0
			for (j = 1; j <= nn; j++) { a[j] = val[key, M[k], j]; s += a[j] }
			sortv(a, nn)
			m = nn % 2 ? a[(nn + 1) / 2] : (a[nn / 2] + a[nn / 2 + 1]) / 2
			mean = s / nn; ss = 0
			for (j = 1; j <= nn; j++) ss += (a[j] - mean) ^ 2
			sd = nn > 1 ? sqrt(ss / (nn - 1)) : 0
			if (sd < 1e-9 * (mean < 0 ? -mean : mean)) sd = 0
			printf "\t%.10g\t%.10g\t%.10g\t%.10g\t%.4g\t%.2f", m, a[1], a[nn], mean, sd, mean ? 100 * sd / mean : 0
		}
		printf "\t1\n"
	}
}' "$dir/summary.in" > "$dir/summary.tsv"
rm -f "$dir/summary.in"

# For people: one block per metric, rates down, modes across; +-cov% only
# when the spread is above 5 %, where a reader should look twice.
workload=$(awk -F'\t' '$1 == "workload" { print $2 }' "$dir/meta" 2>/dev/null)
flavour=$(awk -F'\t' '$1 == "kvm_flavour" { print $2 }' "$dir/meta" 2>/dev/null)
awk -F'\t' -v wl="$workload" -v fl="$flavour" '
NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	m = $(c["mode"]); r = $(c["rate"])
	if (!(m in ms)) { ms[m] = 1; mo[++nmo] = m }
	if (!(r in rs)) { rs[r] = 1; ro[++nro] = r }
	for (k in c) v[m, r, k] = $(c[k])
}
function cell(m, r, k, scale, fmt,    x, cv) {
	if (!((m, r, "n") in v)) return sprintf("%16s", "")
	x = v[m, r, k]
	if (x == "-") return sprintf("%10s %-5s", "-", "")
	cv = v[m, r, k "_cov"]
	return sprintf("%10s %-5s", sprintf(fmt, x / scale), cv > 5 ? sprintf("+-%d%%", cv + 0.5) : "")
}
END {
	printf "workload %s on %s: median over repeats (n per cell below); +-: coefficient of variation, shown above 5%%\n", wl, fl
	nmet = split("delivered_pps:delivered packets/s:1:%.0f;irqs_per_pkt:interrupts per delivered packet:1:%.3f;exits_per_pkt:exits per delivered packet:1:%.3f;lat_p50_ns:latency p50 (us):1000:%.1f;lat_p99_ns:latency p99 (us):1000:%.1f;loss_pct:loss (% of sent):1:%.2f", mets, ";")
	for (q = 1; q <= nmet; q++) {
		split(mets[q], d, ":")
		printf "\n%-10s", d[2]
		printf "\n%8s", "rate"
		for (i = 1; i <= nmo; i++) printf "%16s", mo[i]
		printf "\n"
		for (j = 1; j <= nro; j++) {
			printf "%8s", ro[j] == 0 ? "max" : ro[j]
			for (i = 1; i <= nmo; i++) printf "%s", cell(mo[i], ro[j], d[1], d[3], d[4])
			printf "\n"
		}
	}
	printf "\n%8s", "repeats"
	for (i = 1; i <= nmo; i++) printf "%16s", mo[i]
	printf "\n"
	for (j = 1; j <= nro; j++) {
		printf "%8s", ro[j] == 0 ? "max" : ro[j]
		for (i = 1; i <= nmo; i++)
			printf "%16s", ((mo[i], ro[j], "n") in v) ? v[mo[i], ro[j], "n"] " ok" (v[mo[i], ro[j], "failed"] ? ", " v[mo[i], ro[j], "failed"] " failed" : "") : ""
		printf "\n"
	}
}' "$dir/summary.tsv" > "$dir/summary.txt"
cat "$dir/summary.txt"
