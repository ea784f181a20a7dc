#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# compare.sh - regression verdicts between two runs: per metric and cell
# (mode x rate) better, same or worse, decided from the repeats (medians and
# the range of every repeat), never from one number. Thresholds live in
# scripts/compare.rules; the rule is in results/README.md and printed at the
# end of every comparison. Output is TAP: the table as "#" lines, then one
# ok / not ok per metric (not ok = worse somewhere).

set -eu
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/compare.sh [--rules FILE] [--force] BASE NEW
       scripts/compare.sh [--rules FILE] --baseline NEW
       scripts/compare.sh --help | --version

Compare two results directories (or their summary.tsv files) of the same
workload: a table "metric cell base +-cov% change new +-cov% verdict" and one
TAP line per metric. Runs of different KVM flavours (meta: kvm_flavour) are
incomparable: "incomparable: flavour pvm vs svm-emulated", exit 2, unless
--force. Warns when the runs' workload, host or CPU differ.

Options:
  --rules FILE  thresholds (default scripts/compare.rules)
  --force       compare runs of different KVM flavours anyway
  --baseline    BASE is the committed baseline of NEW's own flavour,
                results/baseline/FLAVOUR/ (make regress)

Exit: 0 nothing worse, 1 a regression (a metric worse in a cell, or a cell
of BASE that failed or is missing in NEW), 2 bad input (missing summary, no
common cells, different KVM flavours without --force, no baseline for the
flavour).

Examples:
  scripts/compare.sh --baseline results/latest       # = make regress
  scripts/compare.sh results/baseline/svm-emulated results/latest
  scripts/compare.sh results/20261125-061400-smoke results/20261125-063000-smoke
USAGE
}

die2() {
	echo "compare: $*" >&2
	exit 2
}

rules=scripts/compare.rules
force=0
baseline=0
while [ $# -gt 0 ]; do
	case "$1" in
	--rules) [ $# -ge 2 ] || die2 "--rules needs a file"; rules=$2; shift 2 ;;
	--force) force=1; shift ;;
	--baseline) baseline=1; shift ;;
	--version) exec scripts/lib/version.sh compare.sh ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
