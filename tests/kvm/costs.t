#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 3
#
# Description: `vmm-mini --test costs` times every primitive (port-I/O and
# MMIO exits to user space, MSI from host to guest handler, EOI, syscall
# round trip, MSI raised by an MMIO doorbell write, and the timing loop
# alone: timing-floor) from real guest TSC samples, prints the table labelled
# with the KVM flavour it ran on, and writes a TSV whose rows match the table.
# (Speed targets live in `make bench`, not here.)

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"

plan 12
tsv=$(mktemp)
trap 'rm -f "$tsv"' EXIT

out=$("$BUILD/vmm-mini" --timeout 300 --test costs --args samples=200 --stats "$tsv" 2>&1)
rc=$?
is "costs: exit 0" 0 "$rc"
[ "$rc" = 0 ] || diag "$out"
flavour=$(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh" | sed 's/-emulated//')
note "kvm: $KVM_WHERE ($flavour)"
like "table names the KVM flavour" "^vmm-mini primitive costs: KVM $flavour" "$out"
# SYSCALL stays at CPL 3 on nested PVM (PVM.md): there the round trip is the
# UD2 gate's; everywhere else it is SYSCALL's.
case $flavour in
pvm) gate=ud2 ;;
*) gate=syscall ;;
esac
like "syscall-roundtrip is timed through the $gate gate" "^syscall gate: $gate\$" "$out"
for op in pio-exit-to-user mmio-exit-to-user msi-to-handler eoi syscall-roundtrip \
	mmio-doorbell-msi timing-floor; do
	like "table row $op has 200 samples and positive medians" \
		"^$op +200 +[1-9][0-9]* +[1-9][0-9]* " "$out"
done
is "TSV: one # header line and seven rows" "1 7" \
	"$(grep -c '^#' "$tsv") $(grep -vc '^#' "$tsv")"
# p99 >= median in every row, and the flavour column is filled in.
is "TSV: p99 >= median and flavour set in every row" 7 \
	"$(awk -F'\t' -v f="$flavour" '!/^#/ && $4 >= $3 && $8 == f' "$tsv" | wc -l)"
done_testing
