#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 10
#
# Description: the guest kernel under QEMU with KVM (scripts/run-guest-qemu.sh
# --accel kvm; nested inside the SVM sandbox where /dev/kvm is missing): it
# boots through the PVH entry and reports QEMU; it starts an AP from the
# MADT and each vCPU takes an IPI through KVM's in-kernel APIC; a #PF
# carries its CR2; and the costs self-test prints every row, measured or n/a
# with a reason. Where perf can count KVM's tracepoints, the probes that
# costs times under QEMU are checked to really leave KVM for QEMU's user
# space: at least one user-space exit per port and MMIO sample and per
# doorbell, and one KVM MSI per doorbell, beyond what booting "hello" costs.
# The CPU model is whichever the host's KVM accepts (run-guest-qemu.sh).

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
require_tool qemu-system-x86_64

RUN=$VIRQLAB_ROOT/scripts/run-guest-qemu.sh
N=200
plan 16
note "kvm: $KVM_WHERE ($(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh" 2>/dev/null)), QEMU nested in it"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

perf_ok=0
perf stat -e kvm:kvm_userspace_exit -e kvm:kvm_msi_set_irq -- true >/dev/null 2>&1 && perf_ok=1

# guest TEST [key=value...]: run under QEMU+KVM (counted by perf where it
# can); sets rc, out, and uexits/msis (KVM's tracepoint counts, or "").
guest() {
	if [ "$perf_ok" = 1 ]; then
		out=$(perf stat -x, -o "$tmp/perf" -e kvm:kvm_userspace_exit \
			-e kvm:kvm_msi_set_irq -- "$RUN" --accel kvm --timeout 120 "$@" 2>&1)
		rc=$?
		uexits=$(awk -F, '$3 == "kvm:kvm_userspace_exit" { print $1 }' "$tmp/perf")
		msis=$(awk -F, '$3 == "kvm:kvm_msi_set_irq" { print $1 }' "$tmp/perf")
	else
		out=$("$RUN" --accel kvm --timeout 120 "$@" 2>&1)
		rc=$?
	fi
}

guest hello
is "hello under QEMU+KVM: exit 0" 0 "$rc"
like "hello: entered by PVH, knows it runs under QEMU" \
	"hello from vCPU 0 \(APIC ID 0, (x2APIC|xAPIC), QEMU\)" "$out"
base_uexits=${uexits:-}
like "hello: the CPU model QEMU ran is named (chosen by what KVM accepts)" \
	"^run-guest-qemu: .*QEMU -accel kvm -cpu [a-z0-9,-]+$" "$out"
note "$(printf '%s\n' "$out" | grep '^run-guest-qemu: ')"

guest --smp 2 smp
is "two vCPUs (AP started from the MADT) each take their own interrupt: exit 0" 0 "$rc"
like "smp: says so" "smp: 2 vCPUs each took their own interrupt" "$out"

guest pf
is "#PF: guest failure exit 1" 1 "$rc"
like "#PF: CR2 reported" \
	"exception #PF \(vector 14\) error 0x0 at RIP 0x[0-9a-f]+ CR2 0x8000000000" "$out"

guest costs samples=$N
is "costs under QEMU+KVM: exit 0" 0 "$rc"
[ "$rc" = 0 ] || diag "$out"
for op in pio-exit-to-user mmio-exit-to-user eoi syscall-roundtrip mmio-doorbell-msi; do
	like "costs: $op row, $N samples, positive median and p99" \
		"^cost: $op samples=$N median=[1-9][0-9]* p99=[1-9][0-9]* cycles$" "$out"
done
like "costs: host-timed MSI row is n/a with its reason" "^cost: msi-to-handler n/a \(.+\)$" "$out"

if [ "$perf_ok" = 1 ] && [ -n "$base_uexits" ] && [ -n "$uexits" ]; then
	extra=$((uexits - base_uexits))
	note "user-space exits: hello $base_uexits, costs $uexits; KVM MSIs in costs: $msis"
	check "costs: >= $((3 * N)) user-space exits beyond hello's (got $extra)" \
		[ "$extra" -ge $((3 * N)) ]
	check "costs: >= $N KVM MSIs, one per doorbell write (got $msis)" [ "$msis" -ge "$N" ]
else
	skip "perf cannot count kvm tracepoints here (user-space exits)"
	skip "perf cannot count kvm tracepoints here (KVM MSIs)"
fi
done_testing
