#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# costs-peer.sh - the primitive-cost table, vmm-mini beside QEMU+KVM: the
# same guest image (build/guest.elf, self-test "costs") timed under
# `vmm-mini --test costs` and under `qemu-system-x86_64 -accel kvm`
# (scripts/run-guest-qemu.sh), one after the other on the same KVM, and
# printed side by side with the ratio of the medians. Where /dev/kvm is
# missing, the whole run happens inside one boot of the SVM sandbox, so both
# columns always come from one machine and one kernel.
#
# What each row times under QEMU (the guest picks it at run time,
# guest-kernel-patch/tests/cost_probes.c): the ACPI PM timer port and the edu
# PCI device's ID register (both served by QEMU's user space), edu's
# raise-interrupt register for the doorbell MSI. QEMU has no host-timed MSI,
# so that row is n/a with the reason.

set -u

usage() {
	cat <<'USAGE'
Usage: scripts/costs-peer.sh [OPTIONS]
       scripts/costs-peer.sh --help | --version

Time the guest's primitive costs under vmm-mini and under QEMU+KVM in one
run and print both, median and p99 in TSC cycles, with the ratio of the
medians (QEMU / vmm-mini). Without a usable /dev/kvm the run goes into the
SVM sandbox (scripts/sandbox.sh): figures from an emulated CPU.

Options:
  --samples N   samples per operation, 1..10000 (default 1000)
  --stats FILE  also write the table as TSV (one # header line), its
                provenance (git revision, host, flavour, QEMU) to FILE.meta,
                and every raw sample of both VMMs to FILE.samples
                (vmm operation cycles)
  --timeout S   limit for each VMM's run, seconds (default 300)
  -h, --help    this text

Exit codes:
  0    table printed          2    bad usage
  1    a guest failed         3    host, KVM or QEMU error
  4    skipped (no KVM, even in the sandbox; or the guest skipped)
  124  --timeout expired

Examples:
  scripts/costs-peer.sh
  scripts/costs-peer.sh --samples 200 --stats build/costs-peer.tsv
  VIRQLAB_FORCE_SANDBOX=1 scripts/costs-peer.sh    # sandbox even with /dev/kvm
USAGE
}

die() {
	code=$1
	shift
	echo "costs-peer: $*" >&2
	exit "$code"
}

root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tests/lib/tap.sh" >/dev/null

samples=1000
out=
timeout=300
while [ $# -gt 0 ]; do
	case "$1" in
	--samples) [ $# -ge 2 ] || die 2 "'--samples' needs a value"; samples=$2; shift 2 ;;
	--stats) [ $# -ge 2 ] || die 2 "'--stats' needs a value"; out=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || die 2 "'--timeout' needs a value"; timeout=$2; shift 2 ;;
	--version) exec "$root/scripts/lib/version.sh" costs-peer.sh ;;
	-h|--help) usage; exit 0 ;;
	*) die 2 "unexpected argument '$1' (see --help)" ;;
	esac
