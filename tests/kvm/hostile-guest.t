#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 5
#
# Description: a hostile guest (guest-kernel-patch/tests/hostile.c) writes
# out-of-range ring sizes, indices, lengths and addresses and misuses the
# registers of the virqnet device. vmm-mini must refuse each one with a
# counted error and a message, keep running, and never read or write outside
# guest RAM: the same run under AddressSanitizer must stay clean.
# The same for the virtio-net device of --mode virtio (tests/hostile_virtio.c).

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
. "$VIRQLAB_ROOT/tests/lib/rx.sh"

plan 18
note "kvm: $KVM_WHERE ($(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh"))"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for vmm in vmm-mini vmm-mini-asan; do
	out=$(ASAN_OPTIONS=detect_leaks=0 "$BUILD/$vmm" --test hostile --mode mask-direct \
		--source "udp:127.0.0.1:$((21000 + $$ % 20000))" --duration 30 --timeout 120 \
		--stats "$dir/$vmm.tsv" 2>&1)
	rc=$?
	is "$vmm: guest finished, every attack refused (exit 0)" 0 "$rc"
	[ "$rc" = 0 ] || diag "$out"
	like "$vmm: a bad ring size is named" \
		"virqnet: guest error: ring size 7 is not a power of two" "$out"
	like "$vmm: a ring outside RAM is named" "ring 0x[0-9a-f]+.* outside guest RAM" "$out"
	errs=$(col guest_errors "$dir/$vmm.tsv")
	check "$vmm: at least 22 guest errors counted ($errs)" [ "${errs:-0}" -ge 22 ]
	is "$vmm: no AddressSanitizer report" "" "$(printf '%s\n' "$out" | grep -m1 AddressSanitizer)"
done

# The same for the virtio-net device (--mode virtio, tests/hostile_virtio.c):
# features, status order, queue setup, register widths, and bad chains on a
# live queue (indices, heads, addresses, loops, flags, double posts, MSI-X).
for vmm in vmm-mini vmm-mini-asan; do
	out=$(ASAN_OPTIONS=detect_leaks=0 "$BUILD/$vmm" --test hostile-virtio --mode virtio \
		--source "udp:127.0.0.1:$((22000 + $$ % 20000))" --duration 30 --timeout 120 \
		--stats "$dir/virtio-$vmm.tsv" 2>&1)
	rc=$?
	is "$vmm virtio: guest finished, every attack refused (exit 0)" 0 "$rc"
	[ "$rc" = 0 ] || diag "$out"
	like "$vmm virtio: an unoffered feature is named" "guest error: virtio-net: driver features .*bits that were not offered" "$out"
	errs=$(col guest_errors "$dir/virtio-$vmm.tsv")
	check "$vmm virtio: at least 21 guest errors counted ($errs)" [ "${errs:-0}" -ge 21 ]
	is "$vmm virtio: no AddressSanitizer report" "" "$(printf '%s\n' "$out" | grep -m1 AddressSanitizer)"
done
done_testing
