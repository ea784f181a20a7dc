#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: the guest kernel's self-tests that need no vmm-mini, run under
# QEMU's TCG through the PVH entry (scripts/run-guest-qemu.sh), so that the
# guest is checked on any machine: exceptions reported with vector, error
# code, RIP and CR2 in vmm-mini's words; exceptions caught and resumed; LAPIC
# timer and self-IPIs (xAPIC, as TCG has no x2APIC); ring 3 with a syscall
# round trip and an interrupt taken there; a failing assert carrying
# file:line; boot arguments from -append; APs started by INIT-SIPI-SIPI from
# the MADT, each taking an interrupt sent to its own APIC ID; and the
# exit-code contract: 0 pass, 1 guest failure, 4 skip for tests that need
# vmm-mini (or KVM: costs), 124 timeout, 3 for a guest that dies without a
# verdict.

. "$(dirname "$0")/../lib/tap.sh"

require_tool qemu-system-x86_64
RUN=$VIRQLAB_ROOT/scripts/run-guest-qemu.sh
plan 35

# guest [OPTIONS] TEST [key=value...]: sets rc and out (console and diagnostics).
guest() {
	out=$("$RUN" --timeout "${GUEST_TIMEOUT:-20}" "$@" 2>&1)
	rc=$?
}

guest hello
is "hello: exit 0" 0 "$rc"
like "hello: the console reaches the host, from the PVH entry" \
	"hello from vCPU 0 \(APIC ID 0, x?APIC, QEMU\)" "$out"

guest de
is "#DE: guest failure exit 1" 1 "$rc"
like "#DE: vector, error code and RIP in vmm-mini's words" \
	"^guest exception #DE \(vector 0\) error 0x0 at RIP 0x[0-9a-f]+ CR2 0x0 on vCPU 0$" \
	"$out"

guest ud
is "#UD: guest failure exit 1" 1 "$rc"
like "#UD: vector 6 reported" "guest exception #UD \(vector 6\) error 0x0 at RIP 0x[0-9a-f]+" "$out"

guest pf
is "#PF: guest failure exit 1" 1 "$rc"
like "#PF: not-present read error code and CR2 reported" \
	"exception #PF \(vector 14\) error 0x0 at RIP 0x[0-9a-f]+ CR2 0x8000000000 on vCPU 0" \
	"$out"

guest exc-recover
is "#DE, #UD, #PF caught by fixups and resumed: exit 0" 0 "$rc"
[ "$rc" = 0 ] || diag "$out"

guest timer
is "LAPIC timer: exit 0" 0 "$rc"
like "LAPIC timer: 20 ticks while idling" "timer: 20 ticks" "$out"

guest self-ipi
is "self-IPIs: exit 0" 0 "$rc"
like "self-IPIs: all 1000 arrive" "self-ipi: 1000 of 1000 arrived" "$out"

guest self-ipi count=7
like "key=value boot arguments reach the guest" "self-ipi: 7 of 7 arrived" "$out"

guest user
is "ring 3, syscalls and an interrupt in ring 3: exit 0" 0 "$rc"
like "ring 3 SYS_write reaches the console" "hello from ring 3" "$out"
[ "$rc" = 0 ] || diag "$out"

guest assert
is "failing guest assert: exit 1" 1 "$rc"
like "failing guest assert carries file:line, expression and values" \
	"^guest assert failed on vCPU 0 at tests/assert\.c:[0-9]+: 1 \+ 1 == 3 failed: 2 \(0x2\)" \
	"$out"

guest no-such-test
is "unknown self-test: exit 1" 1 "$rc"
like "unknown self-test is named" "unknown test 'no-such-test'" "$out"

guest msi
is "msi needs vmm-mini: skip exit 4" 4 "$rc"
like "msi: the skip says why" "guest skipped the test: 'msi' needs vmm-mini" "$out"

guest --smp 4 hello
is "four vCPUs: the BSP starts the APs it finds in the MADT: exit 0" 0 "$rc"
is "four vCPUs: each says hello" "0 1 2 3" \
	"$(printf '%s\n' "$out" | sed -n 's/^hello from vCPU \([0-9]\) .*/\1/p' | sort |
		tr '\n' ' ' | sed 's/ $//')"

guest --smp 2 smp
is "smp: two vCPUs each take an interrupt sent to their own APIC ID: exit 0" 0 "$rc"
like "smp: says so" "smp: 2 vCPUs each took their own interrupt" "$out"

guest smp
is "smp with one vCPU: guest failure exit 1" 1 "$rc"

guest costs
is "costs under TCG: skip exit 4" 4 "$rc"
like "costs under TCG: the skip says there are no exits to time" \
	"'costs' under QEMU needs KVM: TCG has no exits to time" "$out"

guest irq-storm
is "irq-storm needs vmm-mini: skip exit 4" 4 "$rc"

GUEST_TIMEOUT=2 guest idle
is "a guest that never finishes: --timeout gives 124" 124 "$rc"
like "--timeout says so" "--timeout 2 s expired" "$out"

guest triple-fault
is "triple fault: no verdict, exit 3" 3 "$rc"
like "triple fault: says the guest stopped without a verdict" "without a verdict" "$out"

is "--help promises no mode=MODE (no test under QEMU reads one)" "" \
	"$("$RUN" --help | grep -o 'mode=MODE')"

done_testing
