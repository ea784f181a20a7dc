#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - the main job (make demo): run the guest self-test suite and print
# the primitive-cost table, on real KVM. Where /dev/kvm is missing, both run
# inside the SVM sandbox, and the first line says so: those figures come from
# an emulated CPU, not hardware.
#
# Usage: scripts/demo.sh
# Output: the self-test TAP summary, the cost table, and results/costs-*.tsv

set -eu
cd "$(dirname "$0")/.."
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
	run="scripts/sandbox.sh --"
fi
tsv=results/costs-$flavour.tsv

echo "demo: guest self-tests"
$run prove tests/kvm/guest-selftests.t
echo "demo: primitive costs ($samples samples each)"
$run build/vmm-mini --test costs --args "samples=$samples" --out "$tsv" --timeout 600
echo "demo: cost table written to $tsv"
