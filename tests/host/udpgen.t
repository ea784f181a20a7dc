#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 6
# serial: loopback traffic at set rates, every datagram counted
#
# Description: udpgen sends exactly what it says it sent, intact and in
# order, for each pattern and for the smallest and largest sizes (checked by
# udprecv, which verifies payloads as the guest does); --flows F sends F
# flows from F source ports, each with its own sequence; --late SEQ:BY sends
# exactly one datagram late and the rest in order; --duration stops on
# time; bad flags exit 2 with one line; SIGINT still prints the summary.

. "$(dirname "$0")/../lib/tap.sh"

GEN=$BUILD/udpgen
RECV=$BUILD/udprecv
plan 37
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
port=$((30000 + $$ % 20000))

# send N ARGS...: udprecv counts what udpgen sends; sets out and rout.
send() {
	_n=$1
	shift
	"$RECV" --port "$port" --count "$_n" --idle 3 > "$dir/recv" &
	_r=$!
	while ! grep -q listening "$dir/recv" 2>/dev/null; do sleep 0.05; done
	out=$("$GEN" --to "127.0.0.1:$port" --count "$_n" "$@" 2>&1)
	gen_rc=$?
	wait "$_r"
	rout=$(cat "$dir/recv")
}

send 5000 --rate 20000
is "constant: exit 0" 0 "$gen_rc"
like "constant: summary says what was sent and the rate" \
	"^udpgen: sent 5000 packets \(320000 bytes\) in [0-9.]+ s: [0-9]+ pps \(target 20000\), 0 send errors" "$out"
like "constant: all 5000 arrive intact and in order" \
	"received 5000 \(in order 5000, gaps 0, duplicate 0, corrupt 0\)" "$rout"

send 5000 --rate 20000 --pattern poisson --seed 7
like "poisson: all 5000 arrive intact and in order" "in order 5000, gaps 0, duplicate 0, corrupt 0" "$rout"
send 4096 --pattern burst --burst 64 --gap-us 200 --rate 0
like "burst: all 4096 arrive intact and in order" "in order 4096, gaps 0, duplicate 0, corrupt 0" "$rout"
send 500 --rate 5000 --size 9000
like "9000-byte datagrams arrive intact" "in order 500, gaps 0, duplicate 0, corrupt 0" "$rout"
like "9000-byte bytes counted" "sent 500 packets \(4500000 bytes\)" "$out"

# --flows 4: round-robin over 4 sockets, each flow with its own sequence
# (udprecv judges order and gaps per flow, so one sequence shared by the
# flows would show as gaps); --sport binds them to ports P..P+3.
send 4000 --rate 20000 --flows 4 --sport $((port + 1)) --stats "$dir/flows.tsv"
is "--flows 4: exit 0" 0 "$gen_rc"
like "--flows 4: all 4000 arrive intact, each flow in its own order, 4 flows" \
	"received 4000 \(in order 4000, gaps 0, duplicate 0, corrupt 0\) .* 4 flows" "$rout"
is "--flows 4: the stats say 4 flows" 4 \
	"$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "flows") c = i } NR == 2 { print $c }' "$dir/flows.tsv")"
usage_error "--late with --flows" "^udpgen: --late with --flows 2: " \
	"$GEN" --to 127.0.0.1:9 --count 10 --flows 2 --late 1:2

# udprecv keeps no window: the late one shows as a gap where it was due and
# as "duplicate" (behind the highest seen) where it arrives.
send 1000 --rate 10000 --late 100:10
like "--late 100:10: 1000 arrive, one of them late" \
	"received 1000 \(in order 999, gaps 1, duplicate 1, corrupt 0\)" "$rout"

start=$(date +%s)
out=$("$GEN" --to "127.0.0.1:$port" --rate 1000 --duration 1.5 --stats "$dir/gen.tsv" 2>&1)
rc=$?
took=$(( $(date +%s) - start ))
is "--duration: exit 0" 0 "$rc"
check "--duration 1.5 stops on time (${took}s)" [ "$took" -le 3 ]
is "--stats: header and one row" 2 "$(wc -l < "$dir/gen.tsv")"

"$GEN" --to 127.0.0.1:1 --rate 1000 --duration 30 > "$dir/int" 2>&1 &
g=$!
sleep 0.5
kill -INT "$g"
wait "$g"
is "SIGINT: exit 130" 130 $?
like "SIGINT: the summary is still printed" "\[interrupted\]" "$(cat "$dir/int")"

# --steps: 500 at 1,000 pps, 5,000 at 10,000, 500 at 1,000: 1.5 s of schedule
# (the last one is due at 1.499 s; none is sent before it is due), where one
# rate for all 6,000 would take 0.6 s or 6 s.
"$RECV" --port "$port" --count 6000 --idle 3 > "$dir/recv" &
r=$!
while ! grep -q listening "$dir/recv" 2>/dev/null; do sleep 0.05; done
"$GEN" --to "127.0.0.1:$port" --steps 1000:500,10000:5000,1000:500 --stats "$dir/steps.tsv" --quiet
rc=$?
wait "$r"
is "--steps: exit 0" 0 "$rc"
like "--steps: all 6000 arrive intact and in order" "received 6000 \(in order 6000, gaps 0, duplicate 0, corrupt 0\)" "$(cat "$dir/recv")"
row=$(awk -F'\t' 'NR == 2 { print $1, $4, $6 }' "$dir/steps.tsv")
set -- $row
is "--steps: the stats count 6000 sent, at the schedule's average rate" "6000 4000.0" "$1 $3"
check "--steps: the schedule took 1.5 s ($2 s)" awk -v d="$2" 'BEGIN { exit !(d >= 1.49 && d < 4) }'
# The shape, not just the total: stopped after 1 s, a schedule of 1,000 at
# 500 pps (2 s) then 50,000 at 50,000 pps has sent at most its first step
# (the average rate, 17,000 pps, would have sent about 17,000).
"$GEN" --to "127.0.0.1:$port" --steps 500:1000,50000:50000 --quiet --stats "$dir/int.tsv" &
g=$!
sleep 1
kill -INT "$g"
wait "$g"
sent=$(awk -F'\t' 'NR == 2 { print $1 }' "$dir/int.tsv")
check "--steps: after 1 s, only the first step's rate (sent $sent, at most 1000)" awk -v s="${sent:-0}" 'BEGIN { exit !(s >= 100 && s <= 1000) }'
usage_error "--steps with --rate" "--steps.*--rate" "$GEN" --to 127.0.0.1:9 --steps 100:10 --rate 5

for bad in "--size 10" "--rate -5" "--pattern zigzag" "--to nowhere" "--late 5" "--steps 100:0" \
	"--flows 0" "--flows 17" "--sport 0"; do
	# shellcheck disable=SC2086
	err=$("$GEN" --count 1 ${bad%% *} ${bad#* } --to 127.0.0.1:9 2>&1)
	rc=$?
	case "$bad" in --to*) err=$("$GEN" --count 1 --to nowhere 2>&1); rc=$? ;; esac
	is "bad flag $bad: exit 2, one line" "2 1" "$rc $(printf '%s\n' "$err" | wc -l)"
done
like "bad flag message names the problem" "^udpgen: --size '10': expected 64..9000" \
	"$("$GEN" --count 1 --size 10 --to 127.0.0.1:9 2>&1)"
done_testing
