#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-queues.sh - what a second receive queue buys (make bench-queues):
# every mode that takes several queues (inject, coalesce, mask-direct,
# mask-poll), with 1 and with 2 queues on a 2-vCPU guest, udpgen sending 16
# flows (--flows 16 --sport) at an offered rate above the mode's capacity,
# REPEATS runs each, interleaved (mode by mode, 1 queue then 2, repeat by
# repeat) so that a drift in the machine's load hits both alike. The offered
# load: mask-direct and mask-poll get udpgen's maximum (rate 0); inject and
# coalesce, whose drivers run in guest ring 0 (emulated on nested PVM,
# capacity 3,000-6,000 pps), get 20,000 pps (2,000 emulated) for 10 s, since
# at udpgen's maximum the window would last under 2 s and the up to 1,024
# datagrams still in the buffers when it ends, delivered after it, would be a
# third of their figure; over 10 s they add at most ~100 pps. Measured:
# delivered pps (delivered over the first-to-last arrival window), the
# sender's achieved rate, the drop share, exits and interrupts per packet.
# Held: the offered load per mode, the vCPU count (2: with 1 queue vCPU 1
# halts, idle), the buffers (1024 in all, split over the queues). Busy
# threads: one consumer vCPU per queue, vmm-mini's receive thread and
# udpgen's one thread, on the machine's CPUs (meta: cpus_online,
# busy_threads). A benchmark, not a test: it never fails on speed. Without
# /dev/kvm the whole run happens in the SVM sandbox (emulated CPU).

set -eu
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/bench-queues.sh [--count N] [--repeats R] [--modes 'M ...'] [--out DIR]
       scripts/bench-queues.sh --help | --version

Delivered pps with 1 and 2 receive queues on a 2-vCPU guest, 16 UDP flows sent
above each mode's capacity (udpgen's maximum; inject and coalesce 20,000 pps,
2,000 emulated), for every mode that takes several queues; the table is
summary.tsv (median, min and max over the repeats) and summary.txt.

Options:
  --count N      packets per run, every mode (default: mask-direct and mask-poll
                 400000 natively, 40000 emulated; inject and coalesce 10 s of
                 their offered rate: 200000 natively, 20000 emulated)
  --repeats R    runs per mode and queue count (default 3)
  --modes LIST   a subset of: inject coalesce mask-direct mask-poll (default: all)
  --out DIR      the results folder (default results/bench-queues-DATE)
  -h, --help     this text
  --version      print "bench-queues.sh (virqlab) REVISION" and exit

Exit codes:
  0  measured (a benchmark: it never fails on speed)
  2  usage error
  other  a run failed: vmm-mini's or udpgen's status

Examples:
  scripts/bench-queues.sh
  scripts/bench-queues.sh --modes 'mask-direct' --repeats 5
  scripts/bench-queues.sh --count 20000 --repeats 1 --out /tmp/bq
USAGE
}

die2() {
	echo "bench-queues: $*" >&2
	exit 2
}
need() { [ "$2" -ge 2 ] || die2 "option '$1' needs a value (see --help)"; }

count= repeats=3 out= modes="inject coalesce mask-direct mask-poll"
while [ $# -gt 0 ]; do
	case "$1" in
	--count) need "$1" $#; count=$2; shift 2 ;;
	--repeats) need "$1" $#; repeats=$2; shift 2 ;;
	--modes) need "$1" $#; modes=$2; shift 2 ;;
	--out) need "$1" $#; out=$2; shift 2 ;;
	--version) exec scripts/lib/version.sh bench-queues.sh ;;
	-h|--help) usage; exit 0 ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) die2 "unexpected argument '$1' (see --help)" ;;
	esac
done
case "$repeats" in ''|*[!0-9]*|0) die2 "--repeats '$repeats': expected a number > 0" ;; esac
case "$count" in *[!0-9]*|0) die2 "--count '$count': expected a number > 0" ;; esac
[ -n "$modes" ] || die2 "--modes '': expected one or more of inject coalesce mask-direct mask-poll"
for m in $modes; do
	case "$m" in
	inject|coalesce|mask-direct|mask-poll) ;;
	*) die2 "--modes: '$m' is not a multi-queue mode (inject, coalesce, mask-direct, mask-poll)" ;;
	esac
done
. tests/lib/tap.sh >/dev/null
. tests/lib/rx.sh
. scripts/lib/results.sh

if ! kvm_usable && [ -z "${VIRQLAB_IN_SANDBOX:-}" ]; then
	echo "bench-queues: no usable /dev/kvm: running in the SVM sandbox (emulated CPU)" >&2
	exec scripts/sandbox.sh --timeout 3600 -- scripts/bench-queues.sh --repeats "$repeats" \
		--modes "$modes" ${count:+--count "$count"} ${out:+--out "$out"}
