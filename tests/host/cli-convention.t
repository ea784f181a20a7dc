#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: one command-line convention for every virqlab program and
# user-facing script. Each prints one line "NAME (virqlab) REVISION" for
# --version and exits 0; --help exits 0, names --version, and every README
# section it points to ('README.md, "Title"') is a heading there; an unknown
# option, and an abbreviated one (getopt_long would take "--vers" for
# "--version"), exit 2 with one stderr line naming it. Then the cases the
# issue found: udpgen --rat, udprecv with an operand, summarize.sh A B,
# plot.sh --svg DIR, rx-targets.sh A B; and run-experiment.sh --dry-run
# printing its plan. Nothing here needs KVM. (scripts/bench-probes.sh is not
# in the list yet.)

. "$(dirname "$0")/../lib/tap.sh"

cd "$VIRQLAB_ROOT" || exit 1
PROGS="$BUILD/vmm-mini $BUILD/udpgen $BUILD/udprecv $BUILD/virqstat
scripts/run-experiment.sh scripts/compare.sh scripts/summarize.sh scripts/plot.sh
scripts/costs-peer.sh scripts/rx-targets.sh scripts/sandbox.sh scripts/deps.sh
scripts/fresh-debian.sh"
for p in $PROGS; do require_file "$p" "make builds the programs"; done
plan $((13 * 12 + 5 * 3 + 3))

# In this checkout a script reads `git describe` now; a C program has its
# build's compiled in (a describe, never "unknown"). In a copy without .git
# (fresh-debian's tree) both say "unknown".
if [ "$(git rev-parse --show-toplevel 2>/dev/null)" = "$(pwd -P)" ]; then
	script_rev=$(git describe --always --dirty)
	c_rev='([^ ]+-g)?[0-9a-f]{7,}(-dirty)?'
else
	script_rev=unknown c_rev=unknown
fi
note "expected revision: scripts $script_rev, programs $c_rev"

# bad_readme_pointers TEXT: each 'README.md, "Title"' in TEXT whose README
# has no heading "Title" (backquotes aside), one a line.
bad_readme_pointers() {
	printf '%s\n' "$1" | grep -oE '[A-Za-z/-]*README(\.md)?, "[^"]+"' |
	while IFS= read -r ptr; do
		f=${ptr%%,*}
		case "$f" in *.md) ;; *) f=$f.md ;; esac
		t=${ptr#*\"}
		t=${t%\"}
		sed -n 's/^#\{1,6\} //p' "$f" 2>/dev/null | tr -d '`' | grep -qxF -- "$t" ||
			echo "$ptr"
	done
}

for p in $PROGS; do
	name=${p##*/}
	out=$("$p" --version 2>&1)
	is "$name --version: exit 0" 0 "$?"
	case "$p" in *.sh) rev=$script_rev ;; *) rev=$c_rev ;; esac
	like "$name --version: '$name (virqlab) REVISION'" "^$name \(virqlab\) ($rev)$" "$out"
	is "$name --version: one line" 1 "$(printf '%s\n' "$out" | wc -l)"

	help=$("$p" --help 2>&1)
	is "$name --help: exit 0" 0 "$?"
	like "$name --help names --version" "--version" "$help"
	is "$name --help: every README section it names exists" "" "$(bad_readme_pointers "$help")"

	usage_error "$name: unknown option" "^[a-z.-]+: .*'--no-such-option'" "$p" --no-such-option
	usage_error "$name: abbreviation --vers refused" "^[a-z.-]+: .*'--vers'" "$p" --vers
done

usage_error "udpgen --rat 100 (abbreviation of --rate)" \
	"^udpgen: unknown option '--rat' \(abbreviations are refused" \
	"$BUILD/udpgen" --to 127.0.0.1:9 --count 1 --rat 100
usage_error "udprecv with an operand" "^udprecv: unexpected argument 'extra'" \
	"$BUILD/udprecv" --port 9 extra
# A real (synthetic) run as A, so that only the second operand is wrong.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$VIRQLAB_ROOT/tests/lib/synth.sh"
synth_run "$tmp/a" cli
for r in 1 2 3; do
	synth_cell "$tmp/a" inject 1000 $r 1000 1 7 400000 900000 0
	synth_cell "$tmp/a" mask-direct 1000 $r 1000 0.9 2 300000 600000 0
done
scripts/summarize.sh "$tmp/a" > /dev/null || diag "summarize.sh $tmp/a failed"
usage_error "summarize.sh A B" "^summarize: unexpected argument '$tmp/b'" \
	scripts/summarize.sh "$tmp/a" "$tmp/b"
usage_error "plot.sh --svg DIR" "^plot: unknown option '--svg'" scripts/plot.sh --svg "$tmp/a"
usage_error "rx-targets.sh A B" "^rx-targets: unexpected argument '$tmp/b'" \
	scripts/rx-targets.sh "$tmp/a" "$tmp/b"

scripts/run-experiment.sh smoke --dry-run > "$tmp/plan" 2> "$tmp/err"
is "run-experiment.sh --dry-run: exit 0" 0 "$?"
is "... the plan on stdout: plan.tsv's header" "$(printf '#cell\tmode\trate\trepeat\tkind\test_s')" \
	"$(head -n 1 "$tmp/plan")"
cells=$(sed -n 's/^run-experiment: smoke: \([0-9]*\) cells.*/\1/p' "$tmp/err")
is "... one row per cell the summary counts ($cells)" "${cells:-?}" \
	"$(grep -c '^[a-z-]*-[0-9]*-[0-9w]*	' "$tmp/plan")"
done_testing
