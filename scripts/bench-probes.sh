#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-probes.sh - what virqstat costs (make bench-probes): mask-direct at
# saturation (udpgen as fast as it can), alternately without and with
# build/virqstat attached, REPEATS pairs in one run; prints each pair's
# delivered pps, the median ratio with/without and its spread. The issue's
# target: ratio >= 0.97. A benchmark, not a test: it never fails on speed.
#
# Usage: scripts/bench-probes.sh [--count N] [--repeats R] [--out DIR]
#   Without /dev/kvm the whole run happens in the SVM sandbox (emulated CPU).
#   Defaults: 15 pairs (the emulated rates are bimodal, so 5 pairs moved the
#   median by 0.1), 200,000 packets natively, 60,000 in emulation.
#
# Examples:
#   scripts/bench-probes.sh
#   scripts/bench-probes.sh --count 200000 --repeats 5

set -eu
cd "$(dirname "$0")/.."
. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh

count= repeats=15 out=
while [ $# -gt 0 ]; do
	case "$1" in
	--count) count=${2:?--count needs a value}; shift 2 ;;
	--repeats) repeats=${2:?--repeats needs a value}; shift 2 ;;
	--out) out=${2:?--out needs a value}; shift 2 ;;
	-h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench-probes: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case "$repeats" in ''|*[!0-9]*|0) echo "bench-probes: --repeats '$repeats': expected a number > 0" >&2; exit 2 ;; esac

if ! kvm_usable && [ -z "${VIRQLAB_IN_SANDBOX:-}" ]; then
	echo "bench-probes: no usable /dev/kvm: running in the SVM sandbox (emulated CPU)" >&2
	exec scripts/sandbox.sh --timeout 3600 -- scripts/bench-probes.sh --repeats "$repeats" \
		${count:+--count "$count"} ${out:+--out "$out"}
fi
flavour=$(scripts/kvm-flavour.sh)
case "$flavour" in
*-emulated) count=${count:-60000} ;;
*) count=${count:-200000} ;;
esac
out=${out:-results/bench-probes-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
{
	echo "git_rev	$(git rev-parse HEAD 2>/dev/null)$(git -c core.checkStat=minimal -c core.trustctime=false diff --quiet 2>/dev/null || echo -dirty)"
	echo "host_kernel	$(uname -r)"
	echo "cpu	$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "kvm_flavour	$flavour"
	echo "command	scripts/bench-probes.sh --count $count --repeats $repeats"
	echo "start	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/meta"

printf 'pair\twithout_pps\twith_pps\tratio\n' > "$out/pairs.tsv"
i=0
while [ "$i" -lt "$repeats" ]; do
	i=$((i + 1))
	echo "bench-probes: pair $i/$repeats: mask-direct at saturation, $count packets, without probes" >&2
	RX_TIMEOUT=600 rx_run mask-direct 0 "$count"
	cp "$rx_stats" "$out/without-$i.tsv"
	without=$(col delivered_pps)
	echo "bench-probes: pair $i/$repeats: the same under virqstat" >&2
	RX_WRAP="$BUILD/virqstat -q -o $out/probes-$i.tsv --" RX_TIMEOUT=600 \
		rx_run mask-direct 0 "$count"
	cp "$rx_stats" "$out/with-$i.tsv"
	with=$(col delivered_pps)
	printf '%s\t%s\t%s\t%s\n' "$i" "$without" "$with" \
		"$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }')" \
		>> "$out/pairs.tsv"
done
echo "end	$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$out/meta"
rx_cleanup

cat "$out/pairs.tsv"
sort -t '	' -k4,4g "$out/pairs.tsv" | awk -F'\t' -v flavour="$flavour" '
$1 != "pair" { r[++n] = $4; w[n] = $2; p[n] = $3 }
END {
	m = n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
	printf "with/without virqstat, delivered pps of mask-direct at saturation: median %.4f " \
		"(min %.4f, max %.4f, %d pairs; target >= 0.97) on KVM %s\n", m, r[1], r[n], n, flavour
}' | tee "$out/summary.txt"
echo "bench-probes: results in $out" >&2
