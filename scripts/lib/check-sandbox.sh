# SPDX-License-Identifier: GPL-2.0
# check-sandbox.sh - scripts/check.sh's KVM files where there is no usable
# /dev/kvm (or with --sandbox): prove runs inside ONE SVM sandbox, each file
# under scripts/lib/run-one.sh there (its time limit: "# timeout-sandbox: N"
# or VIRQLAB_TEST_TIMEOUT_SANDBOX; the sandbox kernel's log checked), instead
# of each file booting a sandbox of its own (tests/lib/tap.sh:require_kvm):
# about 5 s of boot saved per file. Inside, require_kvm finds /dev/kvm and
# runs the file as before.
#
# A sandbox that froze (scripts/sandbox.sh exit 125) or timed out (124) takes
# the file it was running with it: that file and those prove had not reached
# are run once more, each in a sandbox of its own (the way before), as the
# experiment runner reruns a lost cell. Sourced after tests/lib/tap.sh.

# check_in_one_sandbox TEST.t...: exit 0 when every file passed.
check_in_one_sandbox() {
	_cs_log=$(mktemp)
	_cs_per=${VIRQLAB_TEST_TIMEOUT_SANDBOX:-960}
	# No file can hold the sandbox longer than its own limit (run-one).
	{ "$VIRQLAB_ROOT/scripts/sandbox.sh" --timeout $(($# * (_cs_per + 30) + 60)) -- \
		env HARNESS_NOTTY=1 prove --timer --exec "$VIRQLAB_ROOT/scripts/lib/run-one.sh" "$@"
	  echo $? > "$_cs_log.rc"; } | tee "$_cs_log"
	_cs_rc=$(cat "$_cs_log.rc")
	rm -f "$_cs_log.rc"
	case "$_cs_rc" in
	124|125) ;;
	*) rm -f "$_cs_log"; return "${_cs_rc:-1}" ;;
	esac
	# prove runs the files in order and names each with its verdict as it
	# ends ("[hh:mm:ss] F.t .. ok", or its name then Dubious/Failed lines).
	# The first file without a finished line is the one the sandbox took
	# with it; it and the rest run again.
	_cs_failed=0 _cs_again= _cs_lost=
	for _cs_t; do
		if [ -n "$_cs_again" ] || ! cs_finished "$_cs_t" "$_cs_log"; then
			_cs_again="$_cs_again $_cs_t"
			_cs_lost=${_cs_lost:-$_cs_t}
		elif ! grep -Eq "^\[[0-9:]*\] $_cs_t \.+ (ok|skipped)" "$_cs_log"; then
			_cs_failed=1
		fi
	done
	rm -f "$_cs_log"
	echo "check: the sandbox stopped (exit $_cs_rc) during $_cs_lost; once more, one sandbox each:$_cs_again"
	# shellcheck disable=SC2086
	VIRQLAB_FORCE_SANDBOX=1 prove --timer --exec "$VIRQLAB_ROOT/scripts/lib/run-one.sh" $_cs_again ||
		_cs_failed=1
	return "$_cs_failed"
}

# cs_finished TEST.t LOG: prove's LOG has TEST.t's verdict: its line says ok
# or skipped, or a Dubious/Failed line follows it.
cs_finished() {
	awk -v t="$1" 'index($0, "] " t " ") { named = 1; if ($0 ~ / (ok|skipped)/) done = 1; next }
		named && /^(Dubious|Failed)/ { done = 1 }
		named && /^\[[0-9:]*\] / { named = 0 }
		END { exit !done }' "$2"
}

# Two lanes (a machine of two CPUs or more without /dev/kvm): QEMU's TCG runs
# a sandbox's one CPU on one host CPU, so the KVM files are split between two
# sandboxes that run at once. Lane 1 is a sandbox; lane 2 first runs here the
# files that run here (the host files, and the KVM files that boot sandboxes
# of their own), then a sandbox of its own. Each file's "# cost-sandbox: N"
# header (seconds, measured without /dev/kvm; 2 when absent: most host files
# take well under that) places the inside files by the longest first, each
# in the lane that ends sooner (LPT, longest processing time first). The lanes
# share the machine's sandbox lock, taken here for both
# (VIRQLAB_SANDBOX_LOCK_HELD: at most two sandboxes, lane 2's one at a time).

