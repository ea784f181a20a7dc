#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: the skip and failure contract of tests/lib/tap.sh as prove sees
# it. A file that skip_all's prints the "1..0 # SKIP" plan and exits 0, and
# prove passes it as skipped (it would fail an exit 4). A failed case names
# itself on stderr, which prove shows without -v (a CI log then says which).
# A tool that scripts/deps.sh installs is no reason to skip: with gnuplot or
# QEMU off PATH, plot.t and guest-qemu.t fail naming the tool, and unit.t fails
# when the unit binary is not built.

. "$(dirname "$0")/../lib/tap.sh"
plan 12

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
mk() { printf '#!/bin/sh\n. "%s/tests/lib/tap.sh"\n%s\n' "$VIRQLAB_ROOT" "$2" > "$t/$1"; chmod +x "$t/$1"; }

mk skip.t 'skip_all "nothing to see"'
"$t/skip.t" > "$t/out" 2>&1
is "skip_all: the skip plan, exit 0" "0 1..0 # SKIP nothing to see" "$? $(cat "$t/out")"
out=$(prove "$t/skip.t" 2>&1)
is "... and prove passes it as skipped" 0 $?
like "... saying why" "skipped: nothing to see" "$out"

mk tool.t 'require_tool virqlab-no-such-tool
plan 1
ok "never reached"'
out=$("$t/tool.t" 2>&1)
is "require_tool: a missing tool fails the file (exit 1)" 1 $?
like "... naming it" "^not ok 1 - virqlab-no-such-tool is installed" "$out"
mk fail.t 'plan 1
check "a planted failure" false'
out=$(prove "$t/fail.t" 2>&1 >/dev/null)
is "a failed case: prove fails the file" 1 $?
like "... and shows its name without -v (on stderr)" "Failed test 1: a planted failure" "$out"

# A PATH holding everything the real one does but gnuplot and QEMU.
mkdir "$t/bin"
IFS=:
for d in $PATH; do
	[ -d "$d" ] || continue
	for f in "$d"/*; do
		n=${f##*/}
		case $n in gnuplot|qemu-system-x86_64) continue ;; esac
		[ -x "$f" ] && [ ! -e "$t/bin/$n" ] && ln -s "$f" "$t/bin/$n"
	done
done
unset IFS
out=$(PATH=$t/bin sh tests/host/plot.t 2>&1)
is "plot.t without gnuplot: fails (exit 1)" 1 $?
like "... naming gnuplot" "^not ok 1 - gnuplot is installed" "$out"
out=$(PATH=$t/bin sh tests/host/guest-qemu.t 2>&1)
like "guest-qemu.t without QEMU: fails naming it" "^not ok 1 - qemu-system-x86_64 is installed" "$out"

out=$(BUILD=$t/nobuild sh tests/host/unit.t 2>&1)
is "unit.t without the unit binary: fails (exit 1)" 1 $?
like "... naming it" "^not ok 1 - $t/nobuild/tests/unit exists \(make builds it\)" "$out"

done_testing
