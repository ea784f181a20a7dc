#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 16
#
# Description: adaptive (vmm-mini --mode adaptive), interrupt-driven at low
# arrival rates and polling at high ones, switching on the rate the guest
# consumer measures, with hysteresis (the rule:
# guest-kernel-patch/drivers/virqnet_adaptive.c). One run steps the load up
# and down (udpgen --steps): the consumer starts polling when the load
# rises past adaptive_up_pps and stops when it falls back under
# adaptive_down_pps, and every datagram is still delivered exactly once, in
# order. A load that stays under the threshold never starts polling. The
# rates are per flavour: in the emulated sandbox mask-direct is lossless to
# about 16,000 pps (results/examples/saturation-svm-emulated), natively on
# PVM to about 160,000; the high step stays far below both.

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/tests/lib/rx.sh"
trap rx_cleanup EXIT

plan 12
flavour=$(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh")
if [ "$KVM_WHERE" = sandbox ]; then
	low=200 high=5000 up=2000 down=800
else
	low=500 high=8000 up=4000 down=1500
fi
# low for 1.5 s, high for 2 s, low for 1.5 s
nlow=$((low * 3 / 2)) nhigh=$((high * 2))
total=$((2 * nlow + nhigh))
note "kvm: $KVM_WHERE ($flavour); steps $low:$nlow,$high:$nhigh,$low:$nlow; up $up, down $down pps"

RX_VMM_ARGS="--adaptive-up-pps $up --adaptive-down-pps $down" \
	rx_run adaptive "steps=$low:$nlow,$high:$nhigh,$low:$nlow" "$total"
is "step up and down: vmm-mini exit 0, accounting ok" "0 ok" "$rx_rc $(col accounting)"
[ "$rx_rc" = 0 ] || diag "$rx_out"
is "... sent = delivered + dropped" "$(col sent)" "$(( $(col delivered) + $(col dropped) ))"
is "... all $total delivered once, in order, intact; none dropped" "$total $total 0 0 0 0" \
	"$(col sent) $(col delivered) $(col dropped) $(col guest_out_of_order) $(col guest_duplicate) $(col guest_corrupt)"
is "... the stats name the mode and its thresholds" "adaptive $up $down" \
	"$(col mode) $(col adaptive_up_pps) $(col adaptive_down_pps)"
up_n=$(col poll_switches_up) down_n=$(col poll_switches_down)
note "switches: $up_n up, $down_n down; irqs_per_pkt $(col irqs_per_pkt), exits_per_pkt $(col exits_per_pkt)"
check "... it started polling when the load rose ($up_n switches up)" test "$up_n" -ge 1
check "... and stopped when it fell ($down_n switches down)" test "$down_n" -ge 1
# Each stop follows a start: down is up or one less (still polling at the end).
check "... every stop followed a start ($up_n up, $down_n down)" \
	test "$down_n" -le "$up_n" -a "$down_n" -ge $((up_n - 1))
like "... and said so" "adaptive: polling from $up pps, back to interrupts at $down pps: $up_n switches up, $down_n down" "$rx_out"

# The low rate alone: under the threshold all along, never polling.
RX_VMM_ARGS="--adaptive-up-pps $up --adaptive-down-pps $down" \
	rx_run adaptive "steps=$low:$((2 * nlow))" $((2 * nlow))
is "low load only: vmm-mini exit 0, all delivered" "0 $((2 * nlow))" "$rx_rc $(col delivered)"
[ "$rx_rc" = 0 ] || diag "$rx_out"
is "... never started polling" "0 0" "$(col poll_switches_up) $(col poll_switches_down)"

# Other modes report no switches, and the thresholds are adaptive's alone.
rx_run mask-direct "steps=$low:$nlow" "$nlow"
is "mask-direct: no switches reported" "0 0 0" "$rx_rc $(col poll_switches_up) $(col poll_switches_down)"
usage_rc=$("$BUILD/vmm-mini" --source udp:127.0.0.1:9 --count 1 --mode adaptive \
	--adaptive-up-pps 100 --adaptive-down-pps 100 2>&1 >/dev/null; echo "rc $?")
like "down >= up is a usage error (the hysteresis)" "must be below --adaptive-up-pps 100.*rc 2 ?$" \
	"$(printf '%s\n' "$usage_rc" | tr '\n' ' ')"

done_testing
