#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rx-targets.sh - the receive path's benchmark targets (make bench-rx), read
# off one saturation run: every figure is a median over the run's repeats
# from RESULTDIR/summary.tsv, or from its cells' stats.tsv for the exit
# breakdown, so each verdict traces to counts in that run. Written to
# RESULTDIR/targets.txt and printed.
#
#   inject's saturation rate  the lowest swept rate where inject's median loss > 0
#   at that rate              mask-direct irqs/pkt <= 0.01 and exits/pkt <= 0.02
#   highest lossless rate     the highest median delivered pps of a rate where
#                             every repeat lost nothing; mask-direct's >= 10x
#                             inject's and >= 0.9x sink's
#   at 1,000 pps              mask-direct's p99 latency <= inject's
#
# mask-poll (mask-direct with a polling consumer) and coalesce (inject with
# interrupt moderation) are reported beside mask-direct, never in its place.

set -eu

usage() {
	cat <<'USAGE'
Usage: scripts/rx-targets.sh RESULTDIR
       scripts/rx-targets.sh --help | --version

Print the receive-path targets (MET / MISS, with the figures) for a run of a
workload that sweeps sink, inject and mask-direct (make bench-rx runs
workloads/saturation.conf), and write them to RESULTDIR/targets.txt.

Options:
  -h, --help     this text
  --version      print "rx-targets.sh (virqlab) REVISION" and exit

Exit: 0 printed (whatever the verdicts); 2 RESULTDIR has no summary.tsv or
lacks inject or mask-direct rows.

Examples:
  scripts/rx-targets.sh results/latest
  scripts/rx-targets.sh results/examples/saturation-svm-emulated
USAGE
}

case "${1:-}" in
--version) exec "$(dirname "$0")/lib/version.sh" rx-targets.sh ;;
-h|--help) usage; exit 0 ;;
"") echo "rx-targets: no results directory given (see --help)" >&2; exit 2 ;;
-*) echo "rx-targets: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { echo "rx-targets: unexpected argument '$2': one RESULTDIR at a time (see --help)" >&2; exit 2; }
dir=$1
[ -f "$dir/summary.tsv" ] ||
	{ echo "rx-targets: $dir: no summary.tsv (run scripts/summarize.sh $dir first)" >&2; exit 2; }
grep -q '^inject	' "$dir/summary.tsv" && grep -q '^mask-direct	' "$dir/summary.tsv" ||
	{ echo "rx-targets: $dir: no inject or no mask-direct rows in summary.tsv: nothing to compare" >&2; exit 2; }
flavour=$(awk -F'\t' '$1 == "kvm_flavour" { print $2 }' "$dir/meta" 2>/dev/null)
status=$(awk -F'\t' '$1 == "status" { print $2 }' "$dir/meta" 2>/dev/null)
done_cells=$(awk -F'\t' '$1 == "cells_done" { d = $2 } $1 == "cells" { c = $2 } END { print d "/" c }' "$dir/meta" 2>/dev/null)

