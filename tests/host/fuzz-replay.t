#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: every input the device model's fuzzers ever kept
# (tests/fuzz-corpus/NAME/, `make fuzz`) replays through its harness
# (tests/fuzz/NAME_fuzz.c: virqnet, the ring and its modes; virtio, the
# virtio-net device) under AddressSanitizer and UBSan with no finding: no
# memory error, no undefined behaviour, no guest-memory field fetched twice
# in one call into the device, no re-entered device, and the device's
# invariants (every buffer in one place, every arrival counted once, for
# virtio no write outside a used ring or a buffer the guest gave) after
# every operation. The replayers are build/tests/fuzz-replay-NAME, built by
# the ordinary compiler without libFuzzer, so this runs wherever make does.
# Each corpus must reach what its harness is for: every mode of the table
# publishes (or, sink, discards) datagrams and takes buffers back; virtio
# publishes and interrupts with and without VIRTIO_F_EVENT_IDX, suppresses
# interrupts with it, and refuses what a hostile guest does.

. "$(dirname "$0")/../lib/tap.sh"

cd "$VIRQLAB_ROOT" || exit 1
require_file "$BUILD/tests/fuzz-replay-virqnet" "make builds the fuzz replayers"
require_file "$BUILD/tests/fuzz-replay-virtio" "make builds the fuzz replayers"
plan 16

# replay NAME: run its corpus; sets n, out, rc.
replay() {
	n=$(find "tests/fuzz-corpus/$1" -type f ! -name '.*' | wc -l)
	out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		VIRQNET_FUZZ_SUMMARY=1 "$BUILD/tests/fuzz-replay-$1" "tests/fuzz-corpus/$1" 2>&1)
	rc=$?
	check "tests/fuzz-corpus/$1 holds inputs ($n)" [ "$n" -ge 10 ]
	is "every kept $1 input replays: exit 0" 0 "$rc"
	[ "$rc" = 0 ] || printf '%s\n' "$out" | grep -v '^mode \|^virtio ' | tail -20 | sed 's/^/# /'
	like "... all $n of them" "^replayed $n inputs\$" "$(printf '%s\n' "$out" | tail -1)"
	is "... no sanitizer report" "" "$(printf '%s\n' "$out" |
		grep -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' | head -1)"
}

# reached KEY MODE FIELD [WHERE]: the most any kept input of MODE got in
# FIELD (KEY: the summary line's first word), among lines where field
# WHERE is 1 if given.
reached() {
	printf '%s\n' "$out" | awk -v k="$1" -v m="$2" -v f="$3" -v w="${4:-}" '
		$1 == k && (k != "mode" || $2 == m) {
			ok = w == ""; v = 0
			for (i = 2; i < NF; i++) {
				if ($i == f) v = $(i + 1)
				if ($i == w && $(i + 1) == 1) ok = 1
			}
			if (ok && v > max) max = v
		}
		END { print max + 0 }'
}

replay virqnet
bad=
for m in inject coalesce mask-direct mask-poll; do
	[ "$(reached mode "$m" published)" -gt 0 ] && [ "$(reached mode "$m" consumed)" -gt 0 ] ||
		bad="$bad $m"
done
is "inject, coalesce, mask-direct and mask-poll each publish and take buffers back" "" "$bad"
check "sink discards ($(reached mode sink sink)) and ends the run itself" \
	[ "$(reached mode sink sink)" -gt 0 -a "$(reached mode sink ends)" -gt 0 ]
check "mask-direct suppresses interrupts ($(reached mode mask-direct suppressed))" \
	[ "$(reached mode mask-direct suppressed)" -gt 0 ]
check "coalesce shares interrupts ($(reached mode coalesce coalesced))" \
	[ "$(reached mode coalesce coalesced)" -gt 0 ]

replay virtio
noevent=$(printf '%s\n' "$out" | awk '$1 == "virtio" && $13 == 0 && $5 > 0 && $7 > 0' | wc -l)
check "virtio publishes and interrupts without VIRTIO_F_EVENT_IDX ($noevent inputs)" \
	[ "$noevent" -gt 0 ]
pub=$(reached virtio - published event_idx) sup=$(reached virtio - suppressed event_idx)
check "virtio publishes ($pub) and suppresses interrupts ($sup) with VIRTIO_F_EVENT_IDX" \
	[ "$pub" -gt 0 -a "$sup" -gt 0 ]
kicks=$(reached virtio - kicks)
check "virtio takes transmit chains ($kicks notifications)" [ "$kicks" -gt 0 ]
errs=$(reached virtio - guest_errors)
check "virtio refuses what a hostile guest does ($errs guest errors)" [ "$errs" -gt 0 ]

done_testing
