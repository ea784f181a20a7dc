# SPDX-License-Identifier: GPL-2.0
# synth.sh - synthetic results directories for host tests of summarize.sh,
# plot.sh and compare.sh: the same layout run-experiment.sh writes (meta,
# workload.conf, plan.tsv, cells/*/{status,stats.tsv,gen.tsv,lat.tsv}),
# with figures the test chooses. Sourced after tap.sh.

# synth_run DIR WORKLOAD-NAME: an empty run with its meta.
synth_run() {
	mkdir -p "$1/cells"
	printf 'format\tvirqlab-results 1\nworkload\t%s\nkvm_flavour\tsynthetic\nhost\ttest\nkvm_cpu\tnone\nstatus\tcomplete\nstart\t2026-01-01T00:00:00Z\nemulated\t0\n' "$2" > "$1/meta"
	printf 'modes = inject mask-direct\nrates = 1000 4000\npackets = 100\ncdf_rates = 4000\n' > "$1/workload.conf"
	printf '#cell\tmode\trate\trepeat\tkind\test_s\n' > "$1/plan.tsv"
}

# synth_cell DIR MODE RATE REPEAT DELIVERED_PPS IRQS/PKT EXITS/PKT P50_NS P99_NS DROPPED [STATUS]
synth_cell() {
	_c=$1/cells/$2-$3-$4
	mkdir -p "$_c"
	printf '%s\t%s\t%s\t%s\trun\t1\n' "$2-$3-$4" "$2" "$3" "$4" >> "$1/plan.tsv"
	echo "${11:-ok}" > "$_c/status"
	[ "${11:-ok}" = ok ] || return 0
	printf '#mode\tsent\tdelivered\tdropped\tdelivered_pps\tirqs_per_pkt\texits_per_pkt\tlat_p50_ns\tlat_p90_ns\tlat_p99_ns\tlat_max_ns\tlat_samples\taccounting\n' > "$_c/stats.tsv"
	printf '%s\t1000\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t200\tok\n' "$2" $((1000 - ${10})) "${10}" "$5" "$6" "$7" "$8" "$8" "$9" "$9" >> "$_c/stats.tsv"
	printf '#sent\tachieved_pps\n1000\t%s\n' "$3" > "$_c/gen.tsv"
	awk -v a="$8" -v b="$9" 'BEGIN { print "#lat_ns"; for (i = 1; i <= 200; i++) print int(a + (b - a) * (i / 200) ^ 4) }' > "$_c/lat.tsv"
}
