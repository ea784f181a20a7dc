#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: every input the device model's fuzzer ever kept
# (tests/fuzz-corpus/, `make fuzz`) replays through the harness
# (tests/fuzz/virqnet_fuzz.c) under AddressSanitizer and UBSan with no
# finding: no memory error, no undefined behaviour, no guest-memory field
# fetched twice in one call into the device, no re-entered device, and the
# device's invariants (every buffer in one place, every arrival counted
# once) after every operation. The replayer is build/tests/fuzz-replay, built by
# the ordinary compiler without libFuzzer, so this runs wherever make does.
# The corpus must reach every mode of the table: each publishes (or, sink,
# discards) datagrams and takes buffers back.

. "$(dirname "$0")/../lib/tap.sh"

cd "$VIRQLAB_ROOT" || exit 1
require_file "$BUILD/tests/fuzz-replay" "make builds the fuzz replayer"
plan 8

n=$(find tests/fuzz-corpus -type f ! -name '.*' | wc -l)
check "tests/fuzz-corpus holds inputs ($n)" [ "$n" -ge 10 ]

out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	VIRQNET_FUZZ_SUMMARY=1 "$BUILD/tests/fuzz-replay" tests/fuzz-corpus 2>&1)
rc=$?
is "every kept input replays: exit 0" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | grep -v '^mode ' | tail -20 | sed 's/^/# /'
like "... all $n of them" "^replayed $n inputs\$" "$(printf '%s\n' "$out" | tail -1)"
is "... no sanitizer report" "" "$(printf '%s\n' "$out" | grep -E 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' | head -1)"

# reached MODE FIELD: the most any kept input of MODE got in FIELD.
reached() {
	printf '%s\n' "$out" | awk -v m="$1" -v f="$2" '$1 == "mode" && $2 == m {
		for (i = 3; i < NF; i += 2) if ($i == f && $(i + 1) > max) max = $(i + 1) }
		END { print max + 0 }'
}
bad=
for m in inject coalesce mask-direct mask-poll; do
	[ "$(reached "$m" published)" -gt 0 ] && [ "$(reached "$m" consumed)" -gt 0 ] ||
		bad="$bad $m"
done
is "inject, coalesce, mask-direct and mask-poll each publish and take buffers back" "" "$bad"
check "sink discards ($(reached sink sink)) and ends the run itself" \
	[ "$(reached sink sink)" -gt 0 -a "$(reached sink ends)" -gt 0 ]
check "mask-direct suppresses interrupts ($(reached mask-direct suppressed))" \
	[ "$(reached mask-direct suppressed)" -gt 0 ]
check "coalesce shares interrupts ($(reached coalesce coalesced))" \
	[ "$(reached coalesce coalesced)" -gt 0 ]

done_testing
