# SPDX-License-Identifier: GPL-2.0
# tap.sh - the one TAP 13 helper every shell test sources.
#
# Exit-code contract (shared with C tests and every virqlab program):
#   0 pass, 4 skip (with a reason), 124 timeout, anything else fail.
# A TAP test file is the exception for skips: it says a skip in TAP (the plan
# "1..0 # SKIP reason", or "ok N # SKIP reason") and exits 0, because prove
# counts every non-zero exit as a failure ("Non-zero exit status: 4",
# Result: FAIL) whatever the plan says. Exit 4 is for programs (vmm-mini,
# the scripts), whose callers read it. A skip needs a precondition that is
# really absent here (no KVM, no root, a filesystem without chattr); a tool
# scripts/deps.sh installs is no such precondition: require_tool fails.
# A test calls plan N, then ok/not_ok per case, then done_testing.

# The checkout root: the nearest directory above $0 holding this helper.
if [ -z "${VIRQLAB_ROOT:-}" ]; then
	VIRQLAB_ROOT=$(cd "$(dirname "$0")" && pwd)
	while [ ! -f "$VIRQLAB_ROOT/tests/lib/tap.sh" ] && [ "$VIRQLAB_ROOT" != / ]; do
		VIRQLAB_ROOT=$(dirname "$VIRQLAB_ROOT")
	done
fi
BUILD=${BUILD:-$VIRQLAB_ROOT/build}
export VIRQLAB_ROOT BUILD
_tap_n=0
_tap_fail=0

plan() {
	echo "TAP version 13"
	echo "1..$1"
}

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}

# not_ok NAME: a failed case; its name goes to stderr too, as Test::More's
# "Failed test" does, since prove shows only stderr without -v.
not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_fail=$((_tap_fail + 1))
	echo "not ok $_tap_n - $*"
	diag "  Failed test $_tap_n: $*"
}

# diag MSG: what a failure needs a reader to see; on stderr, as Test::More's
# diag, so that prove shows it without -v (a CI log then says why).
diag() { printf '# %s\n' "$*" >&2; }

# note MSG: what a passing run is worth recording (the flavour, a measured
# figure); on stdout, seen with prove -v.
note() { printf '# %s\n' "$*"; }

# skip REASON: one planned case that cannot run here, and why.
skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n # SKIP $1"
}

# bail_out REASON: stop the whole run; the file cannot be tested here.
bail_out() {
	echo "Bail out! $*"
	exit 1
}

# skip_all REASON: the whole file is skipped: the "1..0 # SKIP" plan, exit 0
# (not 4: prove would fail the file; see the contract above).
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# require_tool TOOL: TOOL is on PATH, else the file fails naming it (before
# plan): scripts/deps.sh installs every tool a test needs, so a missing one is
# a broken setup, never a skip.
require_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "1..1"
	echo "not ok 1 - $1 is installed (scripts/deps.sh installs it; PATH=$PATH)"
	exit 1
}

# require_file FILE WHAT: FILE exists, else the file fails naming it.
require_file() {
	[ -e "$1" ] && return 0
	echo "1..1"
	echo "not ok 1 - $1 exists ($2)"
	exit 1
}

# check NAME CMD...: ok when CMD exits 0.
check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else not_ok "$_name"; fi
}

# is NAME EXPECTED ACTUAL: equality with expected/actual on failure.
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected: '$2'"
		diag "  actual: '$3'"
	fi
}

# like NAME PATTERN TEXT: TEXT matches the extended regex PATTERN.
like() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected to match: $2"
		printf '%s\n' "$3" | sed 's/^/#   actual: /'
	fi
}

# usage_error NAME PATTERN CMD [ARGS...]: three cases - CMD exits 2, its stderr
# matches the extended regex PATTERN, and is exactly one line.
usage_error() {
	_n=$1 _p=$2
	shift 2
	_err=$("$@" 2>&1 >/dev/null)
	is "$_n: exit 2" 2 "$?"
	like "$_n: one line naming the problem" "$_p" "$_err"
	is "$_n: exactly one line" 1 "$(printf '%s\n' "$_err" | wc -l)"
}

done_testing() {
	[ "$_tap_fail" -eq 0 ] || exit 1
	exit 0
}

# kvm_usable: /dev/kvm opens here, and the user has not hidden it with
# VIRQLAB_HIDE_KVM=1 (how the suite proves it still runs without KVM).
kvm_usable() {
	[ "${VIRQLAB_HIDE_KVM:-0}" = 1 ] && [ -z "${VIRQLAB_IN_SANDBOX:-}" ] && return 1
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# require_kvm: run this test file where KVM is real. Natively when /dev/kvm
# works; otherwise re-run the whole file inside the SVM sandbox
# (scripts/sandbox.sh), never a silent skip. Call it before plan.
require_kvm() {
	if kvm_usable && [ "${VIRQLAB_FORCE_SANDBOX:-0}" != 1 -o -n "${VIRQLAB_IN_SANDBOX:-}" ]; then
		KVM_WHERE=${VIRQLAB_IN_SANDBOX:+sandbox}
		KVM_WHERE=${KVM_WHERE:-native}
		export KVM_WHERE
		return 0
	fi
	if [ -z "${VIRQLAB_IN_SANDBOX:-}" ]; then
		# The sandbox's console carries the test's stdout and stderr as one
		# stream: copy the diagnostics after each "not ok" to stderr too, so
		# that prove shows them without -v (a CI log then says why).
		_rc=$(mktemp)
		{ "$VIRQLAB_ROOT/scripts/sandbox.sh" --timeout "${VIRQLAB_SANDBOX_TIMEOUT:-900}" \
			-- "$0" "$@"; echo $? > "$_rc"; } |
			awk '{ print; fflush() } /^not ok/ { d = 1; next }
			     d && /^#/ { print > "/dev/stderr"; next } { d = 0 }'
		_code=$(cat "$_rc")
		rm -f "$_rc"
		exit "${_code:-1}"
	fi
	skip_all "no usable /dev/kvm even inside the sandbox"
}
