#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 27
#
# Description: what bench-probes measures, and its command line. vmm-mini's
# stats carry its own CPU time over the receive window (cpu_user_ns,
# cpu_sys_ns; cpu_ns_per_pkt their sum per delivered packet, kvm_halt_poll_ns
# a part of their sum: getrusage splits a thread's exact run time between user
# and system by tick samples, cputime_adjust() in kernel/sched/cputime.c, so
# halt polling may exceed the system share alone): present, above zero,
# consistent, and larger for a run four times as long at the same rate.
# scripts/bench-probes.sh refuses a bad --rate (0, udpgen's "no limit", holds
# no load) with exit 2 and one line, and a one-pair run at a low rate prints a
# summary naming the rate held and the measure, and records both in its meta.

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/tests/lib/rx.sh"
tmp=$(mktemp -d)
trap 'rx_cleanup; rm -rf "$tmp"' EXIT

plan 25
note "kvm: $KVM_WHERE ($(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh"))"

# cpu N: the total CPU ns of a mask-direct run of N packets at 2000 pps, with checks.
cpu() {
	rx_run mask-direct 2000 "$1"
	is "$1 packets: exit 0" 0 "$rx_rc"
	[ "$rx_rc" = 0 ] || diag "$rx_out"
	u=$(col cpu_user_ns) s=$(col cpu_sys_ns) p=$(col cpu_ns_per_pkt) h=$(col kvm_halt_poll_ns)
	check "$1 packets: cpu_user_ns and cpu_sys_ns are counts, their sum > 0 ($u + $s)" \
		awk -v u="$u" -v s="$s" 'BEGIN { exit !(u ~ /^[0-9]+$/ && s ~ /^[0-9]+$/ && u + s > 0) }'
	check "$1 packets: cpu_ns_per_pkt = (user + sys) / delivered ($p)" \
		awk -v u="$u" -v s="$s" -v p="$p" -v d="$(col delivered)" \
		'BEGIN { exit !(d > 0 && p > 0 && (p - (u + s) / d) ^ 2 < 1) }'
	check "$1 packets: kvm_halt_poll_ns is '-' or at most cpu_user_ns + cpu_sys_ns ($h <= $u + $s)" \
		awk -v h="$h" -v u="$u" -v s="$s" 'BEGIN { exit !(h == "-" || (h ~ /^[0-9]+$/ && h + 0 <= u + s)) }'
	like "$1 packets: printed" "vmm-mini CPU over the receive window: user [0-9.]+ ms, sys" "$rx_out"
	total=$((u + s))
}
cpu 1000
short=$total
cpu 4000
check "four times the packets at the same rate take more CPU ($short -> $total ns)" \
	[ "$total" -gt "$short" ]

bp="$VIRQLAB_ROOT/scripts/bench-probes.sh"
usage_error "--rate x" "--rate 'x': expected packets per second > 0" "$bp" --rate x
usage_error "--rate 0 (no load held)" "--rate '0'" "$bp" --rate 0
usage_error "--count -1" "--count '-1'" "$bp" --count -1

out=$("$bp" --count 2000 --repeats 1 --rate 2000 --out "$tmp/bp" 2>"$tmp/err") && rc=0 || rc=$?
is "tiny run: exit 0" 0 "$rc"
[ "$rc" = 0 ] || diag "$(cat "$tmp/err")"
like "tiny run: the summary names the rate held" \
	"^held fixed: mask-direct offered 2000 pps, 2000 packets per run" "$out"
like "tiny run: the summary names the measure and the target" \
	"measured: vmm-mini CPU ns per delivered packet with/without virqstat: .*target <= 1.031" "$out"
is "tiny run: meta records the rate and the measure" \
	"2000 vmm-mini CPU ns per delivered packet (cpu_ns_per_pkt)" \
	"$(awk -F'\t' '$1 == "rate_pps" { r = $2 } $1 == "measure" { m = $2 } END { print r, m }' \
	"$tmp/bp/meta" 2>/dev/null)"
is "tiny run: pairs.tsv has one pair, held yes or no" "1 ok" \
	"$(awk -F'\t' '!/^#/ { n++; if ($9 == "yes" || $9 == "no") k++ } END { print n + 0, (k == n ? "ok" : "bad") }' \
	"$tmp/bp/pairs.tsv" 2>/dev/null)"
done_testing
