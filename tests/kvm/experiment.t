#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 148
#
# Description: the experiment runner end to end on real KVM with the smoke
# workload at one of its rates (200 pps: half the cells, as make ab's test
# tests/kvm/ab.t; tests/host/workload.t plans grids of several rates, and
# tests/host/plot.t and compare.t summarize them). One run completes: every cell
# accounted (sent = delivered + dropped), raw stats and latency samples per
# cell, a summary row per mode x rate over three repeats, meta complete. (No plots: gnuplot on the
# emulated CPU costs more than the cells; tests/host/plot.t draws them.) A second
# run loses a cell's vmm-mini to SIGKILL (that cell fails with its reason,
# the run goes on), is interrupted with SIGINT (Ctrl-C) mid-run (exit 130,
# finished cells kept, the abandoned one removed, meta partial), then
# --resume finishes it without rerunning a finished cell; a second
# --resume while it runs is refused by the run's lock. compare.sh counts
# the killed repeat against it, every metric the same. Each run wrote
# results.json and is in the history (its own database here), the resumed
# one once, complete, and history.sh prints the series of both with their
# revisions. A mask-poll cell runs as vmm-mini --mode mask-poll with the
# workload's poll_us reaching the guest; a coalesce cell as --mode coalesce
# with the workload's coalesce_us.

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/scripts/lib/results.sh"
. "$VIRQLAB_ROOT/tests/lib/experiment.sh"
cd "$VIRQLAB_ROOT" || exit 1

plan 34
note "kvm: $KVM_WHERE ($(scripts/kvm-flavour.sh))"
exp_scratch experiment

# --- one complete run ---------------------------------------------------------
scripts/run-experiment.sh "$t/smoke200.conf" --no-plot --out "$t/a" > "$t/a.out" 2> "$t/a.err" && rc=0 || rc=$?
is "smoke run: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/# /' "$t/a.err" >&2
is "meta: status complete" complete "$(meta_get "$t/a" status)"
is "meta: 6 cells, 6 ok" "6 6" "$(meta_get "$t/a" cells_done) $(meta_get "$t/a" cells_ok)"
like "meta: KVM flavour recorded" '^(vmx|svm|pvm)' "$(meta_get "$t/a" kvm_flavour)"
like "meta: git revision, compiler, liburing recorded" '^[0-9a-f]{40} .+ .+' \
	"$(meta_get "$t/a" git_rev) $(meta_get "$t/a" compiler | tr ' ' _) $(meta_get "$t/a" liburing)"
bad=$(for s in "$t"/a/cells/*/stats.tsv; do
	awk -F'\t' 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
		$(c["accounting"]) != "ok" || $(c["sent"]) != $(c["delivered"]) + $(c["dropped"]) { print FILENAME }' "$s"
done)
is "every cell's stats: accounting ok, sent = delivered + dropped" "" "$bad"
short=$(for c in "$t"/a/cells/*/; do
	n=$(grep -vc '^#' "$c/lat.tsv")
	s=$(awk -F'\t' 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) if ($i == "lat_samples") k = i; next } { print $k }' "$c/stats.tsv")
	[ "$n" -gt 0 ] && [ "$n" = "$s" ] || echo "$c: $n samples in lat.tsv, lat_samples $s"
done)
is "every cell's lat.tsv holds its lat_samples samples" "" "$short"
is "summary.tsv: 2 rows (2 modes x 1 rate), 3 repeats each" "2 3 3" \
	"$(awk -F'\t' 'NR > 1 { n++; s = s " " $3 } END { print n s }' "$t/a/summary.tsv")"
like "summary.txt printed on stdout, modes side by side" 'rate +inject +mask-direct' "$(cat "$t/a.out")"
like "progress on stderr: cell i of n, elapsed, time left" 'cell 6/6 .*elapsed 0:[0-9:]+, left' "$(cat "$t/a.err")"
is "results.json: jq reads it, 2 summary rows" 2 "$(jq '.summary | length' "$t/a/results.json" 2>&1)"
is "history: the run is recorded, complete, 2 rows" "complete 2" \
	"$(sqlite3 "$VIRQLAB_HISTORY" "SELECT status, nrows FROM runs WHERE dir = '$(cd "$t/a" && pwd -P)';" 2>&1 | tr '|' ' ')"