# Per finished run cell of the plan: mode, rate, and its exits per delivered
# packet by cause, named by the KVM statistics columns the cell's stats.tsv
# has (every kvm_*_exits but kvm_exits itself and kvm_signal_exits, which
# counts returns to user space for a pending signal after an exit already
# counted by its reason), then "-" and what no such column names.
breakdown=$(awk -F'\t' -v dir="$dir" '
!/^#/ && $5 == "run" {
	c = dir "/cells/" $1
	if ((getline st < (c "/status")) <= 0 || st != "ok") next
	close(c "/status")
	f = c "/stats.tsv"
	if ((getline h < f) <= 0) next
	getline v < f
	close(f)
	sub(/^#/, "", h)
	n = split(h, hn, "\t"); split(v, vv, "\t")
	delete s
	for (i = 1; i <= n; i++) s[hn[i]] = vv[i]
	if (s["delivered"] + 0 == 0) next
	d = s["delivered"]
	if (s["kvm_exits"] == "" || s["kvm_exits"] == "-") next
	rest = s["kvm_exits"]; line = $2 "\t" $3
	for (i = 1; i <= n; i++) {
		if (hn[i] !~ /^kvm_.+_exits$/ || hn[i] == "kvm_signal_exits" || vv[i] == "-") continue
		rest -= vv[i]
		line = line "\t" hn[i] "\t" sprintf("%.6f", vv[i] / d)
	}
	print line "\t-\t" sprintf("%.6f", rest / d)
}' "$dir/plan.tsv" 2>/dev/null || true)

printf '%s\n' "$breakdown" | awk -F'\t' -v fl="${flavour:-unknown}" -v status="${status:-unknown}" -v done_cells="$done_cells" '
function sortv(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
}
function median(key, k,    a, i, nn) {
	nn = bn[key, k]
	if (!nn) return ""
	for (i = 1; i <= nn; i++) a[i] = b[key, k, i]
	sortv(a, nn)
	return nn % 2 ? a[(nn + 1) / 2] : (a[nn / 2] + a[nn / 2 + 1]) / 2
}
function verdict(ok) { return ok ? "MET" : "MISS" }
function rname(r) { return r == 0 ? "max" : r " pps" }
# The method, and the two alternatives measured against the same targets.
function judged(m) { return m == "mask-direct" || m == "mask-poll" || m == "coalesce" }
FILENAME == "-" {
	if (NF < 4) next
	key = $1 SUBSEP $2; bn[key]++
	for (k = 3; k < NF; k += 2) {
		if (!((key, $k) in bn)) causes[key, ++ncauses[key]] = $k
		b[key, $k, ++bn[key, $k]] = $(k + 1)
	}
	next
}
FNR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	m = $1; r = $2
	if (!(m in seen)) { seen[m] = 1; modes[++nmodes] = m }
	if (!((m, r) in have)) { have[m, r] = 1; rates[m, ++nr[m]] = r }
	for (k in c) v[m, r, k] = $(c[k])
}
END {
	print "receive-path targets, from this run (KVM flavour " fl "; medians over repeats)"
	if (status != "complete")
		print "  run " status " (" done_cells " cells): these verdicts cover only the cells that ran"
	# Rates in sweep order, max (0) last.
	sat = ""
	for (i = 1; i <= nr["inject"]; i++) {
		r = rates["inject", i]
		if (v["inject", r, "loss_pct"] != "-" && v["inject", r, "loss_pct"] > 0 &&
		    (sat == "" || (r != 0 && (sat == 0 || r < sat)))) sat = r
	}
	if (sat == "") {
		print "  inject never lost a packet in this sweep: no saturation rate, the first two targets cannot be judged"
	} else {
		printf "  inject saturates at %s (the lowest swept rate where its median loss > 0: %.2f%%)\n", rname(sat), v["inject", sat, "loss_pct"]
		for (i = 1; i <= nmodes; i++) {
			m = modes[i]
			if (!judged(m)) continue
			if (!((m, sat) in have)) { printf "  %-11s no cells at %s\n", m, rname(sat); continue }
			ip = v[m, sat, "irqs_per_pkt"]; ep = v[m, sat, "exits_per_pkt"]
			printf "  %-11s at %s: irqs/pkt %.4f (%.4f..%.4f; target <= 0.01): %s; exits/pkt %.4f (%.4f..%.4f; target <= 0.02): %s\n", \
				m, rname(sat), ip, v[m, sat, "irqs_per_pkt_min"], v[m, sat, "irqs_per_pkt_max"], verdict(ip <= 0.01), \
				ep, v[m, sat, "exits_per_pkt_min"], v[m, sat, "exits_per_pkt_max"], verdict(ep <= 0.02)
			key = m SUBSEP sat
			if (bn[key]) {
				line = ""
				for (j = 1; j <= ncauses[key]; j++)
					if ((k = causes[key, j]) != "-")
						line = line sprintf("%s%s %.4f", line == "" ? "" : ", ", k, median(key, k))
				printf "  %-11s   exits/pkt by cause (KVM statistics columns): %s; named by none of them %.4f\n", \
					"", line == "" ? "none" : line, median(key, "-")
			}
		}
	}
	line = ""
	for (i = 1; i <= nmodes; i++) {
		m = modes[i]; best[m] = ""
		for (j = 1; j <= nr[m]; j++) {
			r = rates[m, j]
			if (v[m, r, "loss_pct_max"] == "-" || v[m, r, "loss_pct_max"] > 0) continue
			if (best[m] == "" || v[m, r, "delivered_pps"] > best[m]) { best[m] = v[m, r, "delivered_pps"]; bestr[m] = r }
		}
		line = line sprintf("%s%s %s", line == "" ? "" : ", ", m, best[m] == "" ? "none" : sprintf("%.0f (at %s)", best[m], rname(bestr[m])))
	}
	print "  highest lossless rate (every repeat lossless), delivered pps: " line
	atmax = ""
	for (i = 1; i <= nmodes; i++)
		if (best[modes[i]] != "" && bestr[modes[i]] == 0) atmax = atmax (atmax == "" ? "" : ", ") modes[i]
	if (atmax != "")
		print "  (lossless even at max: " atmax "; there the generator, not the receiver, set the rate)"
	if (best["inject"] == "")
		print "  inject lost packets in some repeat at every swept rate: the ratios to inject cannot be judged (sweep lower)"
	for (i = 1; i <= nmodes; i++) {
		m = modes[i]
		if (!judged(m) || best[m] == "") continue
		if (best["inject"] != "")
			printf "  %-11s / inject = %.2fx (target >= 10): %s\n", m, best[m] / best["inject"], verdict(best[m] >= 10 * best["inject"])
		if (best["sink"] != "")
			printf "  %-11s / sink   = %.2f (target >= 0.9): %s\n", m, best[m] / best["sink"], verdict(best[m] >= 0.9 * best["sink"])
	}
	if (("inject", 1000) in have && v["inject", 1000, "lat_p99_ns"] != "-") {
		for (i = 1; i <= nmodes; i++) {
			m = modes[i]
			if (!judged(m) || !((m, 1000) in have) || v[m, 1000, "lat_p99_ns"] == "-") continue
			printf "  %-11s at 1000 pps: p99 %.1f us vs inject %.1f us (target <= inject): %s\n", m, \
				v[m, 1000, "lat_p99_ns"] / 1000, v["inject", 1000, "lat_p99_ns"] / 1000, \
				verdict(v[m, 1000, "lat_p99_ns"] + 0 <= v["inject", 1000, "lat_p99_ns"] + 0)
		}
	} else {
		print "  no inject cells at 1000 pps: the latency target cannot be judged"
	}
}' - "$dir/summary.tsv" > "$dir/targets.txt"
cat "$dir/targets.txt"
