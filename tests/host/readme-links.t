#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# readme-links.t - every reference in the READMEs resolves.
#
# Description: in README.md, results/README.md, workloads/README.md and
# probes/README.md (fenced and indented code blocks aside): each internal
# anchor [..](#anchor) is a heading of the same file, by GitHub's rule
# (lower case; punctuation but "-" and "_" dropped; a space is a "-"; the
# second heading of a name gets "-1"); each link [..](path) or
# [..](path#anchor) to a file of the checkout exists, relative to the
# README, and its anchor is a heading there; each section pointer
# 'README.md, "Title"' names a heading of that README; and each repository
# path in backquotes (a word starting scripts/, tests/, vmm-mini/, probes/,
# workloads/, results/ or guest-kernel-patch/) exists, relative to the
# checkout or to the README's folder, a glob matching at least one file.
# Not checked: build/ (what make makes), results/latest and
# results/history.sqlite (what runs make), paths with a placeholder (<...>,
# an upper-case word such as NAME or FLAVOUR, "..."), and addresses (http:,
# https:). The checker is itself run
# on a fixture with one good and one broken reference of each kind.
. "$(dirname "$0")/../lib/tap.sh"
cd "$VIRQLAB_ROOT" || exit 1

# slugs FILE: the GitHub anchor of each heading of FILE, one a line.
slugs() {
	awk '/^(```|~~~)/ { fence = !fence; next } fence { next }
		/^#+ / {
			s = $0; sub(/^#+ +/, "", s); s = tolower(s)
			gsub(/[^a-z0-9 _-]/, "", s); gsub(/ /, "-", s)
			n = seen[s]++; print n ? s "-" n : s
		}' "$1"
}

# prose FILE: FILE without its code blocks (fenced, or indented 4 or a tab
# after a blank line), which hold example commands, not references.
prose() {
	awk '/^(```|~~~)/ { fence = !fence; next } fence { next }
		/^(    |\t)/ && (blank || code) { code = 1; next }
		{ code = 0; blank = ($0 ~ /^[ \t]*$/); print }' "$1"
}

# bad_refs README: one line per reference that does not resolve.
bad_refs() {
	_r=$1 _d=$(dirname "$1")
	prose "$_r" > "$t/prose"
	slugs "$_r" > "$t/self"
	# [..](target): anchors and files.
	grep -oE '\]\([^) ]+\)' "$t/prose" | sed 's/^](//; s/)$//' | sort -u | while IFS= read -r l; do
		case "$l" in http:* | https:* | mailto:*) continue ;; esac
		f=${l%%#*} a=
		case "$l" in *'#'*) a=${l#*#} ;; esac
		if [ -z "$f" ]; then
			grep -qxF -- "$a" "$t/self" || echo "$_r: anchor (#$a): no such heading"
			continue
		fi
		if [ ! -e "$_d/$f" ]; then
			echo "$_r: link ($l): $_d/$f does not exist"
		elif [ -n "$a" ] && ! slugs "$_d/$f" | grep -qxF -- "$a"; then
			echo "$_r: link ($l): no heading #$a in $_d/$f"
		fi
	done
	# 'X/README.md, "Title"' section pointers (relative to the checkout).
	grep -oE '[A-Za-z/.-]*README(\.md)?, "[^"]+"' "$t/prose" | sort -u | while IFS= read -r p; do
		f=${p%%,*}
		case "$f" in *.md) ;; *) f=$f.md ;; esac
		[ -e "$f" ] || f=$_d/$f
		h=${p#*\"}
		h=$(printf '%s\n' "${h%\"}" | tr -d '`')
		sed -n 's/^#\{1,6\} //p' "$f" 2>/dev/null | tr -d '`' | grep -qxF -- "$h" ||
			echo "$_r: pointer ($p): no such section"
	done
	# Repository paths in backquotes.
	grep -oE '`[^`]+`' "$t/prose" | tr -d '`' | tr ' ' '\n' |
		grep -E '^(\./|\.\./)*(scripts|tests|vmm-mini|probes|workloads|results|guest-kernel-patch)/' |
		sed 's/[,;:.)]*$//' | sort -u | while IFS= read -r p; do
		case "$p" in
		*'<'* | *...* | results/latest | results/latest/* | results/history.sqlite) continue ;;
		esac
		printf '%s\n' "$p" | grep -qE '(^|/)[A-Z][A-Z_]+([./-]|$)' && continue
		# A glob matches a file; a plain path exists (here or beside the README).
		# shellcheck disable=SC2086
		set -- $p $_d/$p
		found=
		for m; do [ -e "$m" ] && found=1; done
		[ -n "$found" ] || echo "$_r: path \`$p\`: does not exist"
	done
}

plan 12
t=$BUILD/tmp/readme-links-t.$$
rm -rf "$t"
mkdir -p "$t"
trap 'rm -rf "$t"' EXIT

for r in README.md results/README.md workloads/README.md probes/README.md; do
	is "$r: every anchor, link, section pointer and path resolves" "" "$(bad_refs "$r")"
done

# The checker on a fixture: each kind of reference, good and broken.
f=$t/fx
mkdir -p "$f/docs" "$f/scripts"
: > "$f/scripts/real.sh"
printf '# Title\n\n## Two words: `code` here\n\n## Two words: code here\n\n## Other\n' > "$f/docs/other.md"
cat > "$f/docs/README.md" <<'EOF'
# Fixture

See [a](#fixture), [b](#two-words-code-here-1) is not here, [c](#no-such-anchor),
[d](other.md#two-words-code-here-1), [e](other.md#missing), [f](gone.md),
[g](https://example.org/x#y). Paths: `scripts/real.sh`, `scripts/*.sh`,
`scripts/gone.sh`, `scripts/*.none`, `results/latest`, `workloads/NAME.conf`.
Pointers: docs/README.md, "Fixture" and docs/README.md, "Gone".

    scripts/example-only.sh (a code block: not checked)
EOF
out=$(cd "$f" && bad_refs docs/README.md)
printf '%s\n' "$out" | sed 's/^/#   /'
like "fixture: an anchor that is no heading is reported" 'anchor \(#no-such-anchor\): no such heading' "$out"
like "fixture: ... and one of a duplicate heading not in this file" 'anchor \(#two-words-code-here-1\)' "$out"
like "fixture: a link to a missing file, and to a missing anchor elsewhere" \
	'link \(gone.md\): docs/gone.md does not exist' "$out"
like "fixture: ... a missing anchor in another file" 'link \(other.md#missing\): no heading #missing' "$out"
like "fixture: a path that does not exist" 'path `scripts/gone.sh`: does not exist' "$out"
like "fixture: a glob that matches nothing" 'path `scripts/\*\.none`: does not exist' "$out"
like "fixture: a section pointer to a missing section" 'pointer \(docs/README.md, "Gone"\)' "$out"
is "fixture: nothing else is reported (7 lines: the good ones, placeholders and code blocks pass)" 7 \
	"$(printf '%s\n' "$out" | wc -l)"
done_testing
