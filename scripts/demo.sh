#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - the main job (make demo): the guest self-test suite, the
# primitive-cost table, and a short receive comparison (sink, inject,
# virtio, mask-direct across load: workloads/default.conf through
# scripts/run-experiment.sh), on real KVM. Where /dev/kvm is missing,
# everything runs inside the SVM sandbox and the first line says so: those
# figures come from an emulated CPU, not hardware. Ends with the summary
# table (modes side by side) and the paths of the plots.
#
# Usage: scripts/demo.sh --help.

set -eu
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/demo.sh [--costs-only]
       scripts/demo.sh --help | --version

The main job (make demo): the guest self-test suite, the primitive-cost
table (results/costs-FLAVOUR.tsv) and a short receive comparison
(workloads/default.conf through scripts/run-experiment.sh into
results/DATE-default/), on real KVM; without /dev/kvm all of it inside the
SVM sandbox, and the first line says so. Ends with the summary and the
paths of the figures.

Options:
  --costs-only   only the cost table (make bench-costs)
  -h, --help     this text
  --version      print "demo.sh (virqlab) REVISION" and exit

Environment: VIRQLAB_COST_SAMPLES (default 1000) samples per cost;
VIRQLAB_FORCE_SANDBOX=1 the sandbox even where /dev/kvm works.

Exit codes: 0 done; 2 usage error; else the failing step's (the self-tests'
prove, vmm-mini's or run-experiment.sh's code: 1 fail, 3 host error, 124
timeout).

Examples:
  scripts/demo.sh                      # = make demo
  scripts/demo.sh --costs-only         # = make bench-costs
USAGE
}

costs_only=0
case "${1:-}" in
"") ;;
--costs-only) costs_only=1 ;;
--version) exec scripts/lib/version.sh demo.sh ;;
-h|--help) usage; exit 0 ;;
-*) echo "demo: unknown option '$1' (see --help)" >&2; exit 2 ;;
*) echo "demo: unexpected argument '$1' (see --help)" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "demo: unexpected argument '$2' (see --help)" >&2; exit 2; }
. tests/lib/tap.sh >/dev/null
samples=${VIRQLAB_COST_SAMPLES:-1000}
mkdir -p results
if kvm_usable && [ "${VIRQLAB_FORCE_SANDBOX:-0}" != 1 ]; then
	flavour=$(scripts/kvm-flavour.sh)
	echo "demo: running on this machine's KVM ($flavour)"
	run=""
else
	flavour=svm-emulated
	echo "demo: no usable /dev/kvm here: running in the SVM sandbox (QEMU TCG;" \
		"figures from emulation, not hardware)"
	run="scripts/sandbox.sh --timeout 3000 --"
fi
tsv=results/costs-$flavour.tsv

if [ "$costs_only" = 0 ]; then
	echo "demo: guest self-tests"
	$run prove tests/kvm/guest-selftests.t
fi
echo "demo: primitive costs ($samples samples each)"
$run build/vmm-mini --test costs --args "samples=$samples" --stats "$tsv" --timeout 600
echo "demo: cost table written to $tsv"
[ "$costs_only" = 1 ] && exit 0

echo "demo: receive comparison (workloads/default.conf: real UDP through vmm-mini's device into the guest)"
out=results/$(date +%Y%m%d-%H%M%S)-default
rc=0
scripts/run-experiment.sh default --out "$out" || rc=$?
[ -f "$out/summary.tsv" ] || exit "$rc"
echo "demo: summary: $out/summary.txt (for programs: $out/summary.tsv, columns in results/README.md)"
scripts/rx-targets.sh "$out" > /dev/null 2>&1 &&
	echo "demo: the receive-path targets, MET or MISS with their figures: $out/targets.txt"
for p in "$out"/plots/*.png; do
	echo "demo: plot: $p (and .svg, .pdf; .gp and .dat beside it)"
done
echo "demo: every cell's raw statistics, latency samples and logs: $out/cells/; provenance: $out/meta"
echo "demo: compare with the committed reference: make regress"
exit "$rc"
