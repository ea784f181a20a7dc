#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-rx.sh - the receive benchmark (make bench-rx): sink, inject and
# mask-direct over a rate sweep in one run, real UDP from udpgen, every cell
# accounted (sent = delivered + dropped). Prints one table and the ratios the
# method is judged by; keeps every cell's stats under results/.
#
# Usage: scripts/bench-rx.sh [--count N] [--rates "R1 R2 ... 0"] [--out DIR]
#   rate 0 = as fast as udpgen can send. Without /dev/kvm the whole sweep runs
#   in the SVM sandbox (figures from emulation, not hardware).
#
# Examples:
#   scripts/bench-rx.sh
#   scripts/bench-rx.sh --count 200000 --rates "1000 10000 50000 100000 0"

set -eu
cd "$(dirname "$0")/.."
. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh

count= rates= out=
while [ $# -gt 0 ]; do
	case "$1" in
	--count) count=$2; shift 2 ;;
	--rates) rates=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h|--help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-rx: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done

if ! kvm_usable && [ -z "${VIRQLAB_IN_SANDBOX:-}" ]; then
	echo "bench-rx: no usable /dev/kvm: running in the SVM sandbox (emulated CPU)" >&2
	exec scripts/sandbox.sh --timeout 3600 -- scripts/bench-rx.sh \
		${count:+--count "$count"} ${rates:+--rates "$rates"} ${out:+--out "$out"}
fi
flavour=$(scripts/kvm-flavour.sh)
case "$flavour" in
*-emulated) count=${count:-4000}; rates=${rates:-"250 500 1000 2000 4000 8000 0"} ;;
*) count=${count:-200000}; rates=${rates:-"1000 10000 30000 60000 100000 0"} ;;
esac
out=${out:-results/bench-rx-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
{
	echo "git_rev	$(git rev-parse HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo -dirty)"
	echo "host_kernel	$(uname -r)"
	echo "cpu	$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "kvm_flavour	$flavour"
	echo "command	scripts/bench-rx.sh --count $count --rates \"$rates\""
	echo "start	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/meta"

table=$out/rx.tsv
: > "$table"
ncell=$(( $(echo $rates | wc -w) * 3 )) i=0
for rate in $rates; do
	for mode in sink inject mask-direct; do
		i=$((i + 1))
		echo "bench-rx: cell $i/$ncell: $mode at ${rate} pps ($count packets)" >&2
		RX_TIMEOUT=600 rx_run "$mode" "$rate" "$count"
		cp "$rx_stats" "$out/$mode-$rate.tsv"
		printf '%s\n' "$rx_out" > "$out/$mode-$rate.log"
		[ -s "$table" ] || printf 'rate\t%s\n' "$(head -1 "$rx_stats" | sed 's/^#//')" > "$table"
		printf '%s\t%s\n' "$rate" "$(tail -1 "$rx_stats")" >> "$table"
	done
done
echo "end	$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$out/meta"
rx_cleanup

awk -F'\t' -v flavour="$flavour" '
NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
{
	r = $(c["rate"]); m = $(c["mode"])
	loss = $(c["sent"]) ? 100 * $(c["dropped"]) / $(c["sent"]) : 0
	printf "%8s %-12s %8d %9d %6.2f%% %12.0f %9.4f %9.4f %9.1f %10.1f\n", r ? r : "max", m,
		$(c["sent"]), $(c["delivered"]), loss, $(c["delivered_pps"]), $(c["irqs_per_pkt"]),
		$(c["exits_per_pkt"]), $(c["lat_p50_ns"]) / 1000, $(c["lat_p99_ns"]) / 1000
	if ($(c["dropped"]) == 0 && $(c["accounting"]) == "ok" && $(c["delivered_pps"]) > best[m])
		best[m] = $(c["delivered_pps"])
	if ($(c["dropped"]) > 0 && !(m in sat)) { sat[m] = r; satrow[m] = NR }
	row[m, r] = NR; ipp[m, r] = $(c["irqs_per_pkt"]); epp[m, r] = $(c["exits_per_pkt"])
	p99[m, r] = $(c["lat_p99_ns"])
}
END {
	printf "\nhighest lossless delivered rate: sink %.0f, inject %.0f, mask-direct %.0f pps\n",
		best["sink"], best["inject"], best["mask-direct"]
	if (best["inject"] > 0)
		printf "mask-direct / inject = %.2fx; ", best["mask-direct"] / best["inject"]
	if (best["sink"] > 0)
		printf "mask-direct / sink = %.2f\n", best["mask-direct"] / best["sink"]
	if ("inject" in sat) {
		r = sat["inject"]
		printf "at the rate where inject saturates (%s): mask-direct %.4f irqs/pkt, %.4f exits/pkt\n",
			r ? r : "max", ipp["mask-direct", r], epp["mask-direct", r]
	}
	if (("inject", 1000) in p99)
		printf "at 1000 pps: p99 latency inject %.1f us, mask-direct %.1f us\n",
			p99["inject", 1000] / 1000, p99["mask-direct", 1000] / 1000
	printf "KVM flavour: %s\n", flavour
}' "$table" > "$out/summary.txt.body"
{
	printf "%8s %-12s %8s %9s %7s %12s %9s %9s %9s %10s\n" rate mode sent delivered loss \
		delivered_pps irqs/pkt exits/pkt p50_us p99_us
	cat "$out/summary.txt.body"
} > "$out/summary.txt"
rm -f "$out/summary.txt.body"
cat "$out/summary.txt"
echo "bench-rx: results in $out" >&2
