#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 3
#
# Description: delivered_pps is delivered over the receive window, which
# opens at the first datagram's arrival in the host socket (its kernel
# stamp), not when the device got to it (results/README.md,
# "delivered_pps"). udpgen sends its whole count as soon as vmm-mini's
# socket is bound, while the guest is still booting: every datagram waits in
# the socket, and a window opened at the first late completion made the
# rate many times what was sent (the cause of results/baseline/pvm's
# mask-direct@80000 repeat 2: 96,343 pps of 80,003 sent). vmm-mini is
# stopped (SIGSTOP) while udpgen sends, so that the datagrams wait there on
# any flavour: in the sandbox the guest was up before udpgen was done.

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/tests/lib/rx.sh"

plan 5
note "kvm: $KVM_WHERE ($(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh"))"
dir=$(mktemp -d)
trap 'kill "$vmm" 2>/dev/null; rm -rf "$dir"' EXIT
port=$((24000 + $$ % 5000))
hex=$(printf '%04X' "$port")

"$BUILD/vmm-mini" --source "udp:127.0.0.1:$port" --mode mask-direct --count 400 \
	--stats "$dir/stats.tsv" --sender-stats "$dir/gen.tsv" --timeout 120 --idle 3 \
	> "$dir/vmm.out" 2>&1 &
vmm=$!
i=0
while ! grep -q ":$hex " /proc/net/udp && [ $i -lt 1000 ] && kill -0 "$vmm" 2>/dev/null; do
	sleep 0.01
	i=$((i + 1))
done
kill -STOP "$vmm"
"$BUILD/udpgen" --to "127.0.0.1:$port" --rate 20000 --count 400 --quiet --stats "$dir/gen.tsv"
sleep 0.2
kill -CONT "$vmm"
wait "$vmm" && rc=0 || rc=$?
is "vmm-mini took the early datagrams (exit 0)" 0 "$rc"
[ "$rc" = 0 ] || diag "$(cat "$dir/vmm.out")"
is "... all 400 delivered" 400 "$(col delivered "$dir/stats.tsv")"
wait_ns=$(col lat_max_ns "$dir/stats.tsv")
check "... the first waited in the socket while vmm-mini was stopped ($wait_ns ns >= 0.2 s)" \
	[ "${wait_ns:-0}" -ge 200000000 ]
sent=$(col achieved_pps "$dir/gen.tsv") got=$(col delivered_pps "$dir/stats.tsv")
check "delivered_pps $got is not above udpgen's achieved $sent pps" \
	awk -v d="$got" -v s="$sent" 'BEGIN { exit !(d <= s * 1.01) }'
w=$(col duration_s "$dir/stats.tsv") g=$(col duration_s "$dir/gen.tsv")
check "the receive window ($w s) is not shorter than the send ($g s)" \
	awk -v w="$w" -v g="$g" 'BEGIN { exit !(w >= g) }'
done_testing
