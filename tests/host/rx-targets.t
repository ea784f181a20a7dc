#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: scripts/rx-targets.sh reads the receive-path targets off a
# run: inject's saturation rate (lowest rate with median loss > 0), mask-
# direct's irqs and exits per packet there with their breakdown by cause,
# the highest lossless rates and their ratios, p99 at 1,000 pps, each MET or
# MISS with the figure. The run here is made of hand-written cells (three
# repeats each) and summarized by scripts/summarize.sh, so every expected
# figure below follows from the cells.

. "$(dirname "$0")/../lib/tap.sh"
cd "$VIRQLAB_ROOT" || exit 1
plan 18

t=$BUILD/tmp/rx-targets-t.$$
rm -rf "$t"
mkdir -p "$t/r/cells"
printf 'kvm_flavour\tsvm-emulated\nstatus\tcomplete\ncells\t27\ncells_done\t27\n' > "$t/r/meta"
printf '#cell\tmode\trate\trepeat\tkind\test_s\n' > "$t/r/plan.tsv"

# cell MODE RATE SENT DELIVERED PPS IRQS/PKT EXITS/PKT P99_NS KVM_EXITS HALT IRQ [IO MMIO]:
# three repeats alike, but for delivered pps (+0, +1, +2).
cell() {
	for rep in 1 2 3; do
		c=$1-$2-$rep
		printf '%s\t%s\t%s\t%s\trun\t1\n' "$c" "$1" "$2" "$rep" >> "$t/r/plan.tsv"
		mkdir -p "$t/r/cells/$c"
		echo ok > "$t/r/cells/$c/status"
		samples=$4
		[ "$1" = sink ] && samples=0
		printf '#mode\tsent\tdelivered\tdropped\tdelivered_pps\tirqs_per_pkt\texits_per_pkt\tlat_samples\tlat_p50_ns\tlat_p90_ns\tlat_p99_ns\tlat_max_ns\tkvm_exits\tkvm_halt_exits\tkvm_irq_exits\tkvm_io_exits\tkvm_signal_exits\tkvm_mmio_exits\n%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
			"$1" "$3" "$4" $(($3 - $4)) $(($5 + rep - 1)) "$6" "$7" "$samples" "$8" "$8" "$8" "$8" "$9" "${10}" "${11}" "${12:-0}" 7 "${13:-0}" \
			> "$t/r/cells/$c/stats.tsv"
	done
}
cell sink 1000 100 100 1000 0 0 0 0 0 0
cell inject 1000 100 100 1000 1 5 2000000000 500 0 20
cell mask-direct 1000 100 100 1000 0.9 2 2000000 200 90 10
cell sink 2000 100 100 2000 0 0 0 0 0 0
cell inject 2000 100 50 1000 1 5 2100000000 250 0 10
cell mask-direct 2000 100 100 2000 0.5 1 3000000 100 50 10 5 30
cell sink 0 100 100 10000 0 0 0 0 0 0
cell inject 0 100 10 1000 1 5 2200000000 50 0 5
cell mask-direct 0 100 100 9500 0.05 0.1 9000000 10 5 1
cell coalesce 1000 100 100 1000 0.2 3 4000000 300 10 20
cell coalesce 2000 100 100 2000 0.1 2 5000000 200 10 10

scripts/summarize.sh "$t/r" > /dev/null
out=$(scripts/rx-targets.sh "$t/r")
is "exit 0" 0 $?
like "inject saturates at 2000 pps, its loss given" "^  inject saturates at 2000 pps \(.*: 50\.00%\)$" "$out"
like "mask-direct at 2000: irqs/pkt 0.5 MISS, exits/pkt 1.0 MISS, with min..max" \
	"mask-direct at 2000 pps: irqs/pkt 0\.5000 \(0\.5000\.\.0\.5000; target <= 0\.01\): MISS; exits/pkt 1\.0000 \(1\.0000\.\.1\.0000; target <= 0\.02\): MISS" "$out"
like "... exits by cause, named by the KVM columns the cells have (signal exits are no cause)" \
	"by cause \(KVM statistics columns\): kvm_halt_exits 0\.5000, kvm_irq_exits 0\.1000, kvm_io_exits 0\.0500, kvm_mmio_exits 0\.3000; named by none of them 0\.0500$" "$out"
is "... and no fixed label for what is left" "" "$(printf '%s\n' "$out" | grep -i 'other\|EOI')"
like "highest lossless rates: sink max, inject 1000, mask-direct max (medians)" \
	"highest lossless rate .*: sink 10001 \(at max\), inject 1001 \(at 1000 pps\), mask-direct 9501 \(at max\)" "$out"
like "mask-direct / inject = 9.49x: MISS" "mask-direct / inject = 9\.49x \(target >= 10\): MISS" "$out"
like "mask-direct / sink = 0.95: MET" "mask-direct / sink   = 0\.95 \(target >= 0\.9\): MET" "$out"
like "p99 at 1000 pps: 2000.0 us vs 2000000.0 us: MET" "mask-direct at 1000 pps: p99 2000\.0 us vs inject 2000000\.0 us \(target <= inject\): MET" "$out"
like "coalesce is judged beside mask-direct: irqs/pkt 0.1 at 2000 pps" \
	"coalesce    at 2000 pps: irqs/pkt 0\.1000 .*MISS; exits/pkt 2\.0000" "$out"
like "... and its p99 at 1000 pps" "coalesce    at 1000 pps: p99 4000\.0 us vs inject 2000000\.0 us \(target <= inject\): MET" "$out"
is "written to targets.txt too" "$out" "$(cat "$t/r/targets.txt")"
like "modes lossless even at max are named: the generator set that rate" "^  \(lossless even at max: sink, mask-direct; there the generator" "$out"

# One repeat of inject at 1000 pps loses a packet: no rate of inject is
# lossless in every repeat, and the ratio to inject is not made up.
awk -F'\t' 'NR == 2 { $3 = 99; $4 = 1 } 1' OFS='\t' "$t/r/cells/inject-1000-2/stats.tsv" > "$t/s" &&
	mv "$t/s" "$t/r/cells/inject-1000-2/stats.tsv"
scripts/summarize.sh "$t/r" > /dev/null
out=$(scripts/rx-targets.sh "$t/r")
like "inject never lossless in every repeat: said" \
	"^  inject lost packets in some repeat at every swept rate: the ratios to inject cannot be judged" "$out"
is "... and no ratio to inject is printed" "" "$(printf '%s\n' "$out" | grep 'mask-direct / inject')"

printf 'status\tpartial\ncells\t27\ncells_done\t9\n' >> "$t/r/meta"
sed -i '/^status\tcomplete/d; /^cells_done\t27/d; 0,/^cells\t27/{/^cells\t27/d}' "$t/r/meta"
like "a partial run says so" "run partial \(9/27 cells\): these verdicts cover only the cells that ran" "$(scripts/rx-targets.sh "$t/r")"

grep -v '^inject' "$t/r/summary.tsv" > "$t/r/s" && mv "$t/r/s" "$t/r/summary.tsv"
err=$(scripts/rx-targets.sh "$t/r" 2>&1)
is "no inject rows: exit 2 with one line" "2 rx-targets: $t/r: no inject or no mask-direct rows in summary.tsv: nothing to compare" "$? $err"
err=$(scripts/rx-targets.sh "$t/none" 2>&1)
like "no summary.tsv: exit 2 naming it" "^2 rx-targets: $t/none: no summary.tsv" "$? $err"

rm -rf "$t"
done_testing
