#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 16
# plots-committed.t - the figures committed under results/ work and are current.
#
# Description: for every committed results folder with a plots/ folder: each
# .gp there, run by gnuplot from a copy of that folder moved elsewhere (cd
# there; gnuplot NAME.gp), exits 0, says nothing on stderr and draws its PNG;
# and scripts/plot.sh, rerun on a copy of the folder's data (meta,
# workload.conf, plan.tsv, summary.tsv, the cells' status and lat.tsv, and the
# stored cdf-*.dat of a run kept without samples), writes the same files with
# the same .gp and .dat bytes as committed: a figure made by an older plot.sh
# fails here until `make plots RUN=DIR` redraws it. Every picture README.md
# shows is a committed file. Nothing here needs KVM.
. "$(dirname "$0")/../lib/tap.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool gnuplot

# committed: the tracked files under results/ (every file in a copy of the
# checkout without .git, as scripts/fresh-debian.sh makes).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	committed() { git ls-files -- results; }
else
	note "no git checkout (a copy): every file under results/ counts as committed"
	committed() { find results -type f; }
fi
runs=$(committed | sed -n 's|^\(results/.*\)/plots/[^/]*\.gp$|\1|p' | sort -u)
pics=$(sed -n 's/.*!\[[^]]*\](\([^)]*\)).*/\1/p' README.md)
gps=$(committed | grep -c '/plots/[^/]*\.gp$')
nruns=$(printf '%s\n' $runs | grep -c .)
npics=$(printf '%s\n' $pics | grep -c .)
plan $((gps + 2 * nruns + npics + 1))
check "there are committed figures (saw $nruns folders, $gps .gp files)" [ "$nruns" -ge 1 ]

t=$BUILD/tmp/plots-committed-t.$$
rm -rf "$t"
trap 'rm -rf "$t"' EXIT
for r in $runs; do
	w=$t/$(echo "$r" | tr / _)
	# The .gp files, from their own (moved) folder.
	mkdir -p "$w"
	cp -r "$r/plots" "$w/moved"
	rm -f "$w/moved"/*.png
	for g in "$w"/moved/*.gp; do
		n=${g##*/}
		err=$(cd "$w/moved" && gnuplot "$n" 2>&1) && rc=0 || rc=$?
		png=$w/moved/${n%.gp}.png
		is "$r/plots/$n: gnuplot from its own folder, moved: exit 0, quiet, a PNG" \
			"0||yes" "$rc|$err|$( [ -s "$png" ] && echo yes)"
	done

	# plot.sh again on the data alone: the same .gp and .dat.
	d=$w/run
	mkdir -p "$d/plots"
	for f in meta workload.conf plan.tsv summary.tsv; do
		[ -f "$r/$f" ] && cp "$r/$f" "$d/"
	done
	for c in "$r"/cells/*/; do
		[ -d "$c" ] || continue
		n=$(basename "$c")
		mkdir -p "$d/cells/$n"
		for f in status lat.tsv; do [ -f "$c$f" ] && cp "$c$f" "$d/cells/$n/"; done
	done
	[ -n "$(ls "$r"/cells/*/lat.tsv 2>/dev/null)" ] || cp "$r"/plots/cdf-*.dat "$d/plots/" 2>/dev/null
	out=$(scripts/plot.sh "$d" 2>&1) && rc=0 || rc=$?
	is "$r: scripts/plot.sh redraws it from its data (exit 0)" 0 "$rc"
	[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /' >&2
	diffs=$( (cd "$r/plots" && ls) > "$w/want"; (cd "$d/plots" && ls) > "$w/got"
		diff "$w/want" "$w/got" | sed -n 's/^[<>] /only one side: /p'
		for f in $(cd "$d/plots" && ls -- *.gp *.dat); do
			cmp -s "$r/plots/$f" "$d/plots/$f" || echo "differs: $f"
		done)
	is "$r: the committed figures are current (same files, same .gp and .dat; else make plots RUN=$r)" \
		"" "$diffs"
done

for p in $pics; do
	is "README.md shows $p, a committed file" "$p" "$(committed | grep -xF -- "$p")"
done
done_testing
