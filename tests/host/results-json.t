#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: machine-readable results. scripts/summarize.sh writes
# results.json beside summary.tsv (jq parses it; format virqlab-results-json
# version 1; meta verbatim; one object per summary row whose numbers are the
# summary.tsv's, "-" as null) and prints the summary as text, tsv, csv or
# json (--format). summary.tsv's numbers are plain decimals, never an
# exponent. Nothing here needs KVM.

. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/tests/lib/synth.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool jq

plan 17
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# Two modes, three repeats; a spread wide enough that %g would print an
# exponent for the standard deviation; and a mode whose one repeat failed.
synth_run "$t/r" json
for r in 1 2 3; do
	synth_cell "$t/r" inject 1000 "$r" $((250000 + r * 60000)) 1 7 400000 900000 0
	synth_cell "$t/r" mask-direct 1000 "$r" 1000 0.0000$r 2 300000 600000 0
done
synth_cell "$t/r" sink 1000 1 0 0 0 0 0 0 "failed: vmm-mini exit 3 (host/KVM error)"
text=$(scripts/summarize.sh "$t/r")
is "summarize: exit 0" 0 "$?"
j=$t/r/results.json
check "results.json is written and jq parses it" jq -e . "$j"
is "format and version" "virqlab-results-json 1" "$(jq -r '"\(.format) \(.version)"' "$j" 2>&1)"
is "meta: every key of meta, values verbatim" "$(cut -f1,2 "$t/r/meta" | sort)" \
	"$(jq -r '.meta | to_entries[] | "\(.key)\t\(.value)"' "$j" 2>&1 | sort)"
is "one summary object per summary.tsv row, in order" "$(awk -F'\t' 'NR > 1 { print $1 "@" $2 }' "$t/r/summary.tsv")" \
	"$(jq -r '.summary[] | "\(.mode)@\(.rate)"' "$j" 2>&1)"
# Every number of summary.tsv, as results.json holds it (null for "-").
tsv_numbers=$(awk -F'\t' 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) h[i] = $i; next }
	{ for (i = 5; i <= NF - 1; i++) print $1, h[i], ($i == "-" ? "null" : $i + 0) }' "$t/r/summary.tsv")
json_numbers=$(jq -r '.summary[] | .mode as $m | .metrics | to_entries[] | .key as $k | .value
	| "\($m) \($k) \(.median)", "\($m) \($k)_min \(.min)", "\($m) \($k)_max \(.max)",
	  "\($m) \($k)_mean \(.mean)", "\($m) \($k)_sd \(.sd)", "\($m) \($k)_cov \(.cov)"' "$j" 2>&1 |
	awk '{ print $1, $2, ($3 == "null" ? "null" : $3 + 0) }')
is "every metric figure equals summary.tsv's" "$tsv_numbers" "$json_numbers"
is "a failed-only cell: n 0, failed 1, its metrics null" "0 1 null" \
	"$(jq -r '.summary[] | select(.mode == "sink") | "\(.n) \(.failed) \(.metrics.exits_per_pkt.median)"' "$j" 2>&1)"
is "metrics: the metric names in column order" \
	"$(head -1 "$t/r/summary.tsv" | tr '\t' '\n' | sed -n 's/_min$//p' | paste -sd' ')" \
	"$(jq -r '.metrics | join(" ")' "$j" 2>&1)"
is "summary.tsv: no number with an exponent" "" \
	"$(awk -F'\t' 'NR > 1 { for (i = 3; i <= NF; i++) if ($i ~ /[eE][-+]?[0-9]/) print NR ":" i ": " $i }' "$t/r/summary.tsv")"

is "--format text (the default) is summary.txt" "$(cat "$t/r/summary.txt")" "$text"
is "--format tsv is summary.tsv" "$(cat "$t/r/summary.tsv")" "$(scripts/summarize.sh --format tsv "$t/r")"
is "--format json is results.json" "$(cat "$j")" "$(scripts/summarize.sh --format json "$t/r")"
csv=$(scripts/summarize.sh --format csv "$t/r")
is "--format csv: summary.tsv's header, unquoted names, commas" \
	"$(head -1 "$t/r/summary.tsv" | sed 's/^#//; s/	/,/g')" \
	"$(printf '%s\n' "$csv" | head -1 | tr -d '"')"
is "--format csv: one line per row, summary.tsv's figures, the mode quoted, - empty" \
	"$(awk -F'\t' 'NR > 1 { $1 = "\"" $1 "\""; for (i = 2; i <= NF; i++) if ($i == "-") $i = ""; print }' OFS=, "$t/r/summary.tsv")" \
	"$(printf '%s\n' "$csv" | tail -n +2)"
usage_error "--format xml" "^summarize: --format 'xml': not one of text, tsv, csv, json" \
	scripts/summarize.sh --format xml "$t/r"
done_testing
