#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-one.sh - run one TAP test file for prove (scripts/check.sh passes it as
# prove --exec), as liburing's test runner does: under a time limit, and with
# the kernel log read before and after.
#
# The limit: a "# timeout: N" line among the file's first 30 lines, else
# VIRQLAB_TEST_TIMEOUT (default 300 s). A tests/kvm file that will run in the
# SVM sandbox (no usable /dev/kvm, or VIRQLAB_FORCE_SANDBOX=1) has "#
# timeout-sandbox: N" or VIRQLAB_TEST_TIMEOUT_SANDBOX (default 960 s: the
# sandbox's own limit, 900 s, expires first), and so has any tests/kvm file
# run inside the sandbox (VIRQLAB_IN_SANDBOX: scripts/lib/check-sandbox.sh). On expiry `timeout` sends TERM
# to the whole process group (the test, its VMMs, QEMU, the sandbox), then
# KILL VIRQLAB_TEST_KILL_AFTER seconds later (default 10); a trailing
# "not ok" line names the limit and the exit is 124.
#
# The kernel log: lines that appeared while the file ran and match BUG:,
# WARNING:, Oops, "general protection fault", or a KVM warning (kvm ... WARN)
# fail the file (a trailing "not ok" with each line, exit 1), even when
# every case passed. Other processes' messages land in the same log, so a
# shared machine can blame the wrong file: the lines are shown for a person
# to judge. VIRQLAB_CHECK_DMESG=0 turns the check off; where the log cannot
# be read (dmesg_restrict, not root) it is skipped with a note. VIRQLAB_DMESG
# names the command that prints the log (default dmesg; tests use a stand-in).
#
# Usage: scripts/lib/run-one.sh TEST.t
# Exit: the test's own status; 124 on the time limit; 1 on a kernel-log hit.

set -u
[ $# -eq 1 ] || { echo "run-one: usage: run-one.sh TEST.t" >&2; exit 2; }
t=$1
[ -f "$t" ] || { echo "run-one: $t: no such file" >&2; exit 2; }

# header KEY: the value of a "# KEY: N" line near the top of the test file.
header() {
	sed -n "1,30{s/^# $1: *\([0-9][0-9]*\) *$/\1/p}" "$t" | head -1
}

limit=$(header timeout)
limit=${limit:-${VIRQLAB_TEST_TIMEOUT:-300}}
case "$t" in
*tests/kvm/*)
	# Inside the sandbox (scripts/lib/check-sandbox.sh runs prove there)
	# the file runs on the emulated CPU: the sandbox's limit too.
	sandboxed=0
	if [ -n "${VIRQLAB_IN_SANDBOX:-}" ]; then
		sandboxed=1
	elif [ "${VIRQLAB_FORCE_SANDBOX:-0}" = 1 ] || [ "${VIRQLAB_HIDE_KVM:-0}" = 1 ] ||
		! { [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]; }; then
		sandboxed=1
	fi
	if [ "$sandboxed" = 1 ]; then
		limit=$(header timeout-sandbox)
		limit=${limit:-${VIRQLAB_TEST_TIMEOUT_SANDBOX:-960}}
	fi
	;;
esac
kill_after=${VIRQLAB_TEST_KILL_AFTER:-10}
for v in "$limit" "$kill_after"; do
	case "$v" in
	''|*[!0-9]*|0) echo "run-one: $t: time limit '$v': expected whole seconds > 0" >&2; exit 2 ;;
	esac
done

dmesg_cmd=${VIRQLAB_DMESG:-dmesg}
check_dmesg=${VIRQLAB_CHECK_DMESG:-1}
if [ "$check_dmesg" = 1 ] && ! $dmesg_cmd >/dev/null 2>&1; then
	echo "# run-one: the kernel log cannot be read here ($dmesg_cmd); not checked"
	check_dmesg=0
fi
log_before=
[ "$check_dmesg" = 1 ] && log_before=$($dmesg_cmd 2>/dev/null | tail -1)

case "$t" in */*) ;; *) t=./$t ;; esac
if [ -x "$t" ]; then
	timeout --kill-after="$kill_after" "$limit" "$t"
else
	timeout --kill-after="$kill_after" "$limit" sh "$t"
fi
rc=$?

# 124: TERM did it; 137 (128 + KILL): the group outlived TERM by kill_after.
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "not ok - time limit: $t killed after $limit s (exit 124)"
	echo "# the whole process group got TERM, KILL ${kill_after} s later;" \
		"raise it with '# timeout: N' in the file if it is not a hang"
	rc=124
fi

if [ "$check_dmesg" = 1 ]; then
	new=$($dmesg_cmd 2>/dev/null | awk -v last="$log_before" '
		seen { print; next }
		last == "" { print; next }
		$0 == last { seen = 1 }
		{ lines[++n] = $0 }
		END { if (!seen && last != "") for (i = 1; i <= n; i++) print lines[i] }' |
		grep -E 'BUG:|WARNING:|Oops|general protection fault|[Kk][Vv][Mm].*WARN' | head -20)
	if [ -n "$new" ]; then
		echo "not ok - kernel log: new BUG/WARNING/KVM warning while $t ran"
		printf '%s\n' "$new" | sed 's/^/#   /'
		[ "$rc" = 0 ] && rc=1
	fi
fi
exit "$rc"
