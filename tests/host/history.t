#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: the run history (scripts/history.sh, results/README.md
# "History"). Three synthetic runs of two revisions are recorded into a
# database of their own: the schema is versioned (PRAGMA user_version 1),
# list names every run with its revision, recording a run again replaces its
# rows, and `exits_per_pkt mask-direct 1000` prints the series with both
# revisions and the verdict of each step by compare.sh's own rule
# (scripts/lib/compare.awk on the stored rows: same below the floor, then
# worse, with Welch's t); a metric without a rule is shown, not judged. A recorder killed in the middle of its transaction
# (sqlite3 SIGKILLed after the run's row and summary rows, before its
# metrics) and one whose statement fails leave the database as it was:
# integrity_check ok and no run with a partial record. accept marks the
# reference; regress compares the newest run with it through compare.sh
# (exit 1 on the regression), and with no accepted run falls back to the
# committed baseline; a newer run whose folder is gone is passed over.
# --plot draws a PNG. results/history.sqlite is
# git-ignored. Nothing here needs KVM.

. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/tests/lib/synth.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool sqlite3
require_tool jq

plan 28
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
db=$t/h.sqlite
export VIRQLAB_HISTORY="$db"

# mkrun NAME DAY REV EXITS...: a summarized synthetic run started on day
# DAY at revision REV (repeated to 40 digits), mask-direct's exits per
# packet in its three repeats EXITS.
mkrun() {
	_d=$t/$1 _day=$2 _rev=$3
	shift 3
	synth_run "$_d" synth
	sed -i "s/^start\t.*/start\t2026-01-0${_day}T00:00:00Z/" "$_d/meta"
	printf 'git_rev\t%s\ngit_dirty\tno\ncpu\tTest CPU\n' "$(printf "%.40s" "$_rev$_rev$_rev$_rev$_rev$_rev$_rev$_rev")" >> "$_d/meta"
	_r=1
	for e in "$@"; do
		synth_cell "$_d" inject 1000 $_r 1000 1 7 400000 900000 0
		synth_cell "$_d" mask-direct 1000 $_r 1000 0.9 "$e" 300000 600000 0
		_r=$((_r + 1))
	done
	scripts/summarize.sh "$_d" > /dev/null
}
mkrun one 1 aaaaaaa 2.00 2.01 2.02
mkrun two 2 aaaaaaa 2.01 2.02 2.03
mkrun three 3 bbbbbbb 3.00 3.01 3.02

for r in one two three; do scripts/history.sh record "$t/$r" > /dev/null 2>&1 || diag "record $r failed"; done
is "schema version: PRAGMA user_version 1" 1 "$(sqlite3 "$db" 'PRAGMA user_version;')"
list=$(scripts/history.sh list)
is "list: exit 0" 0 "$?"
is "list: a header and the three runs" 4 "$(printf '%s\n' "$list" | wc -l)"
like "list: each with its revision, flavour, workload and cells" "^3 +2026-01-03T00:00:00Z +complete +bbbbbbbbbbbb +synthetic +test \(Test CPU\) +synth +-/-/- +$t/three$" \
	"$(printf '%s\n' "$list" | tail -1)"
scripts/history.sh record "$t/two" > /dev/null 2>&1
is "recording a run again replaces it: still 3 runs" 3 "$(sqlite3 "$db" 'SELECT count(*) FROM runs;')"
is "... each run's summary rows and metrics recorded (2 rows x 10 metrics)" "2 20,2 20,2 20" \
	"$(sqlite3 "$db" 'SELECT (SELECT count(*) FROM rows w WHERE w.run_id = r.id) || " " || (SELECT count(*) FROM metrics m WHERE m.run_id = r.id) FROM runs r ORDER BY id;' | paste -sd,)"
is "... meta recorded verbatim" "$(grep -c . "$t/three/meta")" \
	"$(sqlite3 "$db" "SELECT count(*) FROM meta m JOIN runs r ON r.id = m.run_id WHERE r.dir = '$t/three';")"

series=$(scripts/history.sh exits_per_pkt mask-direct 1000)
is "series: exit 0" 0 "$?"
like "series: the first run, revision aaaaaaa" \
	"^1 +2026-01-01T00:00:00Z +aaaaaaaaaaaa +synthetic .* 3 +2\.01 +2(\.0)?\.\.2\.02 +- +- +first" "$series"
like "series: same revision again, +0.5 %: same, below the floor, with Welch's t" \
	"^[0-9]+ +2026-01-02T00:00:00Z +aaaaaaaaaaaa .* 3 +2\.02 +2\.01\.\.2\.03 +\+0\.5% +1\.22 \(2\.776\) +same \(below the floor\)$" "$series"
