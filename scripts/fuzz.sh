#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fuzz.sh - run the device model's libFuzzer harnesses, one after the
# other: virqnet (build/tests/fuzz-virqnet, tests/fuzz/virqnet_fuzz.c: the
# virqnet ring, every mode but virtio) and virtio (build/tests/fuzz-virtio,
# tests/fuzz/virtio_fuzz.c: the virtio-net device), each for FUZZ_RUNS
# executions (default 1000000), stopping after FUZZ_SECONDS (default 900)
# at most, from its kept corpus tests/fuzz-corpus/NAME/ (build/fuzz-work/
# NAME/ holds what this run finds). Then merges into tests/fuzz-corpus/
# NAME/ every new input that reaches code the kept ones do not, for `make
# check` to replay (tests/host/fuzz-replay.t). A crash, a sanitizer report,
# a double fetch, a broken invariant or a re-entered device leaves its
# input in build/fuzz-artifacts/NAME/: keep it in tests/fuzz-corpus/NAME/
# once the bug is fixed. Prints one summary line per harness; the whole
# logs are build/fuzz-NAME.log.
#
# Exit: 0 at least FUZZ_RUNS executions of each and no finding; 1 a
# finding, or fewer executions than asked within the time bound; 2 usage;
# 3 a harness not built.

set -u
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/fuzz.sh
       scripts/fuzz.sh --help | --version

Run the device model's libFuzzer harnesses (README.md, "The device model,
fuzzed"), virqnet (build/tests/fuzz-virqnet, tests/fuzz/virqnet_fuzz.c)
then virtio (build/tests/fuzz-virtio, tests/fuzz/virtio_fuzz.c), each from
its kept corpus tests/fuzz-corpus/NAME/, then merge into it every new
input that reached code the kept ones do not. Prints libFuzzer's last line
and one summary per harness, "fuzz: NAME: N executions in S s, C crashes
(exit R); ..."; the whole logs are build/fuzz-NAME.log, what a finding
left in build/fuzz-artifacts/NAME/.

Options:
  --help      this help
  --version   print "fuzz.sh (virqlab) REVISION"

Environment:
  FUZZ_RUNS=N           executions of each harness (default 1000000)
  FUZZ_SECONDS=S        at most this long, each (default 900)
  FUZZ_HARNESSES=LIST   which, in order (default "virqnet virtio")

Exit: 0 at least FUZZ_RUNS executions of each and no finding; 1 a finding,
or fewer executions than asked within FUZZ_SECONDS; 2 usage; 3 a harness
not built.

Examples:
  make fuzz
  FUZZ_RUNS=100000 FUZZ_SECONDS=120 scripts/fuzz.sh
  FUZZ_HARNESSES=virtio scripts/fuzz.sh
USAGE
}

case "${1:-}" in
--version) exec scripts/lib/version.sh fuzz.sh ;;
-h|--help) usage; exit 0 ;;
"") ;;
-*) echo "fuzz.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
*) echo "fuzz.sh: unexpected argument '$1' (see --help)" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "fuzz.sh: unexpected argument '$2' (see --help)" >&2; exit 2; }

BUILD=${BUILD:-build}
runs=${FUZZ_RUNS:-1000000} secs=${FUZZ_SECONDS:-900}
harnesses=${FUZZ_HARNESSES:-virqnet virtio}
rc_all=0
for h in $harnesses; do
	[ -x "$BUILD/tests/fuzz-$h" ] ||
		{ echo "fuzz.sh: $BUILD/tests/fuzz-$h: not built (make: needs clang's libFuzzer)" >&2
		  exit 3; }
done
for h in $harnesses; do
	bin=$BUILD/tests/fuzz-$h corpus=tests/fuzz-corpus/$h work=$BUILD/fuzz-work/$h
	art=$BUILD/fuzz-artifacts/$h log=$BUILD/fuzz-$h.log
	mkdir -p "$corpus" "$work" "$art"
	before=$(ls "$corpus" | wc -l)
	old_art=$(ls "$art" | wc -l)

	t0=$(date +%s)
	# New inputs go to the first directory; both seed the run.
	"$bin" -runs="$runs" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$art/" "$work" "$corpus" > "$log" 2>&1
	rc=$?
	t1=$(date +%s)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	crashes=$(($(ls "$art" | wc -l) - old_art))
	"$bin" -merge=1 -max_len=4096 "$corpus" "$work" >> "$log" 2>&1
	after=$(ls "$corpus" | wc -l)

	grep -E '^Done [0-9]+ runs' "$log" | tail -1
	echo "fuzz: $h: ${execs:-0} executions in $((t1 - t0)) s, $crashes crashes (exit $rc);" \
		"$corpus: $after inputs ($((after - before)) new)"
	if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
		echo "fuzz.sh: $h: a finding: $(grep -m1 -E 'ERROR|-fuzz:|SUMMARY' "$log"); inputs in $art/" >&2
		rc_all=1
	elif [ "${execs:-0}" -lt "$runs" ]; then
		echo "fuzz.sh: $h: only ${execs:-0} of $runs executions within $secs s (FUZZ_SECONDS)" >&2
		rc_all=1
	fi
done
exit $rc_all
