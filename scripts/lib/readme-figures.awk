# SPDX-License-Identifier: GPL-2.0
# readme-figures.awk - every table of measured figures in a README names, beside
# it, the committed result folder it comes from (issue 15, Build 1). Run by
# tests/host/readme-figures.t, whose header states the rule in full.
#
# Input: first a list of the checkout's committed files, one path per line from
# the checkout root (git ls-files, present on disk), then the READMEs. Options:
# -v before=12 -v after=6 (the lines around a table searched for its source).
# Output, one line per figure table: "FILE:LINE: ok: SOURCE" or "FILE:LINE:
# figure table '<header>': <what is missing>"; exit 1 when any table lacks a
# source, 0 otherwise.
#
# A figure table: a markdown table (a line starting with "|", the next line a
# "|---|" separator; leading blanks allowed) of which a body cell holds a
# figure: a number of three digits or more (1,000-style groups allowed) or with
# a decimal point, as a word of its own (not part of lat_p50_ns, 0x10, x2APIC).
# Documentation tables whose cells hold such numbers for other reasons (exit
# codes, columns, keys) are exempt by their header line: the list below.
# Its source: a path results/... (or ../results/...) named in the table or
# within `before` lines above it or `after` lines below, that is committed and
# either is a result folder holding a file "meta" or "*.meta", or is such a
# file, or a file in such a folder. Every results/... path named there must be
# committed; at least one must be a source.

BEGIN {
	if (before == "")
		before = 12
	if (after == "")
		after = 6
	# Documentation tables, by header line (blanks squeezed): numbers there are
	# exit codes, column formulas, key defaults and ranges, and cells per plan
	# (what --dry-run prints), not measurements.
	exempt["| code | meaning |"] = 1
	exempt["| key | value | default | meaning |"] = 1
	exempt["| column | meaning |"] = 1
	exempt["| file | what it is for | cells (sandbox) |"] = 1
}

function dirname(p) { return sub(/\/[^\/]*$/, "", p) ? p : "." }
function basename(p) { sub(/.*\//, "", p); return p }
function ismeta(p) { p = basename(p); return p == "meta" || p ~ /\.meta$/ }

# A word of digits, dots and commas that is a figure: 3+ digits, 1,000-style
# groups, or a decimal point.
function isfigure(w) {
	sub(/[.,]+$/, "", w)
	return w ~ /^[0-9][0-9][0-9]+$/ || w ~ /^[0-9][0-9]?[0-9]?(,[0-9][0-9][0-9])+$/ ||
		w ~ /^[0-9]+\.[0-9]+$/
}

# The cell text s holds a figure as a word of its own.
function hasfigure(s,    pre, w) {
	while (match(s, /[0-9][0-9.,]*/)) {
		pre = substr(s, RSTART - 1, 1)
		w = substr(s, RSTART, RLENGTH)
		s = substr(s, RSTART + RLENGTH)
		if ((RSTART == 1 || pre !~ /[A-Za-z0-9_]/) && s !~ /^[A-Za-z0-9_]/ && isfigure(w))
			return 1
	}
	return 0
}

function squeeze(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	gsub(/[ \t]+/, " ", s)
	return s
}

# Check the table of lines a..b of the current file; h is its header line.
function check_table(a, b,    i, j, n, c, fig, lo, hi, s, p, good, bad, seen, what) {
	fig = 0
	for (i = a + 2; i <= b && !fig; i++) {
		n = split(L[i], c, /\|/)
		for (j = 2; j < n && !fig; j++)
			fig = hasfigure(c[j])
	}
	if (!fig || (squeeze(L[a]) in exempt))
		return
	lo = a - before < 1 ? 1 : a - before
	hi = b + after > nl ? nl : b + after
	good = ""
	bad = ""
	split("", seen)
	for (i = lo; i <= hi; i++) {
		s = L[i]
		while (match(s, /(\.\.\/)*results\/[A-Za-z0-9_.\/*-]*/)) {
			p = substr(s, RSTART, RLENGTH)
			s = substr(s, RSTART + RLENGTH)
			sub(/^(\.\.\/)+/, "", p)
			sub(/[.,]+$/, "", p)
			sub(/\/+$/, "", p)
			if (p in seen)
				continue
			seen[p] = 1
			if (!(p in file) && !(p in dir))
				bad = bad " " p " (not committed)"
			else if ((p in dir && p in hasmeta) || (p in file && (ismeta(p) || dirname(p) in hasmeta)))
				good = good (good == "" ? "" : " ") p
		}
	}
	what = ""
	if (good == "")
		what = "no committed result folder with meta named within " before " lines above or " \
			after " below"
	if (bad != "")
		what = what (what == "" ? "" : "; ") "named but missing:" bad
	if (what != "") {
		printf "%s:%d: figure table '%s': %s\n", fname, a, squeeze(L[a]), what
		failed = 1
	} else {
		printf "%s:%d: ok: %s\n", fname, a, good
	}
}

function check_file(    i, b) {
	for (i = 1; i < nl; i++) {
		if (L[i] !~ /^[ \t]*\|/ || L[i + 1] !~ /^[ \t]*\|[ \t]*:?-+/)
			continue
		for (b = i + 1; b < nl && L[b + 1] ~ /^[ \t]*\|/; b++)
			;
		check_table(i, b)
		i = b
	}
}

FNR == 1 && NR > FNR && nl > 0 {
	check_file()
	nl = 0
}
FNR == 1 {
	fname = FILENAME
}
NR == FNR {
	file[$0] = 1
	if (ismeta($0))
		hasmeta[dirname($0)] = 1
	for (p = dirname($0); p != "."; p = dirname(p))
		dir[p] = 1
	next
}
{
	L[++nl] = $0
}
END {
	if (nl > 0)
		check_file()
	exit failed
}
