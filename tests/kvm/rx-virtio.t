#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 34
#
# Description: --mode virtio, vmm-mini's virtio-net device (virtio 1.x over
# PCI, split receive queue, VIRTIO_F_EVENT_IDX, MSI-X) with the guest's
# NAPI-style driver, on real UDP traffic from udpgen at a low, a medium
# (poisson) and an overload rate. Below capacity every datagram is delivered
# exactly once, in order and intact, with one latency sample each; at
# overload the drops are counted and sent = delivered + dropped holds. The
# event index is visible in the counts: every packet either raised the
# interrupt or was suppressed, and under load far fewer than one interrupt
# per packet is raised; the hot path makes no exit to user space. A driver
# that re-arms after every buffer (budget=1) strands nothing; buffers made of
# two descriptors (split=1) are filled as one. A datagram
# larger than the driver's buffers is dropped and counted. Counts scale with
# RX_COUNT (default 5000 natively, 2000 in the emulated sandbox).

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/tests/lib/rx.sh"
trap rx_cleanup EXIT

# 5000 packets natively wrap the 1024-entry queue (512 buffers with split=1)
# about five times (ten); 20,000 (before 2026-12-01) cost 30 s more of make
# check's 10 minutes and no other path.
rx_counts 5000
plan 27
note "kvm: $KVM_WHERE ($flavour); $n packets per run"

rx_run virtio "$low" "$n"
rx_lossless "virtio at $low pps"
is "virtio at $low pps: the stats say mode virtio" virtio "$(col mode)"
is "virtio at $low pps: one latency sample per packet" "$n" "$(col lat_samples)"
is "virtio at $low pps: every packet raised the interrupt or was suppressed by the event index" \
	"$n" "$(( $(col irqs_raised) + $(col irqs_suppressed) ))"
# The driver's only user-space exits are its setup and a notification when
# the device ran out of buffers; none per packet.
check "virtio at $low pps: no user-space exit per packet ($(col exits_user) for $n)" \
	[ "$(col exits_user)" -le 10 ]

rx_run virtio "$med" "$n" --pattern poisson
rx_lossless "virtio at $med pps (poisson)"
note "virtio at $med pps: irqs/pkt $(col irqs_per_pkt), exits/pkt $(col exits_per_pkt)"

rx_run virtio 0 "$n"
is "virtio at overload: exit 0 (accounting holds)" 0 "$rx_rc"
[ "$rx_rc" = 0 ] || diag "$rx_out"
is "virtio at overload: sent = delivered + dropped" "$(col sent)" \
	"$(( $(col delivered) + $(col dropped) ))"
is "virtio at overload: guest saw no reordering, duplicates or corruption" "0 0 0" \
	"$(col guest_out_of_order) $(col guest_duplicate) $(col guest_corrupt)"
irqs=$(col irqs_raised) del=$(col delivered)
check "virtio at overload: the event index holds interrupts well below one per packet ($irqs for $del)" \
	[ "$((irqs * 4))" -lt "$del" ]
check "virtio at overload: and says so ($(col irqs_suppressed) suppressed)" \
	[ "$(col irqs_suppressed)" -gt "$((del / 2))" ]
# Out of buffers the device keeps the wire drained and re-reads the
# available ring itself: it never asks the driver for a notification (an exit).
check "virtio at overload: no notification exits ($(col exits_user_mmio) MMIO exits to user space)" \
	[ "$(col exits_user_mmio)" -le 10 ]
note "virtio overload: sent $(col sent) delivered $del dropped $(col dropped)" \
	"(ring full $(col drop_ring_full)); irqs/pkt $(col irqs_per_pkt), exits/pkt $(col exits_per_pkt)"

# budget=1: the driver re-arms used_event and looks again after every
# buffer, flipping between polling and sleeping as fast as it can: the
# stress test of the no-lost-wakeup argument (drivers/virtio_net_napi.c).
RX_VMM_ARGS="--args budget=1" rx_run virtio "$med" "$n" --pattern poisson
rx_lossless "flip stress (budget=1): nothing stranded"
passes=$(col drain_passes)
check "flip stress: at least one re-arm and look per packet ($passes passes)" [ "$passes" -ge "$n" ]

# split=1: every buffer a chain of two descriptors over the same bytes (64,
# then the rest): the device fills it through a bounce buffer, scattering the
# header and the datagram across both (2.7.4 Message Framing).
RX_VMM_ARGS="--args split=1" rx_run virtio "$low" "$n"
rx_lossless "two-descriptor chains (split=1) at $low pps"

# A datagram larger than the driver's 2058-byte payload room.
rx_run virtio 500 100 --size 4000
is "too big: 100 dropped as too big, none delivered, accounting holds" "0 100 100 0" \
	"$rx_rc $(col drop_too_big) $(col dropped) $(col delivered)"

# The same receive path under AddressSanitizer: the device's guest-memory
# accesses stay inside what it validated.
asan=$(mktemp -d)
for f in udpgen guest.elf; do ln -s "$BUILD/$f" "$asan/$f"; done
ln -s "$BUILD/vmm-mini-asan" "$asan/vmm-mini"
native=$BUILD BUILD=$asan RX_WRAP="env ASAN_OPTIONS=detect_leaks=0"
rx_run virtio "$low" 1000
BUILD=$native RX_WRAP=
is "under ASan: delivered = sent = 1000, exit 0" "0 1000 1000" "$rx_rc $(col sent) $(col delivered)"
is "under ASan: no AddressSanitizer report" "" "$(printf '%s\n' "$rx_out" | grep -m1 AddressSanitizer)"
rm -rf "$asan"

# An unknown mode is refused naming the table, virtio in it.
like "--mode lists virtio" "expected one of .*virtio" \
	"$("$BUILD/vmm-mini" --mode nosuch --test hello 2>&1)"
done_testing