done
case "$samples" in
'' | *[!0-9]* | 0*) die 2 "--samples '$samples': expected a number from 1 to 10000" ;;
esac
[ "$samples" -le 10000 ] || die 2 "--samples '$samples': expected a number from 1 to 10000"
case "$timeout" in
'' | *[!0-9]* | 0*) die 2 "--timeout '$timeout': expected whole seconds from 1" ;;
esac
if [ -n "$out" ]; then
	case "$out" in /*) ;; *) out=$(pwd)/$out ;; esac
	[ -d "$(dirname "$out")" ] || die 2 "--stats '$out': no such directory"
fi
[ -x "$BUILD/vmm-mini" ] && [ -r "$BUILD/guest.elf" ] ||
	die 2 "$BUILD/vmm-mini or $BUILD/guest.elf missing (run make)"

# Both VMMs in one KVM: here, or both inside one sandbox boot.
forced=0
[ "${VIRQLAB_FORCE_SANDBOX:-0}" = 1 ] && [ -z "${VIRQLAB_IN_SANDBOX:-}" ] && forced=1
if ! kvm_usable || [ "$forced" = 1 ]; then
	[ -z "${VIRQLAB_IN_SANDBOX:-}" ] || die 4 "no usable /dev/kvm, even inside the sandbox"
	echo "costs-peer: no usable /dev/kvm here: both VMMs run in the SVM sandbox" \
		"(figures from an emulated CPU)" >&2
	set -- --samples "$samples" --timeout "$timeout"
	[ -n "$out" ] && set -- "$@" --stats "$out"
	exec "$root/scripts/sandbox.sh" --timeout $((2 * timeout + 60)) -- "$0" "$@"
fi

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$BUILD/tmp"
tmp=$(mktemp -d "$BUILD/tmp/costs-peer.XXXXXX") || die 3 "cannot create a scratch directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# run NAME CMD...: CMD's output to $tmp/NAME.out; on failure show it and
# leave with CMD's status, which already follows the exit-code contract.
run() {
	name=$1
	shift
	"$@" > "$tmp/$name.out" 2>&1
	rc=$?
	[ "$rc" = 0 ] && return 0
	sed "s/^/$name: /" "$tmp/$name.out" >&2
	case $rc in
	1 | 3 | 4 | 124 | 130) die "$rc" "$name run failed (exit $rc)" ;;
	*) die 3 "$name run failed (exit $rc)" ;;
	esac
}

run vmm-mini "$BUILD/vmm-mini" --timeout "$timeout" --test costs --args "samples=$samples" \
	--stats "$tmp/mini.tsv"
# With --stats, QEMU's guest prints every sample too (raw=1), kept with
# vmm-mini's in FILE.samples: the figures can be recomputed from the cycles.
set -- "samples=$samples"
[ -n "$out" ] && set -- "$@" raw=1
run qemu "$root/scripts/run-guest-qemu.sh" --accel kvm --timeout "$timeout" costs "$@"

# vmm-mini's TSV (#operation samples median p99 ... flavour cpu_emulated
# tsc_khz) joined with QEMU's console rows, in vmm-mini's row order.
flavour=$(awk -F'\t' '!/^#/ { print $8 (($9 == 1) ? "-emulated" : ""); exit }' "$tmp/mini.tsv")
mhz=$(awk -F'\t' '!/^#/ { printf "%.3f", $10 / 1000; exit }' "$tmp/mini.tsv")
qver=$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')
probes=$(sed -n 's/^costs: QEMU+KVM probes: //p' "$tmp/qemu.out")
# The CPU model run-guest-qemu.sh settled on (-cpu host, or its fallback).
qcpu=$(sed -n 's/^run-guest-qemu: .*QEMU -accel kvm -cpu \([^ ]*\)$/\1/p' "$tmp/qemu.out" | tail -1)
{
	echo "#operation vmm_mini_samples vmm_mini_median vmm_mini_p99 qemu_samples qemu_median" \
		"qemu_p99 qemu_per_vmm_mini flavour tsc_khz qemu_na_reason" | tr ' ' '\t'
	awk -F'\t' -v fl="$flavour" '
	FNR == NR {	# the QEMU console
		if ($0 ~ /^cost: [a-z0-9-]+ samples=/) {
			split($0, w, /[ =]/)
			qn[w[2]] = w[4]; qmed[w[2]] = w[6]; qp99[w[2]] = w[8]
		} else if ($0 ~ /^cost: [a-z0-9-]+ n\/a \(/) {
			split($0, w, " ")
			why = $0
			sub(/^[^(]*\(/, "", why)
			sub(/\)$/, "", why)
			na[w[2]] = why
		}
		next
	}
	/^#/ { next }
	{
		op = $1
		if (op in qmed)
			printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\t%s\t-\n", op, $2, $3, $4,
				qn[op], qmed[op], qp99[op], qmed[op] / $3, fl, $10
		else if (op in na)
			printf "%s\t%s\t%s\t%s\tn/a\tn/a\tn/a\tn/a\t%s\t%s\t%s\n", op, $2, $3, $4,
				fl, $10, na[op]
		else
			printf "%s\t%s\t%s\t%s\tmissing\n", op, $2, $3, $4
	}' FS=' ' "$tmp/qemu.out" FS='\t' "$tmp/mini.tsv"
} > "$tmp/peer.tsv"
if grep -q "	missing$" "$tmp/peer.tsv"; then
	sed "s/^/qemu: /" "$tmp/qemu.out" >&2
	missing=$(awk -F'\t' '$5 == "missing" { printf " %s", $1 }' "$tmp/peer.tsv")
	die 1 "QEMU's guest printed no row for:$missing"
fi

case "$flavour" in
*-emulated) where="KVM ${flavour%-emulated}, emulated CPU (figures from emulation, not hardware)" ;;
*) where="KVM $flavour" ;;
esac
echo "primitive costs, vmm-mini vs QEMU+KVM, one run on $where"
echo "host kernel $(uname -r), TSC $mhz MHz, QEMU $qver -accel kvm -cpu ${qcpu:-unknown};" \
	"$samples samples per operation; TSC cycles"
echo "QEMU probes: $probes"
awk -F'\t' '
	BEGIN { printf "%-20s %12s %10s %12s %10s %8s\n", "operation", "vmm-mini_med",
		"p99", "qemu_med", "p99", "qemu/vm" }
	/^#/ { next }
	$5 == "n/a" { printf "%-20s %12s %10s %12s %10s %8s  (%s)\n", $1, $3, $4, "n/a", "n/a",
		"n/a", $11; next }
	{ printf "%-20s %12s %10s %12s %10s %8s\n", $1, $3, $4, $6, $7, $8 }
' "$tmp/peer.tsv"
if [ -n "$out" ]; then
	cp "$tmp/peer.tsv" "$out" || die 3 "--stats $out: cannot write"
	{
		printf '#vmm\toperation\tcycles\n'
		sed '/^#/d; s/^/vmm-mini\t/' "$tmp/mini.tsv.samples"
		sed -n 's/^cost-sample: \([a-z0-9-]*\) \([0-9]*\)$/qemu\t\1\t\2/p' "$tmp/qemu.out"
	} > "$out.samples" || die 3 "--stats $out.samples: cannot write"
	# What makes the figures reproducible, beside them (EXPERIMENTS.md).
	{
		printf 'command\tscripts/costs-peer.sh --samples %s --stats %s\n' "$samples" "$out"
		# The keys of results/README.md's meta vocabulary, then its own.
		printf 'git_rev\t%s\n' "$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
		git -C "$root" -c core.checkStat=minimal diff --quiet HEAD 2>/dev/null &&
			printf 'git_dirty\tno\n' || printf 'git_dirty\tyes\n'
		printf 'start\t%s\nend\t%s\n' "$started" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		printf 'host\t%s\nhost_kernel\t%s\n' "$(uname -n)" "$(uname -r)"
		printf 'cpu\t%s\ncpus_online\t%s\n' "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)" \
			"$(nproc)"
		printf 'kvm_flavour\t%s\n' "$flavour"
		printf 'tsc_mhz\t%s\n' "$mhz"
		printf 'qemu\t%s -accel kvm -cpu %s -M pc -m 64 -device edu\n' "$qver" "${qcpu:-unknown}"
		printf 'samples\t%s\n' "$samples"
		printf 'status\tcomplete\n'
	} > "$out.meta" || die 3 "--stats $out.meta: cannot write"
	echo "TSV: $out (provenance: $out.meta, raw samples: $out.samples)"
fi
exit 0
