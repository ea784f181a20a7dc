#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 9
#
# Description: scripts/check.sh runs host files two at a time on a machine
# of two CPUs or more, except that files with a "# serial:" header line run
# one after another (they boot sandboxes, which the machine runs one at a
# time, or time loopback traffic); VIRQLAB_CHECK_SERIAL=1 runs every file
# alone, and so does a single CPU. A failing file still fails the run. The
# files here are stand-ins that log when they start and end (1 s apart).

. "$(dirname "$0")/../lib/tap.sh"
cd "$VIRQLAB_ROOT" || exit 1

plan 7
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIRQLAB_CHECK_DMESG=0

# fake NAME [HEADER]: $tmp/NAME.t, one passing case, that logs "NAME start
# T" and "NAME end T" (T in ns) to $tmp/log a second apart.
fake() {
	{
		echo '#!/bin/sh'
		[ -z "${2:-}" ] || echo "$2"
		echo "echo \"$1 start \$(date +%s%N)\" >> $tmp/log"
		echo 'sleep 1'
		echo "echo \"$1 end \$(date +%s%N)\" >> $tmp/log"
		echo 'echo 1..1; echo "ok 1 - ran"'
	} > "$tmp/$1.t"
	chmod +x "$tmp/$1.t"
}
fake a
fake b
fake s1 '# serial: a stand-in'
fake s2 '# serial: a stand-in'

# overlap X Y: yes when X and Y ran at the same time by the log.
overlap() {
	awk -v x="$1" -v y="$2" '{ t[$1 " " $2] = $3 }
		END { print (t[x " start"] < t[y " end"] && t[y " start"] < t[x " end"]) ? "yes" : "no" }' \
		"$tmp/log"
}

files="$tmp/a.t $tmp/b.t $tmp/s1.t $tmp/s2.t"
# shellcheck disable=SC2086
out=$(scripts/check.sh $files 2>&1)
is "four host files: exit 0" 0 "$?"
[ "$(nproc)" -ge 2 ] && par=yes || par=no
is "two files without the header ran at once (CPUs: $(nproc))" "$par" "$(overlap a b)"
is "the two with '# serial:' did not" no "$(overlap s1 s2)"
like "prove's summary ends it" "Result: PASS$" "$out"

: > "$tmp/log"
# shellcheck disable=SC2086
VIRQLAB_CHECK_SERIAL=1 scripts/check.sh $files > /dev/null 2>&1
is "VIRQLAB_CHECK_SERIAL=1: exit 0, no two files at once" "0 no no" \
	"$? $(overlap a b) $(overlap a s1)"

printf '#!/bin/sh\necho 1..1; echo "not ok 1 - planted"\n' > "$tmp/fail.t"
chmod +x "$tmp/fail.t"
out=$(scripts/check.sh "$tmp/a.t" "$tmp/fail.t" 2>&1)
is "a failing file among them: exit 1" 1 "$?"
like "... and prove says so" "Result: FAIL$" "$out"
done_testing
