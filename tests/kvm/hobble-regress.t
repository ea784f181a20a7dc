#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 68
#
# Description: the README's promise that compare.sh catches a regression,
# shown on real KVM. Two runs of one tiny mask-direct workload, identical in
# every key (same name, modes, rates, packets, repeats) except `hobble`: the
# second has hobble = on, the debug knob that makes the guest consumer read a
# device register (an MMIO exit) per packet (workloads/README.md). compare.sh
# BASE=normal NEW=hobbled must exit 1 and name exits_per_pkt as the worse
# metric in the one cell; the reverse comparison must call the same cell
# better, so the verdict follows the knob, not the order. The
# hobbled run is a regression and not "incomparable": only the knob differs.

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/scripts/lib/results.sh"
cd "$VIRQLAB_ROOT" || exit 1

plan 9
note "kvm: $KVM_WHERE ($(scripts/kvm-flavour.sh))"
t=$BUILD/tmp/hobble-regress-t.$$
[ "${KEEP:-0}" = 1 ] || rm -rf "$t"
mkdir -p "$t"

# workload HOBBLE: the one workload, hobble on or off. 300 packets at 500/s
# is under a second of sending per cell. Three repeats, because compare.sh
# also wants Welch's t to reject "same": with two a side it has one degree of
# freedom (critical value 12.7), and a doubling of exits/pkt (3.07 -> 6.30 on
# PVM) was once judged not significant. The hobbled consumer pays at least
# one exit more per packet (on PVM about three: the register read and the
# system call's UD2 gate), far beyond the 10 % / 0.05 floor. compare.sh
# leaves the hobble key out of its comparability hash (it stands for a code
# change), so these two runs are comparable.
workload() {
	cat <<EOF
# hobble-regress.t: plain vs hobbled mask-direct; only the hobble line differs
name = hobble-regress
description = mask-direct at a light load, three repeats: hobble off vs on
modes = mask-direct
rates = 500
packets = 300
repeats = 3
idle = 1
timeout = 120
hobble = $1
EOF
}
workload off > "$t/off.conf"
workload on > "$t/on.conf"
is "the two workloads differ in the hobble line only" \
	"< hobble = off
---
> hobble = on" "$(diff "$t/off.conf" "$t/on.conf" | sed 1d)"

for k in off on; do
	scripts/run-experiment.sh "$t/$k.conf" --no-plot --out "$t/$k" > "$t/$k.out" 2> "$t/$k.err" && rc=0 || rc=$?
	is "hobble $k: run exit 0, status complete" "0 complete" "$rc $(meta_get "$t/$k" status)"
	[ "$rc" = 0 ] || sed 's/^/# /' "$t/$k.err"
done
# exits_per_pkt NAME: the summary's median, to show in the names below.
epp() { awk -F'\t' 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ print $(c["exits_per_pkt"]) }' "$t/$1/summary.tsv" 2>/dev/null; }
note "exits/pkt: hobble off $(epp off), on $(epp on)"

scripts/compare.sh "$t/off" "$t/on" > "$t/cmp.out" 2> "$t/cmp.err" && rc=0 || rc=$?
is "compare normal -> hobbled: exit 1 (a regression)" 1 "$rc"
[ "$rc" = 1 ] || sed 's/^/# /' "$t/cmp.out" "$t/cmp.err"
like "compare names exits_per_pkt worse in mask-direct@500" \
	'^not ok [0-9]+ - exits_per_pkt: worse in mask-direct@500\(' "$(cat "$t/cmp.out")"
# Hobbling costs exits (and time: p50 may be worse too), never packets: at
# this load every packet is still delivered, so the run is a slower one, not
# a failed one.
is "compare: delivered_pps and loss_pct not worse (every packet still delivered)" "ok ok" \
	"$(grep -E '^(not )?ok [0-9]+ - (delivered_pps|loss_pct):' "$t/cmp.out" | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }')"
is "compare: not incomparable (no 'incomparable' on stderr)" "" "$(grep incomparable "$t/cmp.err")"

scripts/compare.sh "$t/on" "$t/off" > "$t/rev.out" 2> "$t/rev.err" && rc=0 || rc=$?
note "hobbled -> normal: exit $rc (latency may differ either way)"
like "compare hobbled -> normal: exits_per_pkt not worse" \
	"^ok [0-9]+ - exits_per_pkt: 0 same, 1 better, 0 worse" "$(cat "$t/rev.out")"
like "compare hobbled -> normal: exits_per_pkt better in mask-direct@500" \
	'^# exits_per_pkt +mask-direct@500 .* better$' "$(cat "$t/rev.out")"

[ "${KEEP:-0}" = 1 ] || rm -rf "$t"
done_testing