# meta_of RUN KEY: KEY's value in the meta of RUN (a directory or its summary.tsv).
meta_of() {
	if [ -d "$1" ]; then _m=$1/meta; else _m=$(dirname "$1")/meta; fi
	awk -F'\t' -v k="$2" '$1 == k { sub(/^[^\t]*\t/, ""); print; exit }' "$_m" 2>/dev/null
}
if [ "$baseline" = 1 ]; then
	[ $# -eq 1 ] || die2 "--baseline: expected NEW only (see --help)"
	_f=$(meta_of "$1" kvm_flavour)
	[ -n "$_f" ] || die2 "$1: no kvm_flavour in its meta: which baseline is unknown"
	[ -d "results/baseline/$_f" ] || die2 "no baseline for flavour $_f: results/baseline/ holds" \
		"$(ls results/baseline 2>/dev/null | tr '\n' ' ')(commit a run of $_f there)"
	set -- "results/baseline/$_f" "$1"
fi
[ $# -eq 2 ] || die2 "expected BASE and NEW (see --help)"
[ -f "$rules" ] || die2 "$rules: no such rules file"

# summary_of ARG: the summary.tsv a directory or file argument names.
summary_of() {
	if [ -d "$1" ]; then s=$1/summary.tsv; else s=$1; fi
	[ -f "$s" ] || die2 "$1: no summary.tsv (not a results directory, or no cell finished)"
	head -1 "$s" | grep -q '^#mode	rate	n	' || die2 "$s: not a summary.tsv (header is not '#mode rate n ...')"
	echo "$s"
}
base=$(summary_of "$1")
new=$(summary_of "$2")

# Figures of two KVM flavours are never mixed (an emulated ring 0 on PVM, an
# emulated CPU in the sandbox): a verdict between them would measure the
# machine, not the change.
bf=$(meta_of "$1" kvm_flavour) nf=$(meta_of "$2" kvm_flavour)
if [ "${bf:-unknown}" != "${nf:-unknown}" ] && [ "$force" = 0 ]; then
	die2 "incomparable: flavour ${bf:-unknown} vs ${nf:-unknown} (--force to compare anyway)"
fi

# Provenance differences are warnings: the verdicts may still be wanted.
meta() { awk -F'\t' -v k="$2" '$1 == k { sub(/^[^\t]*\t/, ""); print; exit }' "$(dirname "$1")/meta" 2>/dev/null; }
emulated=0
case "$(meta "$base" kvm_flavour) $(meta "$new" kvm_flavour)" in *-emulated*) emulated=1 ;; esac
warn=
for k in workload kvm_flavour host kvm_cpu status; do
	b=$(meta "$base" $k) n=$(meta "$new" $k)
	[ "$b" = "$n" ] || warn="$warn$k differs: base '$b', new '$n'
"
done

awk -F'\t' -v rules="$rules" -v warn="$warn" -v bname="$1" -v nname="$2" -v emulated="$emulated" '
function abs(x) { return x < 0 ? -x : x }
function fmt(x, unit) {
	if (unit == "ns") return sprintf("%.1fus", x / 1000)
	if (unit == "packets/s") return sprintf("%.0f", x)
	if (unit == "pp") return sprintf("%.2f%%", x)
	return sprintf("%.3f", x)
}
function noise(cv) { return cv > 2 ? sprintf(" +-%d%%", cv + 0.5) : "" }
BEGIN {
	while ((getline l < rules) > 0) {
		if (l ~ /^[ \t]*(#|$)/) continue
		n = split(l, w, /[ \t]+/)
		if (w[1] == "min_repeats") { minrep = w[2] + 0; continue }
		if (n < 6 || (w[6] != "judge" && w[6] != "report")) { print "compare: " rules ": the 6th column must be judge or report: " l > "/dev/stderr"; exit 2 }
		report[w[1]] = emulated && w[6] == "report"
		if (n < 5 || (w[2] != "lower" && w[2] != "higher")) { print "compare: " rules ": bad line: " l > "/dev/stderr"; exit 2 }
		nm++; met[nm] = w[1]; dir[w[1]] = w[2]; floor[w[1]] = w[4] + 0; unit[w[1]] = w[5]
		rel[w[1]] = w[3] == "-" ? 0 : (w[3] + 0) / 100
		if (w[3] !~ /^(-|[0-9.]+%)$/) { print "compare: " rules ": min_rel must be N% or -: " l > "/dev/stderr"; exit 2 }
	}
	if (!nm || !minrep) { print "compare: " rules ": no metrics or no min_repeats" > "/dev/stderr"; exit 2 }
}
FNR == 1 { side = (NR == 1) ? "b" : "n"; sub(/^#/, ""); for (i = 1; i <= NF; i++) col[side, $i] = i; next }
{
	cell = $1 "@" ($2 == 0 ? "max" : $2)
	if (!(cell in known)) { known[cell] = 1; order[++nc] = cell }
	has[side, cell] = 1
	nrep[side, cell] = $(col[side, "n"])
	for (k = 1; k <= nm; k++) {
		m = met[k]
		if (!((side, m) in col)) { print "compare: " (side == "b" ? bname : nname) ": no column " m > "/dev/stderr"; exit 2 }
		v[side, cell, m] = $(col[side, m]); lo[side, cell, m] = $(col[side, m "_min"])
		hi[side, cell, m] = $(col[side, m "_max"]); cv[side, cell, m] = $(col[side, m "_cov"])
	}
}
END {
	common = 0
	for (c = 1; c <= nc; c++) if (has["b", order[c]] && has["n", order[c]]) common++
	if (!common) { print "compare: no cell (mode x rate) in both runs: not the same workload?" > "/dev/stderr"; exit 2 }
	printf "TAP version 13\n1..%d\n", nm
	printf "# compare BASE %s\n#     and NEW  %s\n", bname, nname
	nw = split(warn, W, "\n")
	for (i = 1; i <= nw; i++) if (W[i] != "") printf "# warning: %s\n", W[i]
	printf "# %-14s %-18s %14s %10s %14s  %s\n", "metric", "cell", "base", "change", "new", "verdict"
	reg = 0
	for (k = 1; k <= nm; k++) {
		m = met[k]; worse = ""; nbetter = nsame = nworse = nna = 0
		for (c = 1; c <= nc; c++) {
			cell = order[c]
			if (!has["n", cell]) {
				# A cell that ran in the base and is not in the new run at all
				# (not planned, or never summarized) is lost coverage: worse.
				if (nrep["b", cell] == 0) {
					nna++
					printf "# %-14s %-18s %14s %10s %14s  %s\n", m, cell, "failed", "", "missing", "n/a (failed in base, missing in new)"
					continue
				}
				verdict = "worse (missing in new)"; nworse++; worse = worse " " cell "(missing)"
				printf "# %-14s %-18s %14s %10s %14s  %s\n", m, cell, v["b", cell, m] == "-" ? "-" : fmt(v["b", cell, m], unit[m]), "", "missing", verdict
				continue
			}
			if (!has["b", cell]) {
				printf "# %-14s %-18s %14s %10s %14s  %s\n", m, cell, "", "", "", "only in new"
				continue
			}
			nb = nrep["b", cell]; nn = nrep["n", cell]
			if (nb > 0 && nn == 0) {
				verdict = "worse (every repeat failed in new)"; nworse++; worse = worse " " cell "(failed)"
				printf "# %-14s %-18s %14s %10s %14s  %s\n", m, cell, fmt(v["b", cell, m], unit[m]), "", "failed", verdict
				continue
			}
			if (v["b", cell, m] == "-" || v["n", cell, m] == "-") {
				nna++
				printf "# %-14s %-18s %14s %10s %14s  %s\n", m, cell, v["b", cell, m], "", v["n", cell, m], "n/a (no value: e.g. no latency samples in sink)"
				continue
			}
			if (nb < minrep || nn < minrep) {
				nna++
				printf "# %-14s %-18s %14s %10s %14s  %s\n", m, cell, nb ? fmt(v["b", cell, m], unit[m]) : "-", "", nn ? fmt(v["n", cell, m], unit[m]) : "-", "n/a (fewer than " minrep " repeats)"
				continue
			}
			b = v["b", cell, m] + 0; n = v["n", cell, m] + 0; d = n - b
			need = rel[m] * abs(b); if (need < floor[m]) need = floor[m]
			apart = lo["n", cell, m] + 0 > hi["b", cell, m] + 0 || hi["n", cell, m] + 0 < lo["b", cell, m] + 0
			if (unit[m] == "pp") change = sprintf("%+.2fpp", d)
			else if (b != 0) change = sprintf("%+.1f%%", 100 * d / b)
			else change = n == 0 ? "0" : "new"
			verdict = "same"
			if (abs(d) >= need && apart) {
				up = d > 0
				verdict = (up == (dir[m] == "higher")) ? "better" : "worse"
			}
			if (report[m]) {
				nna++
				printf "# %-14s %-18s %14s %10s %14s  %s\n", m, cell, fmt(b, unit[m]) noise(cv["b", cell, m]),
					change " ", fmt(n, unit[m]) noise(cv["n", cell, m]), "not judged (emulated CPU)"
				continue
			}
			if (verdict == "same") nsame++
			else if (verdict == "better") nbetter++
			else { nworse++; worse = worse " " cell "(" change ")" }
			printf "# %-14s %-18s %14s %10s %14s  %s\n", m, cell, fmt(b, unit[m]) noise(cv["b", cell, m]),
				change (verdict == "same" ? " " : "*"), fmt(n, unit[m]) noise(cv["n", cell, m]), verdict
		}
		summary = sprintf("%d same, %d better, %d worse%s", nsame, nbetter, nworse, nna ? ", " nna " n/a" : "")
		if (report[m]) printf "ok %d - %s # SKIP not judged on an emulated CPU (scripts/compare.rules)\n", k, m
		else if (nworse) { reg = 1; printf "not ok %d - %s: worse in%s (%s)\n", k, m, worse, summary }
		else printf "ok %d - %s: %s\n", k, m, summary
	}
	printf "# rule (scripts/compare.rules): a cell is better or worse only if the medians differ by at least\n"
	printf "#   max(min_rel x |base median|, floor) AND the ranges of the repeats do not overlap; else same.\n"
	printf "#   At least %d repeats per side; +-: coefficient of variation over repeats (shown above 2%%).\n", minrep
	if (emulated) printf "#   An emulated CPU took part: metrics marked report in the rules are shown, not judged.\n"
	exit reg
}' "$base" "$new"
