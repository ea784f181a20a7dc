#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: one runner per results directory. While something holds a
# run's lock (flock(1) on the directory, what a running run-experiment.sh
# holds), `run-experiment.sh --resume DIR` is refused: exit 2, one line
# naming DIR and the other runner, and DIR untouched. Once the lock is free
# the same command goes ahead. (tests/kvm/experiment.t refuses a --resume
# during a real run.) Nothing here needs KVM.

. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/tests/lib/synth.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool flock

plan 6
t=$(mktemp -d)
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; rm -rf "$t"' EXIT

# A finished run whose meta matches this machine, so that --resume, once
# let in, only says there is nothing to resume.
synth_run "$t/r" lock
emulated=0
kvm_usable || emulated=1
sed -i "s/^emulated\t.*/emulated\t$emulated/" "$t/r/meta"
cp "$t/r/meta" "$t/meta.before"

# The holder: a process with the directory open and locked, as a runner is.
(exec 9< "$t/r" && flock 9 && exec sleep 60) &
holder=$!
i=0
until ! flock -n "$t/r" true 2>/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
usage_error "--resume while another runner holds DIR" \
	"^run-experiment: $t/r: another run-experiment is writing it \(locked\): wait for it to end, or stop it$" \
	scripts/run-experiment.sh --resume "$t/r" --no-plot
check "... DIR untouched (meta as it was)" cmp -s "$t/meta.before" "$t/r/meta"
kill "$holder"
wait "$holder" 2>/dev/null
holder=

err=$(scripts/run-experiment.sh --resume "$t/r" --no-plot 2>&1)
is "once the lock is free, --resume goes ahead (exit 0)" 0 "$?"
like "... and finds the run complete" "is complete; nothing to resume" "$err"
done_testing
