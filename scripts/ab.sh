#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ab.sh - A/B of two revisions in one command (make ab): each revision is
# checked out in its own git worktree under build/ab/ and built there; this
# checkout's runner then runs the workload's cells with each build's
# programs, alternating A, B, A, B ... one cell at a time, so that a drift of
# the machine during the experiment falls on both alike; scripts/compare.sh
# gives the verdict. Layout and rules: results/README.md, "A/B of two
# revisions".

set -u
cd "$(dirname "$0")/.."

usage() {
	cat <<'USAGE'
Usage: scripts/ab.sh [--workload NAME|FILE] [--out DIR] A B
       scripts/ab.sh --help | --version

Measure revision B against revision A (anything git rev-parse takes:
HEAD~1, a branch, a commit). Each is built in build/ab/<commit>/ (a detached
worktree, reused while it exists; its build log beside it), then the
workload's cells run alternately, A B A B ..., into OUT/A-<commit>/ and
OUT/B-<commit>/ (run directories of results/README.md; each one's git_rev is
its revision), and scripts/compare.sh A B prints the verdict. The committed
revisions are measured, never uncommitted changes; the runner (scripts/) is
this checkout's for both, so both must take its options.

Options:
  --workload W  the workload (default smoke; a name from workloads/ or a file)
  --out DIR     where the two runs go (refused if it exists; default
                results/<YYYYmmdd-HHMMSS>-ab-<workload>)

Exit: 0 B is the same as A (nothing worse); 1 B regressed against A; 2 bad
usage, an unknown revision, a build failed, a cell failed, or the runs are
incomparable (scripts/compare.sh exit 2); 130 interrupted (runs kept, partial).

Examples:
  scripts/ab.sh HEAD~1 HEAD                      # = make ab A=HEAD~1 B=HEAD
  scripts/ab.sh --workload default main my-branch
  make ab A=v1 B=HEAD WORKLOAD=saturation OUT=results/ab-v1
USAGE
}

die2() {
	echo "ab: $*" >&2
	exit 2
}

wl=smoke out= a= b=
while [ $# -gt 0 ]; do
	case "$1" in
	--workload) [ $# -ge 2 ] || die2 "--workload needs a name or file"; wl=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die2 "--out needs a directory"; out=$2; shift 2 ;;
	--version) exec scripts/lib/version.sh ab.sh ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] && [ -n "$1" ] || die2 "no revisions given: A and B (see --help)"
