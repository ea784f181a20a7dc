#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-probes.sh - what virqstat costs (make bench-probes): mask-direct at a
# fixed offered rate the receiver sustains losslessly without probes, run
# alternately without and with build/virqstat attached, REPEATS pairs in one
# run. Held fixed: the offered rate. Measured: vmm-mini's CPU time per
# delivered packet (its cpu_ns_per_pkt column: every thread, so the BPF
# programs and USDT traps the probes add), and its ratio with/without. The
# issue's target: throughput with probes >= 0.97x without, i.e. CPU per
# packet with/without <= 1/0.97 = 1.031. A pair where either side lost a
# packet did not hold the load: it is flagged (held = no) in pairs.tsv and
# left out of the median. A benchmark, not a test: it never fails on speed.
# Without /dev/kvm the whole run happens in the SVM sandbox (emulated CPU).
# Defaults: 15 pairs; natively 80,000 pps and 200,000 packets (mask-direct
# is lossless to 160,000 pps on PVM: results/examples/saturation-pvm), in
# emulation 8,000 pps and 60,000 packets.

set -eu
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/bench-probes.sh [--rate PPS] [--count N] [--repeats R] [--out DIR]
       scripts/bench-probes.sh --help | --version

What virqstat costs: mask-direct at a held offered rate, REPEATS pairs run
alternately without and with build/virqstat attached; vmm-mini's CPU time per
delivered packet with/without, median over the pairs that lost nothing.
Without /dev/kvm the whole run happens in the SVM sandbox (emulated CPU).

Options:
  --rate PPS     offered rate held, > 0 (default: 80000 natively, 8000 emulated)
  --count N      packets per run (default: 200000 natively, 60000 emulated)
  --repeats R    pairs (default 15)
  --out DIR      the results folder (default results/bench-probes-DATE)
  -h, --help     this text
  --version      print "bench-probes.sh (virqlab) REVISION" and exit

Exit codes:
  0  measured (a benchmark: it never fails on speed)
  2  usage error
  other  a run failed: vmm-mini's, udpgen's or virqstat's status (1, 3, 4, 124)

Examples:
  scripts/bench-probes.sh
  scripts/bench-probes.sh --rate 40000 --count 100000 --repeats 5
  scripts/bench-probes.sh --rate 2000 --count 2000 --repeats 1 --out /tmp/bp
USAGE
}

die2() {
	echo "bench-probes: $*" >&2
	exit 2
}
# need OPT ARGC: OPT has its value.
need() { [ "$2" -ge 2 ] || die2 "option '$1' needs a value (see --help)"; }

count= repeats=15 rate= out=
while [ $# -gt 0 ]; do
	case "$1" in
	--count) need "$1" $#; count=$2; shift 2 ;;
	--repeats) need "$1" $#; repeats=$2; shift 2 ;;
	--rate) need "$1" $#; rate=$2; shift 2 ;;
	--out) need "$1" $#; out=$2; shift 2 ;;
	--version) exec scripts/lib/version.sh bench-probes.sh ;;
	-h|--help) usage; exit 0 ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) die2 "unexpected argument '$1' (see --help)" ;;
	esac
done
. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh
case "$repeats" in ''|*[!0-9]*|0) echo "bench-probes: --repeats '$repeats': expected a number > 0" >&2; exit 2 ;; esac
case "$count" in *[!0-9]*|0) echo "bench-probes: --count '$count': expected a number > 0" >&2; exit 2 ;; esac
# Rate 0 is udpgen's "as fast as it can": no load held, so refused here.
case "$rate" in *[!0-9]*|0) echo "bench-probes: --rate '$rate': expected packets per second > 0" >&2; exit 2 ;; esac

if ! kvm_usable && [ -z "${VIRQLAB_IN_SANDBOX:-}" ]; then
	echo "bench-probes: no usable /dev/kvm: running in the SVM sandbox (emulated CPU)" >&2
	exec scripts/sandbox.sh --timeout 3600 -- scripts/bench-probes.sh --repeats "$repeats" \
		${rate:+--rate "$rate"} ${count:+--count "$count"} ${out:+--out "$out"}
