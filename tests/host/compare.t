#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# compare.t - scripts/compare.sh's verdicts on synthetic runs whose figures
# the test sets: identical and overlapping-noise runs are "same", a clear
# change beyond the thresholds with separated repeats is "better" or
# "worse", a big change inside the noise stays "same", too few repeats is
# n/a, a cell failing in or missing from the new run is a regression; runs
# of two KVM flavours are incomparable (exit 2) unless --force; --baseline
# picks the committed baseline of the new run's own flavour; exit codes 0/1/2.
. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/tests/lib/synth.sh"
cd "$VIRQLAB_ROOT" || exit 1

plan 29
t=$BUILD/tmp/compare-t.$$
rm -rf "$t"

# run DIR [MODE@RATE:METRIC=VALUE ...]: 2 modes x 2 rates x 3 repeats; base
# figures, each repeat spread by -1 %, 0, +1 %; an override sets one cell's
# median (the spread stays).
run() {
	_d=$1
	shift
	synth_run "$_d" synth
	for rate in 1000 4000; do
		for mode in inject mask-direct; do
			pps=$rate irq=1 ex=2 p50=400000 p99=900000 drop=0
			[ $mode = inject ] && ex=7
			for o in "$@"; do
				case "$o" in "$mode@$rate:"*) eval "${o#*:}" ;; esac
			done
			for r in 1 2 3; do
				j=$(awk -v r=$r 'BEGIN { print 1 + (r - 2) / 100 }')
				synth_cell "$_d" $mode $rate $r $(awk -v j="$j" -v a="$pps $irq $ex $p50 $p99" 'BEGIN {
					split(a, v, " "); for (i = 1; i <= 5; i++) printf "%s ", v[i] * j }') $drop
			done
		done
	done
	scripts/summarize.sh "$_d" >/dev/null
}

verdict() { # OUTPUT METRIC CELL: the verdict column of that row
	printf '%s\n' "$1" | awk -v m="$2" -v c="$3" '$1 == "#" && $2 == m && $3 == c { print $NF }'
}

run "$t/base"
run "$t/same"
out=$(scripts/compare.sh "$t/base" "$t/same") && rc=0 || rc=$?
is "identical figures: exit 0" 0 "$rc"
is "identical figures: every row same" 0 "$(printf '%s\n' "$out" | awk '$1 == "#" && $2 ~ /_(pps|pkt|ns|pct)$/ && $NF != "same"' | wc -l)"
like "output is TAP with one line per metric in compare.rules" '^1\.\.6$' "$out"

run "$t/worse" "mask-direct@1000:ex=3"
out=$(scripts/compare.sh "$t/base" "$t/worse") && rc=0 || rc=$?
is "exits/pkt +50 % with separated repeats: exit 1 (regression)" 1 "$rc"
is "... verdict worse for mask-direct@1000" worse "$(verdict "$out" exits_per_pkt mask-direct@1000)"
like "... not ok for exits_per_pkt, naming the cell" '^not ok 3 - exits_per_pkt: worse in mask-direct@1000\(\+50\.0%\)' "$out"
is "... the other cells stay same" same "$(verdict "$out" exits_per_pkt mask-direct@4000)"

run "$t/better" "mask-direct@4000:irq=0.5"
out=$(scripts/compare.sh "$t/base" "$t/better") && rc=0 || rc=$?
is "irqs/pkt halved: exit 0" 0 "$rc"
is "... verdict better" better "$(verdict "$out" irqs_per_pkt mask-direct@4000)"

run "$t/small" "inject@1000:ex=7.4"
out=$(scripts/compare.sh "$t/base" "$t/small") && rc=0 || rc=$?
is "exits/pkt +5.7 % (below the 10 % threshold), repeats apart: same" same "$(verdict "$out" exits_per_pkt inject@1000)"

# Noise: the same medians' jump, but one repeat of the new run overlaps the base's range.
run "$t/noisy" "inject@4000:p99=2700000"
awk -F'\t' 'BEGIN { OFS = "\t" } NR == 1 { for (i = 1; i <= NF; i++) if ($i == "lat_p99_ns_min") c = i; print; next }
	$1 == "inject" && $2 == 4000 { $c = 800000 } { print }' "$t/noisy/summary.tsv" > "$t/noisy/s" && mv "$t/noisy/s" "$t/noisy/summary.tsv"
out=$(scripts/compare.sh "$t/base" "$t/noisy") && rc=0 || rc=$?
is "p99 x3 but a new repeat inside the base's range: same (noise)" same "$(verdict "$out" lat_p99_ns inject@4000)"

synth_run "$t/one" synth
synth_cell "$t/one" inject 1000 1 1000 1 9 400000 900000 0
scripts/summarize.sh "$t/one" >/dev/null
out=$(scripts/compare.sh "$t/base" "$t/one") && rc=0 || rc=$?
like "one repeat: n/a, never a verdict" 'n/a \(fewer than 2 repeats\)' "$out"

