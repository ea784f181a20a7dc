#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# readme-figures.t - every figure table in a README names, beside it, the
# committed result folder it comes from (issue 15, Build 1).
#
# Description: the READMEs README.md, probes/README.md, results/README.md and
# workloads/README.md are read by scripts/lib/readme-figures.awk. A figure
# table is a markdown table (a "|" line followed by a "|---|" line, leading
# blanks allowed) with at least one body cell holding a figure: a number of
# three digits or more (1,000-style groups allowed) or with a decimal point, as
# a word of its own (lat_p50_ns, 0x10 and x2APIC hold none). Exempt, by their
# header line, are the documentation tables whose numbers are codes, formulas,
# defaults or plan sizes: "| code | meaning |", "| column | meaning |",
# "| key | value | default | meaning |", "| file | what it is for | cells
# (sandbox) |". A figure table passes when the table itself, the 12 lines above
# it or the 6 below name a path results/... (or ../results/...) that git
# tracks, is present, and is a result folder holding "meta" or "*.meta", or
# such a file, or a file in such a folder; and every results/... path named
# there is tracked. A failure names the README, the table's first line and
# what is missing. Prose outside tables: a paragraph or list item quoting a
# ratio (N×, N times, N %, a decimal without a unit) names such a source
# itself, and each ratio is found in the source's top-level files (rounded to
# the figure's precision) or derived from two numbers found there by an
# annotation <!-- F = A / B --> (the rule in full: readme-figures.awk). The
# checker is itself tested on a fixture checkout: a table with no source, one
# naming a missing folder, one naming a folder without meta, one naming an
# untracked folder, and a source just out of reach are reported; a sourced
# table, a "*.meta" source and the exempt and figure-free tables are not; a
# ratio with no source, one not in the source's files, an annotation with a
# wrong quotient or a foreign operand are reported; found and correctly
# annotated ratios are not, nor version numbers, code, thresholds, counts,
# or the numbers a <!-- constants: ... --> marker lists (and only those).
. "$(dirname "$0")/../lib/tap.sh"
require_tool git
cd "$VIRQLAB_ROOT" || exit 1

# committed ROOT: the files git tracks under ROOT/results that are present.
# A copy of the checkout without its .git (scripts/fresh-debian.sh copies
# the tracked files into a bare Debian tree) has every file present: there
# all of them count, and the test says so.
committed() {
	if ! git -C "$1" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		note "$1 is no git checkout (a copy): every file under results/ counts as committed"
		(cd "$1" && find results -type f)
		return
	fi
	git -C "$1" ls-files -- results | while IFS= read -r f; do
		[ -e "$1/$f" ] && printf '%s\n' "$f"
	done
}

# figures ROOT README...: the checker's lines for READMEs of the checkout ROOT.
figures() {
	_root=$1
	shift
	committed "$_root" > "$t/list"
	(cd "$_root" && awk -f "$VIRQLAB_ROOT/scripts/lib/readme-figures.awk" "$t/list" "$@")
}

plan 22
t=$BUILD/tmp/readme-figures-t.$$
rm -rf "$t"
mkdir -p "$t"
trap 'rm -rf "$t"' EXIT

for r in README.md probes/README.md results/README.md workloads/README.md; do
	out=$(figures . "$r") && rc=0 || rc=$?
	if [ "$rc" = 0 ]; then
		ok "$r: every figure table and prose ratio names its committed result folder"
	else
		not_ok "$r: every figure table and prose ratio names its committed result folder (exit $rc)"
		printf '%s\n' "$out" | grep -v ': ok: ' | sed 's/^/# /' >&2
	fi
done
n=$(figures . README.md | grep -c ': ok: ')
check "README.md: the checker sees its figure tables (4 or more, saw $n)" [ "$n" -ge 4 ]

# The fixture checkout: a result folder with meta, one with costs.tsv.meta,
# one without meta, one with meta that git does not track.
f=$t/fixture
mkdir -p "$f/results/examples/good" "$f/results/examples/peer" "$f/results/examples/nometa" \
	"$f/results/examples/untracked"
for x in good/meta good/summary.txt peer/costs.tsv peer/costs.tsv.meta nometa/summary.txt \
	untracked/meta; do
	echo x > "$f/results/examples/$x"
done
# What the prose fixtures quote: figures in good/'s summary, one in cells/ (out of reach).
printf 'exit\t24850\t25202\tratio 0.9861\tloss 0.258\n' > "$f/results/examples/good/summary.txt"
mkdir -p "$f/results/examples/good/cells/a"
printf 'deep\t0.4321\n' > "$f/results/examples/good/cells/a/stats.tsv"
git -C "$f" init -q
git -C "$f" add results/examples/good results/examples/peer results/examples/nometa

