#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - run virqlab's TAP suite with prove (make check).
#
# Host tests (tests/host/*.t) run here. KVM tests (tests/kvm/*.t) run where
# KVM is real: natively when /dev/kvm works, otherwise each test file
# re-executes itself inside the SVM sandbox (tests/lib/tap.sh:require_kvm);
# never a silent skip.
#
# Each file runs under scripts/lib/run-one.sh (prove --exec): a time limit
# per file (default 300 s natively, 960 s in the sandbox; "# timeout: N" or
# "# timeout-sandbox: N" in a file's header overrides), the whole process
# group killed on expiry and reported as a failure (exit 124), and the
# kernel log read after each file: a new BUG:, WARNING: or KVM warning fails
# it. prove's summary (Result: PASS/FAIL) still ends the output.
#
# Usage: scripts/check.sh [--sandbox] [TEST.t ...]
#   --sandbox   run only the KVM tests, all inside the sandbox (make check-sandbox)
# Environment: VIRQLAB_HIDE_KVM=1 pretends /dev/kvm is absent;
# VIRQLAB_TEST_TIMEOUT, VIRQLAB_TEST_TIMEOUT_SANDBOX: the default limits;
# VIRQLAB_CHECK_DMESG=0: no kernel-log check.

set -eu
cd "$(dirname "$0")/.."
. tests/lib/tap.sh >/dev/null

sandbox=0
if [ "${1:-}" = --sandbox ]; then
	sandbox=1
	shift
fi

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

if [ "$sandbox" = 1 ]; then
	export VIRQLAB_FORCE_SANDBOX=1
	where="in the SVM sandbox (forced)"
elif kvm_usable; then
	where="natively on /dev/kvm ($(scripts/kvm-flavour.sh 2>/dev/null || echo unknown))"
else
	where="in the SVM sandbox (no usable /dev/kvm here)"
fi
echo "check: $nhost host test files natively; $nkvm KVM test files $where"
exec prove --timer --exec "$(pwd)/scripts/lib/run-one.sh" $tests
