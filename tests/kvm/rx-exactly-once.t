#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 70
#
# Description: real UDP traffic from udpgen through vmm-mini's virqnet device
# into the guest, in the conventional inject mode and in the masked
# direct-read mode, at a low, a medium and an overload rate. Below capacity
# every datagram is delivered exactly once, in order and intact (verified by
# the guest); at overload the drops are counted by reason; and in every run
# sent = delivered + dropped holds. Also: a stress run that makes the guest
# flip between draining and idling after every packet strands nothing, and
# the sink mode's accounting; a guest stalled on purpose while masked
# (stall_after) is reported by vmm-mini with the flag state and the vCPU's
# state (where it sleeps, its LAPIC) and still accounted; hobble=1 costs an
# MMIO exit per packet. Counts scale with RX_COUNT (default: 5000 natively,
# 2000 in the emulated sandbox, where inject saturates near 1000 pps). The
# guest checks every datagram's sequence and payload, so 5000 packets wrap
# its 1024-entry ring about five times, each wrap-around path many times
# over; 20,000 (before 2026-12-01) made this file 40 s of make check's 10 min.

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/tests/lib/rx.sh"
trap rx_cleanup EXIT

rx_counts 5000
plan 50
note "kvm: $KVM_WHERE ($flavour); $n packets per run"

for mode in inject mask-direct; do
	rx_run "$mode" "$low" "$n"
	rx_lossless "$mode at $low pps"
	[ "$mode" = inject ] && inject_irqs=$(col irqs_raised)
	rx_run "$mode" "$med" "$n" --pattern poisson
	rx_lossless "$mode at $med pps (poisson)"
	rx_run "$mode" 0 "$n"
	is "$mode at overload: exit 0 (accounting holds)" 0 "$rx_rc"
	[ "$rx_rc" = 0 ] || diag "$rx_out"
	is "$mode at overload: sent = delivered + dropped" "$(col sent)" \
		"$(( $(col delivered) + $(col dropped) ))"
	note "$mode overload: sent $(col sent) delivered $(col delivered) dropped $(col dropped)" \
		"(ring full $(col drop_ring_full), never arrived $(col drop_seq_gap))"
done

is "inject raises one interrupt per packet (at $low pps)" "$n" "$inject_irqs"

RX_VMM_ARGS="--args budget=1" rx_run mask-direct "$med" "$n" --pattern poisson
rx_lossless "flip stress (budget=1): nothing stranded"
passes=$(col drain_passes)
check "flip stress: at least one unmask-and-look per packet ($passes passes)" \
	[ "$passes" -ge "$n" ]

# mask-poll: the consumer stays masked and polls before it sleeps; arrivals
# within the window need no interrupt, and none is stranded.
RX_VMM_ARGS="--poll-us 20000" rx_run mask-poll "$low" "$n"
rx_lossless "polling 20 ms (poll_us=20000) at $low pps"
irqs=$(col irqs_raised)
check "polling at $low pps: at most one interrupt per 100 packets ($irqs for $n)" \
	[ "$((irqs * 100))" -le "$n" ]

# A guest that stops consuming while masked (stall_after: the stall in README
# "Known issues", on purpose): vmm-mini names it with the device's flag state,
# counts the rest as ring-full drops, and the accounting still holds.
RX_VMM_ARGS="--args stall_after=100" rx_run mask-direct "$low" 2000
is "stalled guest: exit 0, accounting holds" "0 2000" "$rx_rc $(($(col delivered) + $(col dropped)))"
like "stalled guest: vmm-mini reports the undrained ring and the flags" \
	'the guest left the ring undrained for 10 s: .*pending 1, masked 1' "$rx_out"
check "stalled guest: the rest counted as ring full ($(col drop_ring_full))" \
	[ "$(col drop_ring_full)" -gt 0 ]
# The stalled consumer sleeps in rx_wait's HLT (ring 0, IF=1) with nothing
# pending in the LAPIC, and the kick that took the snapshot does not wake it.
like "stalled guest: the target vCPU is halted in ring 0, vector neither in IRR nor ISR" \
	'vCPU 0: RIP 0x[0-9a-f]+ CPL 0 IF 1 halted; .*irr 0 isr 0' "$rx_out"
rip=$(printf '%s\n' "$rx_out" | sed -n 's/.*vCPU 0: RIP 0x\([0-9a-f]*\) .*/\1/p' | head -n 1)
is "stalled guest: its RIP (0x$rip) lies in sys_rx_wait" sys_rx_wait \
	"$(nm -n "$VIRQLAB_ROOT/build/guest.elf" | awk -v rip="$rip" '
		function hex(s,  i, v) { v = 0; s = tolower(s)
			for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
			return v }
		$2 ~ /^[tT]$/ && hex($1) <= hex(rip) { sym = $3 } END { print sym }')"
like "stalled guest: a kick does not wake it" \
	'after the kick the guest consumed 0 more \(ring still undrained\)' "$rx_out"
# ... and prints the guest's handshake trace: interrupts, looks and sleeps.
like "stalled guest: the guest's handshake trace is printed" \
	"the guest's last 24 handshake steps.* isr a 0x[0-9a-f]* b 0x.* look a 0x.* sleep a 0x" "$(printf '%s\n' "$rx_out" | tr '\n' ' ')"

# hobble=1 (the regression knob of workloads/README.md): one MMIO exit more
# per packet, on every flavour (a register read: CPUID in ring 3 is no exit on
# PVM). Counted by vmm-mini's own exit loop, which all exits pass through.
rx_run mask-direct "$low" 500
plain=$(col exits_user_mmio)
RX_VMM_ARGS="--args hobble=1" rx_run mask-direct "$low" 500
lossless_n() { is "$1: delivered = sent = 500, no drops" "500 500 0" "$(col sent) $(col delivered) $(col dropped)"; }
lossless_n "hobbled mask-direct"
check "hobble=1: at least 500 more MMIO exits for 500 packets ($plain -> $(col exits_user_mmio))" \
	[ "$(col exits_user_mmio)" -ge $((plain + 500)) ]

# A datagram larger than the guest's 2048-byte buffers is dropped and counted.
rx_run mask-direct 500 100 --size 4000
is "too big: 100 dropped as too big, none delivered, accounting holds" "0 100 100 0" \
	"$rx_rc $(col drop_too_big) $(col dropped) $(col delivered)"

rx_run sink 0 "$n"
is "sink: exit 0" 0 "$rx_rc"
is "sink: sent = delivered + dropped" "$(col sent)" "$(( $(col delivered) + $(col dropped) ))"
is "sink: no guest interrupts" 0 "$(col irqs_raised)"

# The stats file: one # header line, one row, the documented columns.
hdr=$(head -1 "$rx_stats")
for c in mode sent delivered dropped delivered_pps irqs_raised irqs_suppressed exits \
	irqs_per_pkt exits_per_pkt lat_p50_ns lat_p99_ns; do
	like "stats column $c" "(^#|	)$c(	|\$)" "$hdr"
done
done_testing
