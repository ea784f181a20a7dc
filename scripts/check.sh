#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - run virqlab's TAP suite with prove (make check).
#
# Host tests (tests/host/*.t) run here. KVM tests (tests/kvm/*.t) run where
# KVM is real: natively when /dev/kvm works, otherwise in SVM sandboxes (two
# at once with two CPUs), prove running inside each
# (scripts/lib/check-sandbox.sh: one boot, not one a file; a file that a
# frozen sandbox took with it runs once more in a sandbox of its own, as
# tests/lib/tap.sh:require_kvm does for a file run alone); never a silent
# skip.
#
# Natively the host files run two at a time (but those with a "# serial:"
# header line), then the KVM files one at a time.
#
# Each file runs under scripts/lib/run-one.sh (prove --exec): a time limit
# per file (default 300 s natively, 960 s in the sandbox; "# timeout: N" or
# "# timeout-sandbox: N" in a file's header overrides), the whole process
# group killed on expiry and reported as a failure (exit 124), and the
# kernel log read after each file: a new BUG:, WARNING: or KVM warning fails
# it. prove's summary (Result: PASS/FAIL) still ends the output.
#
# Usage, options and environment: scripts/check.sh --help.

set -eu
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/check.sh [--sandbox] [TEST.t ...]
       scripts/check.sh --help | --version