run "$t/failed"
for r in 1 2 3; do echo "failed: vmm-mini exit 3 (host/KVM error)" > "$t/failed/cells/mask-direct-1000-$r/status"; done
scripts/summarize.sh "$t/failed" >/dev/null
out=$(scripts/compare.sh "$t/base" "$t/failed") && rc=0 || rc=$?
is "a cell whose every repeat failed in NEW: exit 1" 1 "$rc"

synth_run "$t/other" other
synth_cell "$t/other" sink 7 1 7 0 0 0 0 0
synth_cell "$t/other" sink 7 2 7 0 0 0 0 0
scripts/summarize.sh "$t/other" >/dev/null
err=$(scripts/compare.sh "$t/base" "$t/other" 2>&1 >/dev/null) && rc=0 || rc=$?
is "no common cell: exit 2" 2 "$rc"
like "... saying so" 'no cell \(mode x rate\) in both runs' "$err"
err=$(scripts/compare.sh "$t/base" "$t/nothing-here" 2>&1) && rc=0 || rc=$?
like "missing run: exit 2, one line naming it" 'compare: .*nothing-here: no summary.tsv' "$err (exit $rc)"

run "$t/slow" "inject@1000:p50=4000000"
out=$(scripts/compare.sh "$t/base" "$t/slow") && rc=0 || rc=$?
is "p50 x10, separated: worse on a real CPU (exit 1)" "worse 1" "$(verdict "$out" lat_p50_ns inject@1000) $rc"
# flavour DIR FLAVOUR: the run's meta says it was measured on FLAVOUR.
flavour() { sed -i "s/^kvm_flavour\t.*/kvm_flavour\t$2/" "$1/meta"; }
cp -R "$t/base" "$t/base-emu"
flavour "$t/base-emu" svm-emulated
flavour "$t/slow" svm-emulated
out=$(scripts/compare.sh "$t/base-emu" "$t/slow") && rc=0 || rc=$?
like "... on an emulated CPU latency is reported, not judged (exit $rc)" '^ok 4 - lat_p50_ns # SKIP not judged on an emulated CPU' "$out"

cp -R "$t/same" "$t/pvm"
flavour "$t/pvm" pvm
err=$(scripts/compare.sh "$t/base-emu" "$t/pvm" 2>&1 >/dev/null) && rc=0 || rc=$?
is "two KVM flavours: exit 2" 2 "$rc"
is "... one line: incomparable, naming both" \
	"compare: incomparable: flavour svm-emulated vs pvm (--force to compare anyway)" "$err"
out=$(scripts/compare.sh --force "$t/base-emu" "$t/pvm" 2>&1) && rc=0 || rc=$?
is "--force: compared anyway (identical figures: exit 0)" 0 "$rc"
like "... with the difference as a warning" "^# warning: kvm_flavour differs: base 'svm-emulated', new 'pvm'" "$out"
flavour "$t/pvm" ""
err=$(scripts/compare.sh "$t/base-emu" "$t/pvm" 2>&1 >/dev/null) && rc=0 || rc=$?
is "a run whose meta names no flavour is incomparable too" \
	"2 compare: incomparable: flavour svm-emulated vs unknown (--force to compare anyway)" "$rc $err"

# A new run without one of the base's cells: not summarized at all.
run "$t/partial"
rm -rf "$t/partial/cells/mask-direct-4000-"*
sed -i '/^mask-direct-4000-/d' "$t/partial/plan.tsv"
scripts/summarize.sh "$t/partial" >/dev/null
out=$(scripts/compare.sh "$t/base" "$t/partial") && rc=0 || rc=$?
is "a base cell missing from NEW: exit 1 (regression)" 1 "$rc"
is "... verdict worse (missing in new)" "worse (missing in new)" \
	"$(printf '%s\n' "$out" | awk '$1 == "#" && $2 == "exits_per_pkt" && $3 == "mask-direct@4000" { sub(/.*  /, ""); print }')"
like "... not ok naming the cell" '^not ok 3 - exits_per_pkt: worse in mask-direct@4000\(missing\)' "$out"
out=$(scripts/compare.sh "$t/partial" "$t/base") && rc=0 || rc=$?
is "a cell only in NEW is shown, not judged: exit 0" "0 1" \
	"$rc $(printf '%s\n' "$out" | grep -c '^# exits_per_pkt *mask-direct@4000 *only in new$')"

# --baseline: results/baseline/<the new run's flavour>/.
err=$(scripts/compare.sh --baseline "$t/same" 2>&1 >/dev/null) && rc=0 || rc=$?
like "--baseline, no baseline of that flavour: exit 2 naming it (exit $rc)" \
	"^compare: no baseline for flavour synthetic: results/baseline/ holds .*svm-emulated" "$err"
out=$(scripts/compare.sh --baseline "$t/slow" 2>&1) && rc=0 || rc=$?
like "--baseline, an svm-emulated run: compared with results/baseline/svm-emulated" \
	"^# compare BASE results/baseline/svm-emulated\$" "$out"

rm -rf "$t"
done_testing
