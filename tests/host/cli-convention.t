#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: one command-line convention for every virqlab program and
# script, found by a glob, not a list: every executable in build/ (but the
# guest image *.elf and the *-asan twins of a program) and every
# scripts/*.sh (but one whose header says "virqlab-cli: internal (WHY)",
# i.e. the sandbox's /init). For each:
#   --version prints one line "NAME (virqlab) REVISION" and exits 0;
#   --help exits 0 with a usage line, option lines, examples and exit
#   codes, names --version, points only to README sections that exist
#   ('README.md, "Title"'), and offers no output-file flag but --stats FILE
#   (--out names a results folder: --out DIR; no -o, no --output);
#   an unknown option, an abbreviated one (getopt_long would take "--vers"
#   for "--version") and an extra argument each exit 2 with one stderr line
#   naming it ("prog: what: why").
# A script is run only after its source is seen to handle --help (one that
# does not would do its real job instead). The extra argument needs to know
# what a complete command line is: EXTRA below holds one per program; a
# program not there is reported as a skip naming it. Then the cases the
# issue found: udpgen --rat, plot.sh --svg DIR, and run-experiment.sh
# --dry-run printing its plan. Nothing here needs KVM.

. "$(dirname "$0")/../lib/tap.sh"

cd "$VIRQLAB_ROOT" || exit 1
require_file "$BUILD/vmm-mini" "make builds the programs"

# The programs: build/ executables and scripts/*.sh, as found.
PROGS=$(
	for f in "$BUILD"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		case "${f##*/}" in *.elf | *-asan) continue ;; esac
		echo "$f"
	done
	for f in scripts/*.sh; do
		grep -q '^# virqlab-cli: internal (' "$f" || echo "$f"
	done)
internal=$(grep -l '^# virqlab-cli: internal (' scripts/*.sh | tr '\n' ' ')
note "internal, not checked: ${internal:-none}"

# EXTRA: NAME, then a command line that is complete but for one operand too
# many (extra-operand), or "-" and why there is none.
EXTRA='vmm-mini	--test hello extra-operand
udpgen	--to 127.0.0.1:9 --count 1 extra-operand
udprecv	--port 9 extra-operand
virqstat	-p 1 extra-operand
ab.sh	HEAD~1 HEAD extra-operand
bench-linux-boot.sh	extra-operand
bench-probes.sh	extra-operand
check.sh	extra-operand
compare.sh	- BASE NEW... takes any number of runs to compare
costs-peer.sh	extra-operand
demo.sh	extra-operand
deps.sh	--check extra-operand
fresh-debian.sh	extra-operand
fuzz.sh	extra-operand
history.sh	list extra-operand
kvm-flavour.sh	extra-operand
linux-guest.sh	DEB OUTDIR extra-operand
mk-sandbox.sh	DEB OUTDIR extra-operand
plot.sh	RESULTDIR extra-operand
run-experiment.sh	smoke extra-operand
run-guest-qemu.sh	hello samples=1 extra-operand
rx-targets.sh	RESULTDIR extra-operand
sandbox-fetch.sh	--print extra-operand
sandbox.sh	- every operand after the options is the command it runs
summarize.sh	RESULTDIR extra-operand'

nprogs=$(printf '%s\n' $PROGS | wc -l)
plan $((nprogs * 20 + 3 * 2 + 3))

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

# A real (synthetic) run for the operands that must be a results directory.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$VIRQLAB_ROOT/tests/lib/synth.sh"
synth_run "$tmp/a" cli
for r in 1 2 3; do
	synth_cell "$tmp/a" inject 1000 $r 1000 1 7 400000 900000 0
	synth_cell "$tmp/a" mask-direct 1000 $r 1000 0.9 2 300000 600000 0
done
scripts/summarize.sh "$tmp/a" > /dev/null || diag "summarize.sh $tmp/a failed"

# not_run N WHY: the N cases of a program that cannot be run safely.
not_run() {
	_i=0
	while [ "$_i" -lt "$1" ]; do
		not_ok "$name: $2"
		_i=$((_i + 1))
	done
}

for p in $PROGS; do
	name=${p##*/}
	case "$p" in
	*.sh)
		if ! grep -q -- '--help' "$p"; then
			not_run 20 "not run: its source does not handle --help (it would do its job)"
			continue
		fi
		rev=$script_rev ;;
	*) rev=$c_rev ;;
	esac
	out=$("$p" --version 2>&1)
	is "$name --version: exit 0" 0 "$?"
	like "$name --version: '$name (virqlab) REVISION'" "^$name \(virqlab\) ($rev)$" "$out"
	is "$name --version: one line" 1 "$(printf '%s\n' "$out" | wc -l)"

	help=$("$p" --help 2>&1)
	is "$name --help: exit 0" 0 "$?"
	like "$name --help: a usage line" '^(Usage|USAGE): ' "$help"
	like "$name --help: option lines" '^ +-' "$help"
	like "$name --help: examples" '^(Examples|EXAMPLES):' "$help"
	like "$name --help: exit codes" '^(Exit|Exit codes|EXIT)[ :]' "$help"
	like "$name --help names --version" "--version" "$help"
	is "$name --help: every README section it names exists" "" "$(bad_readme_pointers "$help")"
	is "$name --help: an output file is --stats FILE (no -o, --output, --out FILE)" "" \
		"$(printf '%s\n' "$help" | grep -E -- '(^|[[ ,])(-o|--output)([] ,=]|$)|--out (FILE|PATH)')"

	usage_error "$name: unknown option" "^[a-z.-]+: .*'--no-such-option'" "$p" --no-such-option
	usage_error "$name: abbreviation --vers refused" "^[a-z.-]+: .*'--vers'" "$p" --vers

	extra=$(printf '%s\n' "$EXTRA" | awk -F'\t' -v n="$name" '$1 == n { print $2; f = 1 } END { exit !f }') ||
		extra="- no extra-argument case for $name yet: add one to EXTRA in tests/host/cli-convention.t"
	case "$extra" in
	-*)
		for i in 1 2 3; do skip "$name: an extra argument: ${extra#- }"; done ;;
	*)
		# shellcheck disable=SC2086
		set -- $(printf '%s\n' "$extra" | sed "s|RESULTDIR|$tmp/a|; s|DEB|$tmp/no.deb|; s|OUTDIR|$tmp/sb|")
		usage_error "$name: an extra argument ($*)" "^[a-z.-]+: .*'extra-operand'" "$p" "$@" ;;
	esac
done

usage_error "udpgen --rat 100 (abbreviation of --rate)" \
	"^udpgen: unknown option '--rat' \(abbreviations are refused" \
	"$BUILD/udpgen" --to 127.0.0.1:9 --count 1 --rat 100
usage_error "plot.sh --svg DIR" "^plot: unknown option '--svg'" scripts/plot.sh --svg "$tmp/a"

scripts/run-experiment.sh smoke --dry-run > "$tmp/plan" 2> "$tmp/err"
is "run-experiment.sh --dry-run: exit 0" 0 "$?"
is "... the plan on stdout: plan.tsv's header" "$(printf '#cell\tmode\trate\trepeat\tkind\test_s')" \
	"$(head -n 1 "$tmp/plan")"
cells=$(sed -n 's/^run-experiment: smoke: \([0-9]*\) cells.*/\1/p' "$tmp/err")
is "... one row per cell the summary counts ($cells)" "${cells:-?}" \
	"$(grep -c '^[a-z-]*-[0-9]*-[0-9w]*	' "$tmp/plan")"
done_testing
