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
#
# Prose (outside tables and ``` blocks; a paragraph or a list item is one
# unit): a unit that quotes a ratio must name its source the same way, within
# the unit itself, and each ratio must be found in that source: a number in
# the top-level files of the source folder (its summaries, not cells/) that
# rounds to the figure at the figure's precision (a percentage: it or a
# fraction x 100), or an annotation in the unit, <!-- FIG = A / B -->, whose
# A and B are such numbers and whose quotient (x 100 for a percentage)
# rounds to FIG. A ratio: a number followed by "×", "x" or " times" (not
# "N times in M", a count), a percentage ("N %"), or a number with a decimal
# point not followed by a unit (µs, ms, ns, s, M, k, G, MHz, GHz). Not
# figures: text in `code` spans, version numbers (after QEMU, Debian,
# kernel, version, Linux), thresholds after ≥, ≤, <, >, "above", "below",
# "under", "over", a unit's quantity range (12.7–18.1 k), and the numbers a
# unit lists in <!-- constants: N ... --> (definitions such as a significance
# level, not measurements: the marker says so where a reviewer sees it).
# Output: "FILE:LINE: ok: prose SOURCE" or "FILE:LINE: prose: <what>".

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

function check_file(    i, b, code, a) {
	for (i = 1; i < nl; i++) {
		if (L[i] !~ /^[ \t]*\|/ || L[i + 1] !~ /^[ \t]*\|[ \t]*:?-+/)
			continue
		for (b = i + 1; b < nl && L[b + 1] ~ /^[ \t]*\|/; b++)
			;
		check_table(i, b)
		i = b
	}
	# Prose units: blank lines, headings, tables, code fences and list items
	# bound them.
	code = 0
	a = 0
	for (i = 1; i <= nl + 1; i++) {
		if (i <= nl && L[i] ~ /^[ \t]*```/) {
			if (a)
				check_prose(a, i - 1)
			a = 0
			code = !code
			continue
		}
		if (i > nl || code || L[i] ~ /^[ \t]*$/ || L[i] ~ /^[ \t]*(#|\|)/ ||
		    L[i] ~ /^[ \t]*([-*+]|[0-9]+\.)[ \t]/) {
			if (a)
				check_prose(a, i - 1)
			a = 0
			if (i <= nl && !code && L[i] ~ /^[ \t]*([-*+]|[0-9]+\.)[ \t]/)
				a = i
			continue
		}
		if (!a)
			a = i
	}
}

# The unit's text with `code` spans and <!-- comments --> removed.
function plain(s) {
	gsub(/`[^`]*`/, " ", s)
	gsub(/<!--[^>]*-->/, " ", s)
	return s
}

function num(w) { gsub(/,/, "", w); return w + 0 }
function decimals(w) { return match(w, /\.[0-9]+$/) ? RLENGTH - 1 : 0 }
# x rounds to the figure f written with d decimals.
function rounds(x, f, d,    h) {
	h = 0.5 * 10 ^ -d
	return x >= f - h - 1e-9 && x < f + h - 1e-12
}

# The numbers in the top-level files of result folder p (read once).
function load(p,    f, l, w, q) {
	if (p in loaded)
		return
	loaded[p] = 1
	for (f in file) {
		if (dirname(f) != p)
			continue
		while ((getline l < f) > 0) {
			while (match(l, /[0-9][0-9,]*(\.[0-9]+)?/)) {
				w = substr(l, RSTART, RLENGTH)
				l = substr(l, RSTART + RLENGTH)
				q = p SUBSEP (++nnum[p])
				val[q] = num(w)
			}
		}
		close(f)
	}
}

# Some number of folder p rounds to f at d decimals (pct: or 100 x it does).
function found(p, f, d, pct,    i) {
	load(p)
	for (i = 1; i <= nnum[p]; i++)
		if (rounds(val[p, i], f, d) || (pct && rounds(100 * val[p, i], f, d)))
			return 1
	return 0
}

function found_any(srcs, f, d, pct,    n, k, s) {
	n = split(srcs, s, " ")
	for (k = 1; k <= n; k++)
		if (found(s[k], f, d, pct))
			return 1
	return 0
}

# Check prose lines a..b: its ratios, its source, each ratio found there.
function check_prose(a, b,    i, s, t, p, w, pre, post, kind, figs, nf, fk, good, bad, seen,
		     what, ann, n, k, x, y, f, d, pct, A, B, fw, fd, fq) {
	t = ""
	for (i = a; i <= b; i++)
		t = t " " L[i]
	# <!-- constants: N N ... -->: those numbers of the unit are definitions
	# (a significance level, a table's critical values), not measurements.
	split("", constant)
	s = t
	while (match(s, /<!-- *constants:[^>]*-->/)) {
		x = substr(s, RSTART, RLENGTH)
		s = substr(s, RSTART + RLENGTH)
		sub(/<!-- *constants:/, "", x)
		sub(/-->/, "", x)
		n = split(x, y, /[ ,;]+/)
		for (k = 1; k <= n; k++)
			if (y[k] != "")
				constant[" " y[k] " "] = 1
	}
	s = plain(t)
	nf = 0
	while (match(s, /[0-9][0-9,]*(\.[0-9]+)?/)) {
		pre = substr(s, 1, RSTART - 1)
		w = substr(s, RSTART, RLENGTH)
		post = substr(s, RSTART + RLENGTH)
		s = post
		if (pre ~ /[A-Za-z0-9_.\/-]$/ || post ~ /^[A-Za-z0-9_]/ || post ~ /^[.,][0-9]/ ||
		    post ~ /^\.\./ || pre ~ /\.\.$/)
			continue
		if (pre ~ /(QEMU|Debian|kernel|version|Linux|[Kk]ernel) $/)
			continue
		if (pre ~ /(≥|≤|<|>|above|below|under|over) ?$/)
			continue
		# A quantity range, 12.7–18.1 k: the unit after the second number.
		if (post ~ /^ ?(–|-) ?[0-9][0-9,]*(\.[0-9]+)? ?(µs|us|ms|ns|s|M|k|K|G|MHz|GHz|GB|MB)([^A-Za-z0-9_]|$)/)
			continue
		kind = ""
		if (post ~ /^ ?(×|x([^A-Za-z0-9_]|$))/ || (post ~ /^ times/ && post !~ /^ times in /))
			kind = "times"
		else if (post ~ /^ ?%/)
			kind = "pct"
		else if (w ~ /\./ && post !~ /^ ?(µs|us|ms|ns|s|M|k|K|G|MHz|GHz|GB|MB)([^A-Za-z0-9_]|$)/)
			kind = "dec"
		if (kind == "")
			continue
		if ((" " w " ") in constant)
			continue
		figs[++nf] = w
		fk[nf] = kind
	}
	if (!nf)
		return
	# Sources named in the unit (the same rule as for tables).
	good = ""
	bad = ""
	split("", seen)
	s = t
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
		else if (p in dir && p in hasmeta)
			good = good (good == "" ? "" : " ") p
		else if (p in file && dirname(p) in hasmeta)
			good = good (good == "" ? "" : " ") dirname(p)
	}
	what = ""
	if (good == "")
		what = "quotes" figlist(figs, nf) " but names no committed result folder with meta"
	if (bad != "")
		what = what (what == "" ? "" : "; ") "named but missing:" bad
	if (what == "") {
		# Annotations: <!-- FIG = A / B -->, several allowed.
		split("", ann)
		s = t
		while (match(s, /<!--[^>]*-->/)) {
			x = substr(s, RSTART + 4, RLENGTH - 7)
			s = substr(s, RSTART + RLENGTH)
			n = split(x, y, ";")
			for (k = 1; k <= n; k++)
				if (match(y[k], /[0-9][0-9,.]* *= *[0-9][0-9,.]* *\/ *[0-9][0-9,.]*/)) {
					f = substr(y[k], RSTART, RLENGTH)
					gsub(/ /, "", f)
					split(f, A, /[=\/]/)
					ann[A[1]] = A[2] " " A[3]
				}
		}
		for (i = 1; i <= nf; i++) {
			fw = figs[i]
			fd = decimals(fw)
			fq = num(fw)
			pct = fk[i] == "pct"
			if (found_any(good, fq, fd, pct))
				continue
			if (fw in ann) {
				split(ann[fw], B, " ")
				if (!found_any(good, num(B[1]), decimals(B[1]), 0) ||
				    !found_any(good, num(B[2]), decimals(B[2]), 0))
					what = what (what == "" ? "" : "; ") fw " = " B[1] " / " B[2] \
						": an operand is not in " good
				else if (num(B[2]) == 0 || !rounds((pct ? 100 : 1) * num(B[1]) / num(B[2]), fq, fd))
					what = what (what == "" ? "" : "; ") fw " = " B[1] " / " B[2] \
						": the quotient is " sprintf("%.4f", (pct ? 100 : 1) * num(B[1]) / (num(B[2]) ? num(B[2]) : 1))
				continue
			}
			what = what (what == "" ? "" : "; ") fw " not found in " good \
				" (top-level files) and no <!-- " fw " = A / B -->"
		}
	}
	if (what != "") {
		printf "%s:%d: prose: %s\n", fname, a, what
		failed = 1
	} else {
		printf "%s:%d: ok: prose %s\n", fname, a, good
	}
}

function figlist(figs, nf,    i, s) {
	for (i = 1; i <= nf; i++)
		s = s " " figs[i]
	return s
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