fi
flavour=$(scripts/kvm-flavour.sh)
case "$flavour" in
*-emulated) count=${count:-60000} rate=${rate:-8000} ;;
*) count=${count:-200000} rate=${rate:-80000} ;;
esac
measure="vmm-mini CPU ns per delivered packet (cpu_ns_per_pkt)"
out=${out:-results/bench-probes-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
{
	# results/README.md's meta vocabulary, then its own keys.
	echo "git_rev	$(git rev-parse HEAD 2>/dev/null || echo unknown)"
	echo "git_dirty	$(git -c core.checkStat=minimal -c core.trustctime=false diff --quiet 2>/dev/null && echo no || echo yes)"
	echo "host	$(uname -n)"
	echo "host_kernel	$(uname -r)"
	echo "cpu	$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "kvm_flavour	$flavour"
	echo "command	scripts/bench-probes.sh --rate $rate --count $count --repeats $repeats"
	echo "mode	mask-direct"
	echo "rate_pps	$rate"
	echo "measure	$measure"
	echo "start	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/meta"

# busy: CPU less KVM's halt polling, which fills the idle gaps and so can
# shrink by what probes add ('-' where KVM does not count it).
printf '#pair\twithout_delivered\twithout_dropped\twithout_cpu_ns_per_pkt\twith_delivered' > "$out/pairs.tsv"
printf '\twith_dropped\twith_cpu_ns_per_pkt\tratio\theld\twithout_busy_ns_per_pkt' >> "$out/pairs.tsv"
printf '\twith_busy_ns_per_pkt\tbusy_ratio\n' >> "$out/pairs.tsv"
# side NAME: one run's delivered, dropped, CPU and busy ns per packet, tab-separated.
side() {
	cp "$rx_stats" "$out/$1.tsv"
	awk -F'\t' -v d="$(col delivered)" -v x="$(col dropped)" -v c="$(col cpu_ns_per_pkt)" \
		-v u="$(col cpu_user_ns)" -v s="$(col cpu_sys_ns)" -v p="$(col kvm_halt_poll_ns)" \
		'BEGIN { printf "%s\t%s\t%s\t%s", d, x, c,
			(p ~ /^[0-9]+$/ && d > 0) ? sprintf("%.1f", (u + s - p) / d) : "-" }'
}
i=0
while [ "$i" -lt "$repeats" ]; do
	i=$((i + 1))
	echo "bench-probes: pair $i/$repeats: mask-direct at $rate pps, $count packets, without probes" >&2
	RX_TIMEOUT=600 rx_run mask-direct "$rate" "$count"
	without=$(side "without-$i")
	echo "bench-probes: pair $i/$repeats: the same under virqstat" >&2
	RX_WRAP="$BUILD/virqstat -q --stats $out/probes-$i.tsv --" RX_TIMEOUT=600 \
		rx_run mask-direct "$rate" "$count"
	with=$(side "with-$i")
	printf '%s\t%s\n' "$without" "$with" | awk -F'\t' -v i="$i" '{
		held = ($2 == 0 && $6 == 0 && $1 > 0 && $5 > 0) ? "yes" : "no"
		r = $3 > 0 ? sprintf("%.4f", $7 / $3) : "-"
		b = ($4 > 0 && $8 != "-") ? sprintf("%.4f", $8 / $4) : "-"
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			i, $1, $2, $3, $5, $6, $7, r, held, $4, $8, b }' >> "$out/pairs.tsv"
done
echo "end	$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$out/meta"
rx_cleanup

cat "$out/pairs.tsv"
awk -F'\t' -v flavour="$flavour" -v rate="$rate" -v count="$count" '
function median(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^#/ { next }
{ total++ }
$9 != "yes" { flagged++; next }
$8 == "-" { unmeasured++; next }
{ r[++n] = $8; wo[n] = $4; wi[n] = $7 }
$12 != "-" { b[++nb] = $12 }
END {
	printf "held fixed: mask-direct offered %d pps, %d packets per run, on KVM %s; ", rate, count, flavour
	printf "measured: vmm-mini CPU ns per delivered packet with/without virqstat: "
	if (!n) {
		printf "no pair to measure (of %d, %d lost packets: try a lower --rate; %d had no CPU time)\n",
			total, flagged, unmeasured
		exit
	}
	m = median(r, n)
	printf "median %.4f (min %.4f, max %.4f; %.0f vs %.0f ns/pkt) over %d lossless pairs",
		m, r[1], r[n], median(wi, n), median(wo, n), n
	printf " (pairs that lost packets, excluded: %d of %d)", flagged + 0, total
	if (unmeasured)
		printf " (pairs without CPU time, excluded: %d)", unmeasured
	if (nb)
		printf "; without halt polling median %.4f", median(b, nb)
	printf "; target <= 1.031 (throughput with probes >= 0.97x without)\n"
}' "$out/pairs.tsv" | tee "$out/summary.txt"
echo "bench-probes: results in $out" >&2