# cs_cost TEST.t: its "# cost-sandbox: N" header, else 2.
cs_cost() {
	_cc=$(sed -n '1,30{s/^# cost-sandbox: *\([0-9][0-9]*\) *$/\1/p}' "$1" | head -1)
	echo "${_cc:-2}"
}

# cs_split "BESIDE..." INSIDE...: print "1 F" or "2 F" for each inside file F:
# the lane it runs in, lane 2 starting with the cost of the files beside.
cs_split() {
	_cs_b=0
	for _cs_t in $1; do
		_cs_b=$((_cs_b + $(cs_cost "$_cs_t")))
	done
	shift
	for _cs_t; do
		echo "$(cs_cost "$_cs_t") $_cs_t"
	done | sort -k1,1nr -k2 | awk -v b="$_cs_b" '{
		if (a <= b) { a += $1; print 1, $2 } else { b += $1; print 2, $2 } }'
}

# check_in_two_lanes "BESIDE..." INSIDE...: exit 0 when every file passed.
# Lane 1's report streams; lane 2's follows it.
check_in_two_lanes() {
	_l_beside=$1
	shift
	_l_split=$(cs_split "$_l_beside" "$@")
	_l_1=$(printf '%s\n' "$_l_split" | awk '$1 == 1 { printf " %s", $2 }')
	_l_2=$(printf '%s\n' "$_l_split" | awk '$1 == 2 { printf " %s", $2 }')
	_l_lock=${TMPDIR:-/tmp}/virqlab-sandbox.lock
	exec 8>"$_l_lock"
	# (Already held: this check runs inside another's lane, a test of it.)
	if [ "${VIRQLAB_SANDBOX_LOCK_HELD:-0}" != 1 ] && ! flock -n 8; then
		echo "check: another sandbox is running on this machine; waiting for it" >&2
		flock 8 || { echo "check: cannot take $_l_lock" >&2; return 1; }
	fi
	# Both lanes' sandbox.sh would make the sandbox's parts at once in a
	# fresh tree (two makes writing one initramfs): made here first.
	if [ -z "${VIRQLAB_SANDBOX_DIR:-}" ] && ! make -s -C "$VIRQLAB_ROOT" sandbox >/dev/null 2>&1; then
		echo "check: cannot build the sandbox parts: run 'make sandbox' to see why" >&2
		return 1
	fi
	export VIRQLAB_SANDBOX_LOCK_HELD=1
	echo "check: two sandboxes at once; lane 1:$_l_1"
	echo "check: lane 2, here:$_l_beside; then in a sandbox:$_l_2; its report follows"
	_l_log=$(mktemp)
	(
		_l_rc=0
		if [ -n "$_l_beside" ]; then
			# shellcheck disable=SC2086
			prove --timer --exec "$VIRQLAB_ROOT/scripts/lib/run-one.sh" $_l_beside || _l_rc=1
		fi
		# shellcheck disable=SC2086
		[ -z "$_l_2" ] || check_in_one_sandbox $_l_2 || _l_rc=1
		exit "$_l_rc"
	) > "$_l_log" 2>&1 &
	_l_pid=$!
	_l_rc=0
	# shellcheck disable=SC2086
	[ -z "$_l_1" ] || check_in_one_sandbox $_l_1 || _l_rc=1
	wait "$_l_pid" || _l_rc=1
	echo "check: lane 2:"
	cat "$_l_log"
	rm -f "$_l_log"
	exec 8>&-
	[ "$_l_rc" = 0 ] || echo "check: FAIL: a file failed in one of the two lanes (above)"
	return "$_l_rc"
}
