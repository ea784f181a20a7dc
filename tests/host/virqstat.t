#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 7
# serial: it samples a running process at intervals
#
# Description: build/virqstat's command line and life cycle without KVM
# traffic: bad usage is one line and exit 2; -p follows a running process,
# prints interval rows with -i, and on Ctrl-C (SIGINT) stops, still writes
# its file marked incomplete, and exits 130; -- CMD passes CMD's status and
# reports every tracepoint as live, idle or absent; a command without
# vmm-mini's USDT probes is traced all the same and the file says why the
# probes are missing. Needs root for BPF (skips otherwise; the KVM test
# tests/kvm/probes.t checks the counts themselves).

. "$(dirname "$0")/../lib/tap.sh"

VS=$BUILD/virqstat
tmp=$(mktemp -d)
trap 'kill $sleeper 2>/dev/null; rm -rf "$tmp"' EXIT
sleeper=

# field SECTION NAME KEY: a value from the --stats file.
field() {
	awk -F'\t' -v s="$1" -v n="$2" -v k="$3" '$1 == s && $2 == n && $3 == k { print $4 }' \
		"$tmp/out.tsv"
}

# expect_usage NAME PATTERN ARGS...: virqstat ARGS is a usage error matching PATTERN.
expect_usage() {
	_n=$1 _p=$2
	shift 2
	usage_error "$_n" "^virqstat: .*$_p" "$VS" "$@"
}

[ "$(id -u)" = 0 ] || skip_all "virqstat needs root for BPF"
plan 35

expect_usage "no target" "either -p PID or -- CMD" -q
expect_usage "bad -i" "-i 'x': expected seconds" -i x -- true
expect_usage "no such pid" "-p 999999: no such process" -p 999999
expect_usage "unknown command" "cannot run 'no-such-cmd'" -- no-such-cmd
expect_usage "unknown option" "bad option" --no-such-option -- true

"$VS" -q --stats "$tmp/out.tsv" -- sh -c 'exit 3'
is "-- CMD: CMD's exit status passes through" 3 "$?"
is "-- CMD: the file says complete" 1 "$(field meta complete -)"
states=$(awk -F'\t' '$1 == "tracepoint" && $3 == "state" { print $4 }' "$tmp/out.tsv" | sort -u |
	tr '\n' ' ')
like "every tracepoint is live, idle or absent ($states)" '^((live|idle|absent) )+$' "$states"
is "14 tracepoints reported" 14 "$(awk -F'\t' '$1 == "tracepoint"' "$tmp/out.tsv" | wc -l)"
like "no USDT in sh: the file says why" "no virqlab:run_start probe in" "$(field meta usdt -)"
is "without --bpf-stats the file has no bpf rows" 0 \
	"$(awk -F'\t' '$1 == "bpf"' "$tmp/out.tsv" | wc -l)"

help=$("$VS" --help)
like "--help names --no-tracepoints, --no-usdt and --bpf-stats" \
	"--no-tracepoints.*--no-usdt.*--bpf-stats" "$(printf '%s' "$help" | tr '\n' ' ')"
"$VS" -q --no-tracepoints --no-usdt --stats "$tmp/out.tsv" -- true
states=$(awk -F'\t' '$1 == "tracepoint" && $3 == "state" { print $4 }' "$tmp/out.tsv" | sort -u)
is "--no-tracepoints: every tracepoint is reported off" off "$states"
is "--no-usdt: the file says the probes were left off" "off (--no-usdt)" "$(field meta usdt -)"

# --bpf-stats: runs and run time of every program in virqstat.bpf.c.
nprogs=$(grep -c '^SEC("' "$VIRQLAB_ROOT/probes/virqstat.bpf.c")
"$VS" -q --bpf-stats --stats "$tmp/out.tsv" -- true
is "--bpf-stats: a runs row per BPF program" "$nprogs" \
	"$(awk -F'\t' '$1 == "bpf" && $3 == "runs" && $4 ~ /^[0-9]+$/' "$tmp/out.tsv" | wc -l)"
is "--bpf-stats: a run_ns row per BPF program" "$nprogs" \
	"$(awk -F'\t' '$1 == "bpf" && $3 == "run_ns" && $4 ~ /^[0-9]+$/' "$tmp/out.tsv" | wc -l)"

sleep 60 &
sleeper=$!
"$VS" -i 0.2 --stats "$tmp/out.tsv" -p "$sleeper" > "$tmp/table" 2> "$tmp/rows" &
vs=$!
sleep 1.5
kill -INT "$vs"
wait "$vs"
is "-p, Ctrl-C: exit 130" 130 "$?"
is "-p, Ctrl-C: the file is still written, marked incomplete" 0 "$(field meta complete -)"
is "-p: the file names the traced pid" "$sleeper" "$(field meta pid -)"
rows=$(grep -c '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' "$tmp/rows")
check "-i 0.2 over ~1.5 s printed interval rows ($rows)" [ "$rows" -ge 4 ]
like "the table is printed on stop" "virqstat: pid $sleeper .*\[interrupted\]" "$(cat "$tmp/table")"
kill -0 "$sleeper"
is "the traced process is left alone" 0 "$?"

# Ctrl-C with -- CMD: the command gets SIGINT, ends its own way, virqstat waits.
"$VS" -q --stats "$tmp/out.tsv" -- sh -c 'trap "exit 9" INT; sleep 30 >/dev/null 2>&1 & wait' &
vs=$!
sleep 1
kill -INT "$vs"
wait "$vs"
is "-- CMD, Ctrl-C: the command's own exit status (its INT trap)" 9 "$?"
is "-- CMD, Ctrl-C: the file is written, marked incomplete" 0 "$(field meta complete -)"

"$VS" -q --stats /nonexistent/dir/out.tsv -- true 2> "$tmp/err"
is "unwritable --stats: exit 2 before anything runs" "2 1" "$? $(wc -l < "$tmp/err")"
done_testing
