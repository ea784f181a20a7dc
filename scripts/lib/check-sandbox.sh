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