# --- a killed cell, Ctrl-C, --resume ------------------------------------------
# SIGINT is ignored in background jobs of a non-interactive shell; restore it
# so the runner sees what Ctrl-C would send it.
env --default-signal=INT scripts/run-experiment.sh "$t/smoke200.conf" --no-plot --out "$t/b" > "$t/b.out" 2> "$t/b.err" &
runner=$!
i=0
until [ -s "$t/b/cells/inject-200-2.tmp/vmm.pid" ] || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$(cat "$t/b/cells/inject-200-2.tmp/vmm.pid")" 2>/dev/null
i=0
until [ "$(ls -d "$t"/b/cells/*-[0-9] 2>/dev/null | wc -l)" -ge 3 ] || [ $i -ge 900 ]; do sleep 0.1; i=$((i + 1)); done
# Today's clash: a second runner would remove the first one's cell in progress.
err=$(scripts/run-experiment.sh --resume "$t/b" --no-plot 2>&1 > /dev/null) && rc=0 || rc=$?
is "a --resume while the run goes on: refused, exit 2" 2 "$rc"
like "... in one line naming the lock" "^run-experiment: $t/b: another run-experiment is writing it \(locked\)" "$err"
# Ctrl-C once 4 of the 6 cells have ended: the fifth runs, the sixth waits.
i=0
until [ "$(ls -d "$t"/b/cells/*-[0-9] 2>/dev/null | wc -l)" -ge 4 ] || [ $i -ge 900 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT "$runner"
wait "$runner" && rc=0 || rc=$?
is "Ctrl-C: exit 130" 130 "$rc"
is "... meta: status partial" partial "$(meta_get "$t/b" status)"
done_before=$(meta_get "$t/b" cells_done)
like "... finished cells kept ($done_before), the abandoned one removed" '^[45] 0$' \
	"$done_before $(ls -d "$t"/b/cells/*.tmp 2>/dev/null | wc -l)"
like "... and how to resume is printed" "continue with: scripts/run-experiment.sh --resume $t/b" "$(cat "$t/b.err")"
like "killed vmm-mini: that cell failed with its reason" '^failed: vmm-mini exit 137 \(killed by signal 9 \(KILL\)\)' \
	"$(cat "$t/b/cells/inject-200-2/status")"
is "... and the next cell ran" ok "$(cat "$t/b/cells/inject-200-3/status")"
ino=$(ls -i "$t/b/cells/inject-200-1/stats.tsv" | cut -d' ' -f1)

scripts/run-experiment.sh --resume "$t/b" --no-plot > "$t/b2.out" 2> "$t/b2.err" && rc=0 || rc=$?
is "--resume: exit 1 (the run is complete, one cell failed)" 1 "$rc"
is "... meta: complete, 6 done, 5 ok, 1 failed" "complete 6 5 1" \
	"$(meta_get "$t/b" status) $(meta_get "$t/b" cells_done) $(meta_get "$t/b" cells_ok) $(meta_get "$t/b" cells_failed)"
is "... a finished cell was not rerun" "$ino" "$(ls -i "$t/b/cells/inject-200-1/stats.tsv" | cut -d' ' -f1)"
is "history: the resumed run once, now complete (its partial record replaced)" "1 complete" \
	"$(sqlite3 "$VIRQLAB_HISTORY" "SELECT count(*), max(status) FROM runs WHERE dir = '$(cd "$t/b" && pwd -P)';" 2>&1 | tr '|' ' ')"
series=$(scripts/history.sh exits_per_pkt mask-direct 200 2>&1)
rev=$(git rev-parse HEAD | cut -c1-12)
is "history.sh exits_per_pkt mask-direct 200: both runs, with their revision" 2 \
	"$(printf '%s\n' "$series" | grep -c "^[0-9]* .* $rev")"
[ "$(printf '%s\n' "$series" | grep -c "^[0-9]* .* $rev")" = 2 ] || printf '%s\n' "$series" | sed 's/^/# /'

# b lost a repeat of inject@200 to the SIGKILL: compare counts that against b
# (exit 1, the cells line), while the counted metrics (rate, interrupts,
# exits, loss) stay the same. Latency percentiles are left out of this
# verdict: on nested PVM a p99 over a few repeats of a 200 pps cell moved +55 %
# between two back-to-back runs (t 4.53 against 4.303; .ci/run at 8ac2af4),
# which is the machine, not the runner; compare.t tests the verdict rule.
out=$(scripts/compare.sh "$t/a" "$t/b") && rc=0 || rc=$?
got="$rc $(printf '%s\n' "$out" | grep '^not ok' | grep -v ' - lat_p[0-9]*_ns: ')"
want="1 not ok 7 - cells: inject@200 1 of 3 repeats failed in new, 0 in base"
is "compare: the killed repeat is a regression (exit 1), named" "$want" "$got"
[ "$got" = "$want" ] || printf '%s\n' "$out" | sed 's/^/# /' >&2

# --- mask-poll and coalesce ---------------------------------------------------
# One run, one cell of each. mask-poll is mask-direct with the polling
# consumer: arrivals 4 ms apart inside a 20 ms poll window need
# (almost) no interrupt; without poll_us reaching the guest it takes one per
# packet (0.99 in the sandbox), and so does the default 1 ms window at this
# rate. coalesce is inject with a 20 ms moderation window:
# arrivals 4 ms apart share about one interrupt in five.
cat > "$t/alt.conf" <<'CONF'
modes = mask-poll coalesce
rates = 250
packets = 500
repeats = 1
poll_us = 20000
coalesce_us = 20000
CONF
scripts/run-experiment.sh "$t/alt.conf" --no-plot --out "$t/p" > "$t/p.out" 2> "$t/p.err" && rc=0 || rc=$?
is "mask-poll and coalesce run: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/# /' "$t/p.err" >&2

# cell_cols CELL COLUMN...: those columns of the cell's stats.tsv, in order.
cell_cols() {
	_c=$1
	shift
	awk -F'\t' -v want="$*" 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ n = split(want, w, " "); for (i = 1; i <= n; i++) printf "%s%s", $(c[w[i]]), i < n ? " " : "\n" }' \
		"$t/p/cells/$_c/stats.tsv" 2>/dev/null
}