# table HEADER ROW: a table whose first line is line $((lines + 1)), padded
# below and above with 20 lines of prose so that no two tables share a window.
pad() { for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo "prose $i"; done; }
at() { echo $(($(wc -l < "$f/README.md") + 1)); }
{ echo "# fixture"; pad; } > "$f/README.md"
no_source=$(at)
printf '| op | cycles |\n|---|---|\n| exit | 24,850 |\n' >> "$f/README.md"
pad >> "$f/README.md"
echo "From \`results/examples/good/\`:" >> "$f/README.md"
sourced=$(at)
printf '| op | cycles |\n|---|---|\n| exit | 0.99 |\n' >> "$f/README.md"
pad >> "$f/README.md"
missing=$(at)
printf '| op | cycles |\n|---|---|\n| exit | 1,000 |\n' >> "$f/README.md"
echo "Source: results/examples/gone/." >> "$f/README.md"
pad >> "$f/README.md"
echo "Source: results/examples/nometa/summary.txt, results/examples/untracked/" >> "$f/README.md"
nometa=$(at)
printf '| op | cycles |\n|---|---|\n| exit | 136720 |\n' >> "$f/README.md"
pad >> "$f/README.md"
echo "Source: \`results/examples/peer/costs.tsv.meta\`" >> "$f/README.md"
meta_file=$(at)
printf '  | op | cycles |\n  |---|---|\n  | exit | 1.01 |\n' >> "$f/README.md"
pad >> "$f/README.md"
echo "Source, one line too far up: results/examples/good/" >> "$f/README.md"
pad | head -12 >> "$f/README.md"
far=$(at)
printf '| op | cycles |\n|---|---|\n| exit | 2.7 |\n' >> "$f/README.md"
pad >> "$f/README.md"
printf '| code | meaning |\n|---|---|\n| 124 | timeout |\n' >> "$f/README.md"
pad >> "$f/README.md"
printf '| column | x |\n|---|---|\n| `lat_p50_ns`, 0x10, x2APIC | 1 of 2 |\n' >> "$f/README.md"
pad >> "$f/README.md"

# Prose: a unit (paragraph or list item) quoting a ratio names its source and
# the ratio is found there, or derived there by an annotation <!-- F = A / B -->.
prose() { echo >> "$f/README.md"; at; printf '%s\n' "$@" "" >> "$f/README.md"; }
p_nosrc=$(prose "Unsourced: the method is 24.6× faster.")
p_found=$(prose "From results/examples/good/: the ratio is 0.99, the loss 25.8 %," \
	"and 64 times in 100 it is a count, not a ratio.")
p_absent=$(prose "From results/examples/good/: 0.43 (only in cells/, out of reach).")
p_ann=$(prose "- From \`results/examples/good/\`: 1.01 of vmm-mini's <!-- 1.01 = 25202 / 24850 -->.")
p_bad=$(prose "- From results/examples/good/: 0.74 of QEMU's <!-- 0.74 = 24850 / 25202 -->.")
p_op=$(prose "From results/examples/good/: 2.00 <!-- 2.00 = 50000 / 25000 -->.")
p_const=$(prose "From results/examples/good/: at alpha 0.05 <!-- constants: 0.05 -->, a ratio of 0.77.")
prose "No figures: \`--rate 0.5\`, QEMU 7.2, Debian 6.1, a target ≥ 0.97, 12.7–18.1 k pps, 0.6 µs." > /dev/null

out=$(figures "$f" README.md) && rc=0 || rc=$?
printf '%s\n' "$out" | sed 's/^/#   /'
tables=$(printf '%s\n' "$out" | grep -Ev '^README.md:[0-9]+: (ok: )?prose')
is "fixture: a table without a source fails the file" 1 "$rc"
like "fixture: a figure table with no source nearby is reported" \
	"^README.md:$no_source: figure table '\| op \| cycles \|': no committed result folder" "$out"
like "fixture: a table beside a committed folder with meta passes" \
	"^README.md:$sourced: ok: results/examples/good\$" "$out"
like "fixture: a table naming a folder that does not exist is reported" \
	"^README.md:$missing: .*no committed result folder.*missing: results/examples/gone \(not committed\)" \
	"$out"
like "fixture: a folder without meta and an untracked folder are reported" \
	"^README.md:$nometa: .*no committed result folder.*results/examples/untracked \(not committed\)" \
	"$out"
like "fixture: a costs.tsv.meta file is a source (indented table)" \
	"^README.md:$meta_file: ok: results/examples/peer/costs.tsv.meta\$" "$out"
like "fixture: a source 13 lines above the table is out of reach" \
	"^README.md:$far: figure table .*: no committed result folder" "$out"
is "fixture: exempt and figure-free tables give no line (6 tables seen)" 6 \
	"$(printf '%s\n' "$tables" | wc -l)"
is "fixture: the reported tables are exactly the four without a source" \
	"$no_source $missing $nometa $far" \
	"$(printf '%s\n' "$tables" | grep -v ': ok: ' | cut -d: -f2 | tr '\n' ' ' | sed 's/ $//')"
like "fixture prose: a ratio with no source in its paragraph is reported" \
	"^README.md:$p_nosrc: prose: quotes 24.6 but names no committed result folder" "$out"
like "fixture prose: a ratio and a percentage found in the source's files pass (N times in M is a count)" \
	"^README.md:$p_found: ok: prose results/examples/good\$" "$out"
like "fixture prose: a figure only in the source's cells/ is not found" \
	"^README.md:$p_absent: prose: 0.43 not found in results/examples/good .*no <!-- 0.43 = A / B -->" "$out"
like "fixture prose: an annotation whose operands are there and whose quotient rounds to it passes" \
	"^README.md:$p_ann: ok: prose results/examples/good\$" "$out"
like "fixture prose: an annotation whose quotient does not round to the figure is reported" \
	"^README.md:$p_bad: prose: 0.74 = 24850 / 25202: the quotient is 0.9860" "$out"
like "fixture prose: an annotation whose operands are not in the source is reported" \
	"^README.md:$p_op: prose: 2.00 = 50000 / 25000: an operand is not in results/examples/good" "$out"
like "fixture prose: a constants marker exempts the numbers it lists, and only those" \
	"^README.md:$p_const: prose: 0.77 not found in results/examples/good " "$out"
is "fixture prose: codes, versions, thresholds and quantities are no ratios (7 prose lines)" 7 \
	"$(printf '%s\n' "$out" | grep -Ec '^README.md:[0-9]+: (ok: )?prose')"
done_testing