like "series: revision bbbbbbb, 49 % more exits, significant: worse" \
	"^3 +2026-01-03T00:00:00Z +bbbbbbbbbbbb .* 3 +3\.01 +3(\.0)?\.\.3\.02 +\+49\.0% +[0-9.]+ \(2\.776\) +worse$" "$series"
like "series: whose rule it is, is printed" \
	"^# verdict: compare.sh's rule \(scripts/lib/compare.awk, scripts/compare.rules\) on the stored rows" "$series"
like "series of a metric without a rule (lat_p90_ns): shown, not judged" "^3 .* \+0\.0% +- +not judged \(no rule\)$" \
	"$(scripts/history.sh lat_p90_ns mask-direct 1000)"
usage_error "series of a metric no run has" "^history: no recorded run has a metric 'exits_per_pk'" \
	scripts/history.sh exits_per_pk mask-direct 1000

# A killed recorder, and a failing one: the fourth run must not appear at all.
mkrun four 4 ccccccc 9 9 9
before=$(sqlite3 "$db" .dump | md5sum)
VIRQLAB_HISTORY_FAULT=kill scripts/history.sh record "$t/four" > "$t/kill.out" 2>&1
rc=$?
like "a recorder whose sqlite3 is killed mid-transaction fails (exit $rc)" "not recorded" "$(cat "$t/kill.out")"
is "... integrity_check ok" ok "$(sqlite3 "$db" 'PRAGMA integrity_check;')"
partial=$(sqlite3 "$db" 'SELECT r.id FROM runs r WHERE r.nrows != (SELECT count(*) FROM rows w WHERE w.run_id = r.id)
	OR r.nrows * r.nmetrics != (SELECT count(*) FROM metrics m WHERE m.run_id = r.id)
	OR NOT EXISTS (SELECT 1 FROM meta m WHERE m.run_id = r.id);
	SELECT "orphan " || run_id FROM rows WHERE run_id NOT IN (SELECT id FROM runs)
	UNION SELECT "orphan " || run_id FROM metrics WHERE run_id NOT IN (SELECT id FROM runs);')
is "... no run with a partial record, no orphan rows" "" "$partial"
is "... and the database holds what it held before" "$before" "$(sqlite3 "$db" .dump | md5sum)"
VIRQLAB_HISTORY_FAULT=fail scripts/history.sh record "$t/four" > /dev/null 2>&1
is "a recorder whose statement fails: exit 2, the database as it was" "2 $before" "$? $(sqlite3 "$db" .dump | md5sum)"

out=$(scripts/history.sh accept "$t/one")
like "accept: names the run" "^history: run 1 accepted: $t/one$" "$out"
out=$(scripts/history.sh regress 2>&1)
is "regress: the newest run against the accepted one: the regression, exit 1" 1 "$?"
like "... through compare.sh, naming both" "history: regress: run 3 \($t/three\) against accepted run 1 \($t/one\).*not ok 3 - exits_per_pkt: worse in mask-direct@1000" \
	"$(printf '%s\n' "$out" | paste -sd' ')"
# A newer run whose folder is gone (a test's, say) is passed over.
mkrun gone 5 ddddddd 2.01 2.02 2.03
scripts/history.sh record "$t/gone" > /dev/null 2>&1
rm -rf "$t/gone"
out=$(scripts/history.sh regress 2>&1)
like "regress passes over a newest run whose folder is gone, says so, compares run 3" \
	"run 5's folder is gone: passed over.*run 3 \($t/three\) against accepted run 1" "$(printf '%s\n' "$out" | paste -sd' ')"
sqlite3 "$db" 'DELETE FROM accepted;'
out=$(scripts/history.sh regress 2>&1)
like "regress with no accepted run: the committed baseline of its flavour" \
	"no accepted run of synth on synthetic, test \(Test CPU\); run 3 against the committed baseline" "$out"

scripts/history.sh --plot "$t/s.png" exits_per_pkt mask-direct 1000 > /dev/null 2>&1
is "--plot: a PNG" "PNG" "$(head -c 4 "$t/s.png" 2>/dev/null | tail -c 3)"
# The fresh-Debian check runs a copy that is no git checkout: read .gitignore there.
if git rev-parse --git-dir > /dev/null 2>&1; then
	check "results/history.sqlite is git-ignored" git check-ignore -q results/history.sqlite
else
	check "results/history.sqlite is in .gitignore (a copy, no git checkout)" \
		grep -qxF '/results/history.sqlite*' .gitignore
fi
done_testing
