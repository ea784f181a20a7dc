#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Description: one provenance vocabulary in every committed result folder
# (results/README.md, "meta"). Each folder under results/baseline/ and
# results/examples/ has a meta (or costs-peer's FILE.meta); no meta uses a
# retired key (flavour, date, where, complete: kvm_flavour, start/end,
# kvm_where, status), git_dirty is yes or no, git_rev never carries
# "-dirty", host is a host name (not "kernel, CPU, N CPUs"); every key a
# run-experiment folder's meta holds is documented. And the derived files
# of every run-experiment folder are current: scripts/summarize.sh on a copy
# rewrites summary.tsv and results.json byte for byte. Nothing here needs KVM.

. "$(dirname "$0")/../lib/tap.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool jq

plan 8
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
folders=$(git ls-files results/baseline results/examples | cut -d/ -f1-3 | sort -u)
metas=$(git ls-files results/baseline results/examples | grep -E '/(meta|[^/]*\.meta|previous-meta)$')

is "every committed result folder has a meta" "" \
	"$(for d in $folders; do [ -f "$d/meta" ] || ls "$d"/*.meta > /dev/null 2>&1 || echo "$d"; done)"
is "no meta uses a retired key (flavour, date, where, complete)" "" \
	"$(for m in $metas; do awk -F'\t' -v f="$m" '$1 ~ /^(flavour|date|where|complete)$/ { print f ": " $1 }' "$m"; done)"
is "git_dirty is yes or no" "" \
	"$(for m in $metas; do awk -F'\t' -v f="$m" '$1 == "git_dirty" && $2 !~ /^(yes|no)$/ { print f ": " $2 }' "$m"; done)"
is "git_rev is a commit (40 hex digits), never with -dirty" "" \
	"$(for m in $metas; do awk -F'\t' -v f="$m" '$1 == "git_rev" && (length($2) != 40 || $2 ~ /[^0-9a-f]/) { print f ": " $2 }' "$m"; done)"
is "host is a host name" "" \
	"$(for m in $metas; do awk -F'\t' -v f="$m" '$1 == "host" && $2 ~ /[ ,]/ { print f ": " $2 }' "$m"; done)"

runs=$(for d in $folders; do [ -f "$d/plan.tsv" ] && echo "$d"; done)
undocumented=$(for d in $runs; do cut -f1 "$d/meta"; done | sort -u | while read -r k; do
	grep -q "\`$k\`" results/README.md || echo "$k"
done)
is "every key of a run-experiment meta is in results/README.md" "" "$undocumented"
is "every run-experiment folder has a results.json jq reads" "" \
	"$(for d in $runs; do jq -e '.version == 1' "$d/results.json" > /dev/null 2>&1 || echo "$d"; done)"
stale=$(for d in $runs; do
	rm -rf "$t/copy"
	mkdir "$t/copy"
	cp -r "$d/meta" "$d/plan.tsv" "$d/cells" "$t/copy/"
	scripts/summarize.sh "$t/copy" > /dev/null 2>&1
	cmp -s "$t/copy/summary.tsv" "$d/summary.tsv" || echo "$d/summary.tsv"
	# The same but for the run's name, the copy's directory.
	jq --arg n "$(basename "$d")" '.run = $n' "$t/copy/results.json" | cmp -s - "$d/results.json" ||
		echo "$d/results.json"
done)
is "summary.tsv and results.json are what summarize.sh makes of cells/ now" "" "$stale"
done_testing
