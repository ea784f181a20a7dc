#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: a paced udpgen that was stalled (here SIGSTOP for 0.3 s, as
# a loaded host preempts it) makes up at most 1 ms of its schedule, not the
# whole stall in one back-to-back burst: the run takes the stall longer,
# its achieved_pps says so, and --stats counts the slip (slips, slipped_ns;
# workloads/udpgen.c, SLIP_NS). A burst would be a different load than the
# rate the cell is labelled with.

. "$(dirname "$0")/../lib/tap.sh"

plan 5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
port=$((51000 + $$ % 9000))

"$BUILD/udprecv" --port "$port" --count 20000 --idle 3 > "$dir/recv" &
recv=$!
while ! grep -q listening "$dir/recv" 2>/dev/null; do sleep 0.05; done
"$BUILD/udpgen" --to "127.0.0.1:$port" --rate 20000 --count 20000 --quiet \
	--stats "$dir/gen.tsv" &
gen=$!
sleep 0.3
kill -STOP "$gen"
sleep 0.3
kill -CONT "$gen"
wait "$gen" && rc=0 || rc=$?
wait "$recv"

col() {
	awk -F'\t' -v n="$1" 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print (n in c) ? $(c[n]) : "missing-column-" n; exit }' "$dir/gen.tsv"
}
is "udpgen: exit 0 after the stall" 0 "$rc"
is "... sent all 20000" 20000 "$(col sent)"
dur=$(col duration_s) slipped=$(col slipped_ns)
check "... took the stall longer than its 1 s schedule ($dur s): no catch-up burst" \
	awk -v d="$dur" 'BEGIN { exit !(d >= 1.2) }'
check "... counted the slip ($(col slips) slips)" [ "$(col slips)" -ge 1 ]
check "... of about the stall ($slipped ns forgiven, >= 0.2 s)" [ "$slipped" -ge 200000000 ]
done_testing