[ $# -ge 2 ] && [ -n "$2" ] || die2 "one revision given: A and B are needed (see --help)"
[ $# -eq 2 ] || die2 "unexpected argument '$3': two revisions, A and B (see --help)"
a=$1 b=$2

# commit REV: its full commit id, or the usage error.
commit() {
	git rev-parse --verify --quiet "$1^{commit}" || die2 "$1: not a revision of this repository"
}
ca=$(commit "$a") || exit 2
cb=$(commit "$b") || exit 2
wl_name=$(basename "$wl" .conf)
out=${out:-results/$(date +%Y%m%d-%H%M%S)-ab-$wl_name}
[ ! -e "$out" ] || die2 "$out exists: an A/B never overwrites another"
# The plan, and a workload error, before anything is built.
ncells=$(scripts/run-experiment.sh "$wl" --dry-run 2> "${TMPDIR:-/tmp}/ab-plan.$$" | grep -vc '^#')
if [ "$ncells" = 0 ]; then
	tail -1 "${TMPDIR:-/tmp}/ab-plan.$$" >&2
	rm -f "${TMPDIR:-/tmp}/ab-plan.$$"
	exit 2
fi
rm -f "${TMPDIR:-/tmp}/ab-plan.$$"

# worktree COMMIT: build/ab/COMMIT checked out and built (make), under a
# lock, so that two A/Bs of one revision build it once.
worktree() {
	_w=build/ab/$1
	mkdir -p build/ab
	(
		flock 8
		if [ ! -f "$_w/Makefile" ] || [ "$(git -C "$_w" rev-parse HEAD 2>/dev/null)" != "$1" ]; then
			rm -rf "$_w"
			git worktree prune
			git worktree add --quiet --detach "$_w" "$1" > "$_w.build.log" 2>&1 || exit 1
		fi
		# -j: both CPUs of a small machine; serially the two builds
		# were most of tests/kvm/ab.t's 77 s.
		make -C "$_w" -j"$(nproc)" all >> "$_w.build.log" 2>&1
	) 8> "build/ab/$1.lock"
}
for c in "$ca" "$cb"; do
	echo "ab: building $(git log -1 --format='%h %s' "$c" | cut -c1-72) in build/ab/$c" >&2
	worktree "$c" || die2 "the build of $c failed: build/ab/$c.build.log: $(tail -1 "build/ab/$c.build.log")"
done

mkdir -p "$out" || die2 "cannot create $out"
ra=$out/A-$(git rev-parse --short "$ca") rb=$out/B-$(git rev-parse --short "$cb")
log=$out/ab.log
trap 'echo "ab: interrupted: the runs are kept, partial, in $out (scripts/run-experiment.sh --resume each)" >&2; exit 130' INT TERM HUP

# one SIDE RUN COMMIT: the next cell of RUN with COMMIT's build; the first
# call creates RUN. Its exit: run-experiment's (0, 1 a cell failed, 2, 3, 130).
one() {
	echo "== $1: $(date -u +%H:%M:%S)" >> "$log"
	if [ -d "$2" ]; then
		scripts/run-experiment.sh --resume "$2" --cells 1 --no-plot >> "$log" 2>&1
	else
		scripts/run-experiment.sh "$wl" --out "$2" --build "build/ab/$3" --cells 1 --no-plot >> "$log" 2>&1
	fi
}

echo "ab: $ncells cells per revision, A ($a = $(git rev-parse --short "$ca")) and B ($b = $(git rev-parse --short "$cb")) in turn; $wl_name; into $out (log: $log)" >&2
failed=0 i=1
while [ "$i" -le "$ncells" ]; do
	for side in A B; do
		if [ $side = A ]; then run=$ra c=$ca; else run=$rb c=$cb; fi
		one "$side" "$run" "$c"
		rc=$?
		case "$rc" in
		0) ;;
		1) failed=1 ;;
		130) echo "ab: interrupted: the runs are kept, partial, in $out" >&2; exit 130 ;;
		*) die2 "$side: scripts/run-experiment.sh exit $rc: $(grep '^run-experiment: ' "$log" | tail -1)" ;;
		esac
	done
	cell=$(awk -F'\t' -v i="$i" '!/^#/ && ++n == i { print $1 }' "$ra/plan.tsv")
	echo "ab: cell $i/$ncells $cell: A $(cat "$ra/cells/$cell/status" 2>/dev/null), B $(cat "$rb/cells/$cell/status" 2>/dev/null)" >&2
	i=$((i + 1))
done
trap - INT TERM HUP

. scripts/lib/results.sh
for r in "$ra" "$rb"; do
	[ "$(meta_get "$r" status)" = complete ] || die2 "$r: not complete ($(meta_get "$r" cells_done) of $(meta_get "$r" cells) cells): see $log"
	[ "$(meta_get "$r" cells_failed)" = 0 ] || {
		failed=1
		echo "ab: $r: $(meta_get "$r" cells_failed) cell(s) failed:" \
			"$(grep -l -v '^ok$' "$r"/cells/*/status | xargs -n1 dirname | xargs -n1 basename | paste -sd' ')" >&2
	}
done
if command -v gnuplot > /dev/null 2>&1; then
	for r in "$ra" "$rb"; do scripts/plot.sh "$r" > /dev/null 2>&1 || echo "ab: plotting $r failed" >&2; done
fi

scripts/compare.sh "$ra" "$rb"
rc=$?
if [ "$failed" = 1 ]; then
	echo "ab: a cell failed (above): no verdict, exit 2" >&2
	exit 2
fi
case "$rc" in
0) echo "ab: B ($b) is the same as A ($a) within compare.rules' thresholds" >&2; exit 0 ;;
1) echo "ab: B ($b) regressed against A ($a) (above)" >&2; exit 1 ;;
*) echo "ab: compare.sh exit $rc: no verdict" >&2; exit 2 ;;
esac