fi
flavour=$(scripts/kvm-flavour.sh)
case "$flavour" in
*-emulated) fast_count=${count:-40000} slow_count=${count:-20000} slow_rate=2000 ;;
*) fast_count=${count:-400000} slow_count=${count:-200000} slow_rate=20000 ;;
esac
out=${out:-results/bench-queues-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out/cells"
{
	printf 'format\tvirqlab-results 1\n'
	printf 'command\tscripts/bench-queues.sh%s --repeats %s --modes %s\n' \
		"${count:+ --count $count}" "$repeats" "$modes"
	meta_machine . "$flavour"
	printf 'load\t16 flows (udpgen --flows 16 --sport); mask-direct, mask-poll: rate 0 %s%s\n' \
		"(as fast as udpgen can), $fast_count packets a run; " \
		"inject, coalesce: $slow_rate pps, $slow_count packets a run"
	printf 'guest\t--vcpus 2; --queues 1 or 2; 1024 buffers in all (1024/Q slots per ring)\n'
	printf 'busy_threads\tQ consumer vCPUs (with 1 queue vCPU 1 halts), %s: Q + 2 on %s CPUs\n' \
		"1 vmm-mini receive thread, 1 udpgen thread" "$(nproc 2>/dev/null)"
	printf 'measure\tdelivered_pps: delivered over the first-to-last arrival window\n'
	printf 'load_average_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'start\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/meta"

printf '#mode\tqueues\trepeat\toffered_pps\tsent\tdelivered\tdropped\tdelivered_pps' > "$out/runs.tsv"
printf '\texits_per_pkt\tirqs_per_pkt\tqueue_published\n' >> "$out/runs.tsv"
sport=$((40000 + ($$ % 1000) * 16))
i=0
while [ "$i" -lt "$repeats" ]; do
	i=$((i + 1))
	for mode in $modes; do
		case "$mode" in
		inject|coalesce) rate=$slow_rate n=$slow_count ;;
		*) rate=0 n=$fast_count ;;
		esac
		for q in 1 2; do
			echo "bench-queues: $mode, $q queue(s), run $i/$repeats:" \
				"$n packets, 16 flows, rate $rate" >&2
			RX_VMM_ARGS="--vcpus 2 --queues $q" RX_TIMEOUT=600 rx_run "$mode" "$rate" "$n" \
				--flows 16 --sport "$sport"
			cell=$out/cells/$mode-q$q-r$i
			mkdir -p "$cell"
			cp "$rx_stats" "$cell/stats.tsv"
			cp "$_dir/gen.tsv" "$cell/gen.tsv" 2>/dev/null || :
			printf '%s\n' "$rx_out" > "$cell/out.txt"
			if [ "$rx_rc" != 0 ] || [ "$gen_rc" != 0 ]; then
				echo "bench-queues: $mode, $q queue(s): vmm-mini exit $rx_rc," \
					"udpgen exit $gen_rc" >&2
				echo "end	$(date -u +%Y-%m-%dT%H:%M:%SZ) (failed)" >> "$out/meta"
				exit "$([ "$rx_rc" != 0 ] && echo "$rx_rc" || echo "$gen_rc")"
			fi
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$q" "$i" \
				"$(col achieved_pps "$cell/gen.tsv")" "$(col sent)" \
				"$(col delivered)" "$(col dropped)" "$(col delivered_pps)" \
				"$(col exits_per_pkt)" "$(col irqs_per_pkt)" "$(col queue_published)" \
				>> "$out/runs.tsv"
		done
	done
done
printf 'load_average_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/meta"
echo "end	$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$out/meta"
rx_cleanup

# The table: per mode and queue count, median (min..max) of delivered pps,
# the median drop share, exits and interrupts per packet; then 2 queues / 1.
awk -F'\t' '
function median(a, n,    i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^#/ { next }
{
	k = $1 SUBSEP $2
	if (!(k in n)) { order[++nk] = k }
	n[k]++
	pps[k, n[k]] = $8; drop[k, n[k]] = $5 > 0 ? $7 / $5 : 0
	ex[k, n[k]] = $9; ir[k, n[k]] = $10; off[k, n[k]] = $4
}
END {
	printf "#mode\tqueues\truns\toffered_pps_median\tdelivered_pps_median\tdelivered_pps_min"
	printf "\tdelivered_pps_max\tdrop_share_median\texits_per_pkt_median\tirqs_per_pkt_median"
	print "\tspeedup_vs_1_queue"
	for (o = 1; o <= nk; o++) {
		k = order[o]; split(k, f, SUBSEP); c = n[k]
		for (i = 1; i <= c; i++) {
			a[i] = pps[k, i]; b[i] = drop[k, i]; e[i] = ex[k, i]; r[i] = ir[k, i]
			g[i] = off[k, i]
		}
		m = median(a, c); lo = a[1]; hi = a[c]
		med[k] = m
		one = f[1] SUBSEP 1
		printf "%s\t%s\t%d\t%.0f\t%.0f\t%.0f\t%.0f\t%.4f\t%.4f\t%.4f\t%s\n",
			f[1], f[2], c, median(g, c), m, lo, hi,
			median(b, c), median(e, c), median(r, c),
			(f[2] != 1 && med[one] > 0) ? sprintf("%.3f", m / med[one]) : "-"
	}
}' "$out/runs.tsv" > "$out/summary.tsv"
{
	echo "bench-queues on KVM $flavour, $(nproc) CPUs, 2 vCPUs, 16 flows: mask-direct, mask-poll at udpgen's maximum ($fast_count packets); inject, coalesce at $slow_rate pps ($slow_count)"
	echo "busy threads: Q consumer vCPUs + 1 receive thread + 1 generator = Q + 2 on $(nproc) CPUs"
	column -t -s "$(printf '\t')" "$out/summary.tsv" 2>/dev/null || cat "$out/summary.tsv"
} | tee "$out/summary.txt"
echo "bench-queues: results in $out" >&2
