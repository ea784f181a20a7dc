#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# summarize.sh - derive a run's summary from its raw cells: summary.tsv (one
# row per mode x rate: n, failed, and per metric the median, min, max, mean,
# stddev and coefficient of variation over the repeats; columns in
# results/README.md), summary.txt (the same for people, modes side by side)
# and results.json (meta and summary for programs; schema in
# results/README.md, written with jq). Only cells whose status is ok count;
# warm-up cells never do. run-experiment.sh calls it; rerun it any time, it
# only reads cells/ and meta.

set -eu
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/summarize.sh [--format text|tsv|csv|json] RESULTDIR
       scripts/summarize.sh --help | --version

Rewrite RESULTDIR/summary.tsv, RESULTDIR/summary.txt and RESULTDIR/results.json
from RESULTDIR/cells/ and RESULTDIR/meta, and print the summary.

Options:
  --format F     what to print: text (summary.txt, the default), tsv
                 (summary.tsv), csv (summary.tsv's columns, a plain header, "-"
                 empty) or json (results.json: meta and summary;
                 results/README.md, "results.json")
  -h, --help     this text
  --version      print "summarize.sh (virqlab) REVISION" and exit

Exit: 0 done; 2 bad usage, or RESULTDIR is not a results directory.

Examples:
  scripts/summarize.sh results/latest
  scripts/summarize.sh --format json results/latest | jq '.summary[0]'
  scripts/summarize.sh --format csv results/20261125-061400-default > default.csv
USAGE
}

die2() {
	echo "summarize: $*" >&2
	exit 2
}

format=text dir=
while [ $# -gt 0 ]; do
	case "$1" in
	--format)
		[ $# -ge 2 ] || die2 "--format needs one of text, tsv, csv, json"
		case "$2" in text|tsv|csv|json) format=$2 ;; *) die2 "--format '$2': not one of text, tsv, csv, json" ;; esac
		shift 2 ;;
	--version) exec scripts/lib/version.sh summarize.sh ;;
	-h|--help) usage; exit 0 ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) [ -z "$dir" ] || die2 "unexpected argument '$1': one RESULTDIR at a time (see --help)"
	   dir=$1; shift ;;
	esac
done
[ -n "$dir" ] || die2 "no results directory given (see --help)"
[ -f "$dir/plan.tsv" ] && [ -d "$dir/cells" ] ||
	die2 "$dir: no plan.tsv or cells/: not a results directory"
command -v jq > /dev/null || die2 "jq is not installed (scripts/deps.sh installs it)"

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

# A cell whose figures cannot be true is named in summary.flags (then in
# summary.txt and on stderr; its figures still count: they are what was
# measured, and the flag says they are not to be believed):
#  - delivered_pps above udpgen's achieved_pps by more than RATE_TOL. The
#    receive window (first arrival to last completion) holds every delivered
#    datagram's arrival, and a paced udpgen never runs more than 1 ms ahead
#    of its schedule (udpgen.c, SLIP_NS), so over a cell of 0.1 s or more
#    the two differ by at most 1 % + one datagram (results/README.md,
#    "delivered_pps"); 2 % leaves room for a cell of 0.05 s.
#  - latency percentiles out of order (p50 <= p90 <= p99 <= max), delivered
#    above sent.
awk -F'\t' -v flags="$dir/summary.flags" -v tol="${RATE_TOL:-0.02}" -v metrics="offered_pps delivered_pps irqs_per_pkt exits_per_pkt lat_p50_ns lat_p90_ns lat_p99_ns lat_max_ns dropped loss_pct" '
# num X: plain decimal, up to 10 significant digits, never an exponent
# (one number format in every column, whatever the magnitude).
function num(x,    s) {
	s = sprintf("%.10g", x)
	if (s ~ /e/) { s = sprintf("%.12f", x); sub(/0+$/, "", s); sub(/\.$/, "", s) }
	return s
}
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
	if ($3 != "ok") { failed[key]++; rep[key]++; next }
	delete f
	for (i = 4; i <= NF; i++) { p = index($i, "="); f[substr($i, 1, p - 1)] = substr($i, p + 1) }
	f["offered_pps"] = ("gen_achieved_pps" in f) ? f["gen_achieved_pps"] : ""
	f["loss_pct"] = f["sent"] > 0 ? 100 * f["dropped"] / f["sent"] : 0
	cell = $1 "@" $2 " repeat " (++rep[key])
	if (f["gen_achieved_pps"] + 0 > 0 && f["delivered_pps"] + 0 > f["gen_achieved_pps"] * (1 + tol))
		printf "%s: delivered_pps %s above udpgen\047s achieved %s pps by more than %g %%\n", cell,
			f["delivered_pps"], f["gen_achieved_pps"], 100 * tol > flags
	if (f["lat_samples"] + 0 > 0 && !(f["lat_p50_ns"] + 0 <= f["lat_p90_ns"] + 0 &&
	    f["lat_p90_ns"] + 0 <= f["lat_p99_ns"] + 0 && f["lat_p99_ns"] + 0 <= f["lat_max_ns"] + 0))
		printf "%s: latency percentiles out of order (p50 %s, p90 %s, p99 %s, max %s)\n", cell,
			f["lat_p50_ns"], f["lat_p90_ns"], f["lat_p99_ns"], f["lat_max_ns"] > flags
	if (f["delivered"] + 0 > f["sent"] + 0)
		printf "%s: delivered %s above sent %s\n", cell, f["delivered"], f["sent"] > flags
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
			printf "\t%s\t%s\t%s\t%s\t%s\t%.2f", num(m), num(a[1]), num(a[nn]), num(mean), num(sd), mean ? 100 * sd / mean : 0
		}
		printf "\t1\n"
	}
}' "$dir/summary.in" > "$dir/summary.tsv"
rm -f "$dir/summary.in"
[ -s "$dir/summary.flags" ] || rm -f "$dir/summary.flags"

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
if [ -f "$dir/summary.flags" ]; then
	{ printf '\nfigures that cannot be true (summary.flags; results/README.md, "Checks"):\n'
	  sed 's/^/  /' "$dir/summary.flags"; } >> "$dir/summary.txt"
	sed 's/^/summarize: /' "$dir/summary.flags" >&2
