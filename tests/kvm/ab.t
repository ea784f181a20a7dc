#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 1
#
# Description: `make ab A=HEAD~1 B=HEAD WORKLOAD=...` end to end on real
# KVM, with the smoke workload at one of its rates (tests/lib/experiment.sh):
# each revision is built in its own worktree under build/ab/, the two
# runs' cells end alternately A B A B ..., each run is complete with its own
# revision as git_rev and its worktree's build as build_dir, both are in the
# history, and compare.sh's verdict ends it (same or worse: the test does
# not know what the last commit did to the figures; make turns scripts/ab.sh's
# exit 1 into its own 2). A workload
# whose cells time out gives exit 2 (a cell failed: no verdict); an unknown
# revision and a missing B are usage errors. Natively only: inside the
# sandbox the repository's .git is read-only (no worktree can be added).

. "$(dirname "$0")/../lib/tap.sh"
require_kvm "$@"
[ -z "${VIRQLAB_IN_SANDBOX:-}" ] ||
	skip_all "make ab adds git worktrees; in the sandbox the repository is read-only (run natively)"
. "$VIRQLAB_ROOT/scripts/lib/results.sh"
. "$VIRQLAB_ROOT/tests/lib/experiment.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool sqlite3

plan 23
note "kvm: $KVM_WHERE ($(scripts/kvm-flavour.sh))"
exp_scratch ab
ca=$(git rev-parse HEAD~1) cb=$(git rev-parse HEAD)
# Worktrees this test adds are removed at the end; ones already there stay.
made=
for c in $ca $cb; do [ -d "build/ab/$c" ] || made="$made $c"; done
cleanup() {
	for c in $made; do git worktree remove --force "build/ab/$c" 2>/dev/null; rm -f "build/ab/$c".*; done
	rm -rf "$t"
}
trap cleanup EXIT

make -s ab A=HEAD~1 B=HEAD WORKLOAD="$t/smoke200.conf" OUT="$t/ab" > "$t/out" 2> "$t/err"
rc=$?
like "make ab: exit 0 (same) or make's 2 (ab.sh exit 1, worse): $rc" '^[02]$' "$rc"
[ "$rc" = 0 ] || sed 's/^/# /' "$t/err"
case "$rc" in
0) like "... its last line says B is the same as A" "^ab: B \(HEAD\) is the same as A \(HEAD~1\)" "$(grep '^ab: ' "$t/err" | tail -1)" ;;
*) like "... its last line says B regressed" "^ab: B \(HEAD\) regressed against A \(HEAD~1\)" "$(grep '^ab: ' "$t/err" | tail -1)" ;;
esac
like "... compare.sh's table on stdout, A as BASE, B as NEW" \
	"# compare BASE $t/ab/A-$(git rev-parse --short "$ca") .*and NEW +$t/ab/B-$(git rev-parse --short "$cb")" \
	"$(paste -sd' ' "$t/out")"
ra=$t/ab/A-$(git rev-parse --short "$ca") rb=$t/ab/B-$(git rev-parse --short "$cb")
for side in A B; do
	if [ $side = A ]; then r=$ra c=$ca; else r=$rb c=$cb; fi
	is "$side: complete, 6 cells ok" "complete 6 6" \
		"$(meta_get "$r" status) $(meta_get "$r" cells_done) $(meta_get "$r" cells_ok)"
	is "$side: git_rev is its revision, clean" "$c no" "$(meta_get "$r" git_rev) $(meta_get "$r" git_dirty)"
	is "$side: its programs came from its worktree's build" "$(pwd -P)/build/ab/$c" "$(meta_get "$r" build_dir)"
	is "$side: that worktree is checked out at its revision" "$c" "$(git -C "build/ab/$c" rev-parse HEAD 2>&1)"
	is "$side: the runner was this checkout" "$(git rev-parse HEAD)" "$(meta_get "$r" harness_rev)"
done
# The order the cells ended in, by their status files' times.
order=$(for f in "$ra"/cells/*/status "$rb"/cells/*/status; do
	printf '%s %s\n' "$(stat -c %.9Y "$f")" "$(case "$f" in "$ra"/*) echo A ;; *) echo B ;; esac)"
done | sort -n | cut -d' ' -f2 | paste -sd' ')
is "the cells alternated A B A B ... (12 cells)" "A B A B A B A B A B A B" "$order"
is "history: both runs, at their revisions" "$ca complete,$cb complete" \
	"$(sqlite3 "$VIRQLAB_HISTORY" 'SELECT git_rev || " " || status FROM runs ORDER BY start, id;' | paste -sd,)"

# A failed cell: no verdict. Cells that cannot finish within their timeout.
cat > "$t/slow.conf" <<'CONF'
modes = inject
rates = 200
packets = 100000
repeats = 1
timeout = 2
CONF
scripts/ab.sh --workload "$t/slow.conf" --out "$t/slow" HEAD~1 HEAD > "$t/slow.out" 2> "$t/slow.err"
is "a cell failed: exit 2" 2 "$?"
like "... and it is said, naming the cell" "ab: .*A-[0-9a-f]+: 1 cell\(s\) failed: inject-200-1" "$(cat "$t/slow.err")"
like "... no verdict" "^ab: a cell failed \(above\): no verdict, exit 2$" "$(tail -1 "$t/slow.err")"

usage_error "an unknown revision" "^ab: no-such-rev: not a revision of this repository$" \
	scripts/ab.sh no-such-rev HEAD
make -s ab A=HEAD > /dev/null 2> "$t/noB"
is "make ab without B: exit 2" 2 "$?"
like "... saying B is needed" "^ab: one revision given: A and B are needed" "$(head -1 "$t/noB")"
done_testing