is "mask-poll: its cell is named mask-poll and ok" ok "$(cat "$t/p/cells/mask-poll-250-1/status" 2>&1)"
like "... vmm-mini ran it as --mode mask-poll" '\(mode mask-poll\)' "$(cat "$t/p/cells/mask-poll-250-1/vmm.log" 2>&1)"
ipp=$(cell_cols mask-poll-250-1 irqs_per_pkt exits_per_pkt)
note "mask-poll at 250 pps, poll_us=20000: irqs_per_pkt exits_per_pkt = $ipp"
check "... poll_us reached the guest: irqs_per_pkt ${ipp%% *} <= 0.05" \
	awk -v v="${ipp%% *}" 'BEGIN { exit !(v != "" && v + 0 <= 0.05) }'

is "coalesce: its cell is named coalesce and ok" ok "$(cat "$t/p/cells/coalesce-250-1/status" 2>&1)"
c=$(cell_cols coalesce-250-1 mode coalesce_us irqs_per_pkt)
note "coalesce at 250 pps, coalesce_us=20000: mode coalesce_us irqs_per_pkt = $c"
like "... vmm-mini ran it as --mode coalesce --coalesce-us 20000" '^coalesce 20000 ' "$c"
check "... fewer interrupts than packets: irqs_per_pkt ${c##* } <= 0.5" \
	awk -v v="${c##* }" 'BEGIN { exit !(v != "" && v + 0 <= 0.5) }'
is "summary.tsv: a row for each at 250 pps, 1 repeat" "coalesce 250 1,mask-poll 250 1" \
	"$(awk -F'\t' 'NR > 1 { print $1, $2, $3 }' "$t/p/summary.tsv" 2>&1 | sort | paste -sd,)"

rm -rf "$t"
done_testing