fi

# results.json: meta (every key, its value a string as in meta) and one
# object per summary row, the metrics under their names; "-" is null.
# Written to a temporary file and renamed: a reader never sees half of it.
meta=$dir/meta
[ -f "$meta" ] || meta=/dev/null
jq -n --arg run "$(basename "$(cd "$dir" && pwd -P)")" \
	--rawfile meta "$meta" --rawfile sum "$dir/summary.tsv" '
def lines: split("\n") | map(select(length > 0));
def val: if . == "-" or . == "" then null else tonumber end;
($meta | lines | map(index("\t") as $i | if $i then {key: .[:$i], value: .[$i + 1:]} else empty end)
	| from_entries) as $m
| ($sum | lines) as $l
| ($l[0] | ltrimstr("#") | split("\t")) as $h
| [$h[] as $c | select($h | index([$c + "_min"])) | $c] as $metrics
| {
	format: "virqlab-results-json",
	version: 1,
	run: $run,
	meta: $m,
	metrics: $metrics,
	summary: [$l[1:][] | split("\t") as $v
		| ([range($h | length)] | map({key: $h[.], value: $v[.]}) | from_entries) as $r
		| {mode: $r.mode, rate: ($r.rate | val), n: ($r.n | val), failed: ($r.failed | val),
		   metrics: ([$metrics[] as $k | {key: $k, value: {
			median: ($r[$k] | val), min: ($r[$k + "_min"] | val), max: ($r[$k + "_max"] | val),
			mean: ($r[$k + "_mean"] | val), sd: ($r[$k + "_sd"] | val), cov: ($r[$k + "_cov"] | val)}}]
			| from_entries)}]
}' > "$dir/results.json.tmp" && mv "$dir/results.json.tmp" "$dir/results.json" ||
	{ rm -f "$dir/results.json.tmp"; echo "summarize: $dir/results.json: jq failed" >&2; exit 1; }

case "$format" in
text) cat "$dir/summary.txt" ;;
tsv) cat "$dir/summary.tsv" ;;
json) cat "$dir/results.json" ;;
csv)
	# summary.tsv as CSV: the same columns and number strings under a plain
	# header, the mode quoted, "-" empty.
	awk -F'\t' 'NR == 1 { sub(/^#/, "") }
		{ for (i = 1; i <= NF; i++) {
			v = $i
			if (NR > 1 && i == 1) { gsub(/"/, "\"\"", v); v = "\"" v "\"" }
			else if (v == "-") v = ""
			printf "%s%s", v, i < NF ? "," : "\n" } }' "$dir/summary.tsv" ;;
esac