Run virqlab's TAP suite with prove, one file at a time under
scripts/lib/run-one.sh (a time limit per file, the kernel log checked after
each); without TEST.t, every tests/host/*.t and tests/kvm/*.t. KVM tests run
natively where /dev/kvm works, otherwise inside SVM sandboxes: with two CPUs,
two at once (each file placed by its "# cost-sandbox: N" header), the host
tests here beside them.

Options:
  --sandbox      run only the KVM tests (or the TEST.t given), inside SVM
                 sandboxes as without /dev/kvm
  -h, --help     this text
  --version      print "check.sh (virqlab) REVISION" and exit

Environment: VIRQLAB_HIDE_KVM=1 pretends /dev/kvm is absent;
VIRQLAB_TEST_TIMEOUT, VIRQLAB_TEST_TIMEOUT_SANDBOX: the default limits (s);
VIRQLAB_CHECK_DMESG=0: no kernel-log check; VIRQLAB_CHECK_SERIAL=1: one file
at a time (the host files are otherwise two at a time, those with a "# serial:"
line one after another; without /dev/kvm: the files here, then one sandbox).
VIRQLAB_SANDBOX_LOCK_HELD=1: the caller holds the machine's sandbox lock
(scripts/sandbox.sh --help).

Exit codes: prove's: 0 every file passed, 1 a file failed (or timed out:
124 in its line); 2 usage error (bad option, or TEST.t is no test file).

Examples:
  scripts/check.sh                               # = make check
  scripts/check.sh tests/host/plot.t
  scripts/check.sh --sandbox tests/kvm/costs.t
USAGE
}

die2() {
	echo "check: $*" >&2
	exit 2
}

sandbox=0
case "${1:-}" in
--version) exec scripts/lib/version.sh check.sh ;;
-h|--help) usage; exit 0 ;;
--sandbox) sandbox=1; shift ;;
esac
for t; do
	case "$t" in
	-*) die2 "unknown option '$t' (see --help)" ;;
	*.t) [ -f "$t" ] || die2 "$t: no such test file" ;;
	*) die2 "unexpected argument '$t': not a test file (tests/host/*.t, tests/kvm/*.t; see --help)" ;;
	esac
done
. tests/lib/tap.sh >/dev/null

if [ $# -gt 0 ]; then
	tests="$*"
elif [ "$sandbox" = 1 ]; then
	tests=$(ls tests/kvm/*.t)
else
	tests=$(ls tests/host/*.t tests/kvm/*.t 2>/dev/null)
fi

nkvm=0
nhost=0
for t in $tests; do
	case "$t" in
	*tests/kvm/*) nkvm=$((nkvm + 1)) ;;
	*) nhost=$((nhost + 1)) ;;
	esac
done

native=0
if [ "$sandbox" = 1 ]; then
	export VIRQLAB_FORCE_SANDBOX=1
	where="in SVM sandboxes (forced)"
elif kvm_usable; then
	native=1
	where="natively on /dev/kvm ($(scripts/kvm-flavour.sh 2>/dev/null || echo unknown))"
else
	where="in SVM sandboxes (no usable /dev/kvm here)"
fi
# Runs the tests make are recorded in a history of their own, never the
# user's results/history.sqlite (make regress takes its newest run).
export VIRQLAB_HISTORY="${VIRQLAB_HISTORY:-$BUILD/tmp/check-history.sqlite}"
echo "check: $nhost host test files natively; $nkvm KVM test files $where"
run1=$(pwd)/scripts/lib/run-one.sh
if [ "$native" = 1 ] || [ "$nkvm" = 0 ]; then
	# Two CPUs or more: the host files two at a time (most only read and
	# write files), except that those with a "# serial:" header line (they
	# boot sandboxes, which the machine runs one at a time, or time loopback
	# traffic) run one after another; then the KVM files one at a time,
	# after every host file, since each measures (prove's rules file,
	# TAP::Harness "rules"). VIRQLAB_CHECK_SERIAL=1: every file alone.
	serial= par= kvm=
	for t in $tests; do
		case "$t" in
		*tests/kvm/*) kvm="$kvm $t" ;;
		*) if sed -n '1,30p' "$t" | grep -q '^# serial:'; then serial="$serial $t"; else par="$par $t"; fi ;;
		esac
	done
	if [ "${VIRQLAB_CHECK_SERIAL:-0}" = 1 ] || [ "$(nproc)" -lt 2 ] || [ "$nhost" -lt 2 ]; then
		# shellcheck disable=SC2086
		exec prove --timer --exec "$run1" $tests
	fi
	mkdir -p "$BUILD/tmp"
	rules=$BUILD/tmp/check-rules.$$.yml
	{
		echo "---"
		echo "seq:"
		echo "  - par:"
		[ -z "$serial" ] || { echo "      - seq:"; printf '          - %s\n' $serial; }
		[ -z "$par" ] || printf '      - %s\n' $par
		[ -z "$kvm" ] || { echo "  - seq:"; printf '      - %s\n' $kvm; }
	} > "$rules"
	# The serial files first: the longest chain starts at once.
	# shellcheck disable=SC2086
	HARNESS_RULESFILE=$rules prove -j2 --timer --exec "$run1" $serial $par $kvm && rc=0 || rc=$?
	rm -f "$rules"
	exit "$rc"
fi

# No usable /dev/kvm (or --sandbox): every KVM file that asks for KVM
# (tests/lib/tap.sh:require_kvm) inside a sandbox (scripts/lib/check-sandbox.sh:
# one boot for many files), and here the host files and the KVM files that
# place their own runs (linux-boot.t: its checks here, its boots in a sandbox
# of their own; inside the sandbox all of it would run on the emulated CPU).
# QEMU's TCG runs a sandbox's one CPU on one host CPU: with two CPUs, two
# lanes at once (check_in_two_lanes). VIRQLAB_CHECK_SERIAL=1, or a single
# CPU: the files here, then one sandbox, one after the other.
. scripts/lib/check-sandbox.sh
inside= beside=
for t in $tests; do
	case "$t" in
	*tests/kvm/*) if grep -q '^require_kvm' "$t"; then inside="$inside $t"; else beside="$beside $t"; fi ;;
	*) beside="$beside $t" ;;
	esac
done
if [ -n "$inside" ] && [ "${VIRQLAB_CHECK_SERIAL:-0}" != 1 ] && [ "$(nproc)" -ge 2 ]; then
	# shellcheck disable=SC2086
	check_in_two_lanes "$beside" $inside
	exit
fi
rc=0
# shellcheck disable=SC2086
[ -z "$beside" ] || prove --timer --exec "$run1" $beside || rc=1
# shellcheck disable=SC2086
[ -z "$inside" ] || check_in_one_sandbox $inside || rc=1
exit "$rc"
