# SPDX-License-Identifier: GPL-2.0
# compare-text.awk - scripts/compare.sh's output for people and for prove:
# the rows of compare.awk as one aligned table (TAP comment lines; one
# column group per new run, lkp-tests style, headed by each run's git
# revision and KVM flavour), one ok / not ok per new run and metric and one
# for its cells, and the rule as a footer. -v metrics="M1 M2 ..." (rules
# order), revs="BASE<TAB>NEW1...", flavours (the same), alpha, rules,
# emulated, changed_only, forced ("" or why). Exit 1 on a regression.

function fmt(x, u) {
	if (x == "-" || x == "" || x !~ /^[-+.0-9eE]+$/) return x
	if (u == "packets/s" || u == "ns") return sprintf("%.0f", x)
	if (u == "pp") return sprintf("%.2f", x)
	if (u ~ /\/pkt$/) return sprintf("%.3f", x)
	return sprintf("%.4g", x)
}
function noise(cv) { return cv != "-" && cv != "" && cv + 0 > 2 ? sprintf("+-%d%%", cv + 0.5) : "" }
function vtext(v, why, test) {
	if (why == "" || why == "below the floor") return v
	return v " (" why ")"
}
# cell(r, c, s): table cell c of row r, aligned later.
function put(r, c, s) { T[r, c] = s; if (length(s) > W[c]) W[c] = length(s); if (c > ncol) ncol = c }
BEGIN {
	FS = "\t"
	nm = split(metrics, M, " ")
	nr = split(revs, REV, "\t"); nr--
	split(flavours, FL, "\t")
	lab = forced != "" ? "[forced]" : ""
}
NR == 1 { next }
{
	run = $1; m = $2; u = $3; c = $4
	if (!(run in ri)) { ri[run] = ++nrun; RN[nrun] = run }
	r = ri[run]
	key = m SUBSEP c
	if (!(key in ki)) { ki[key] = ++nk; KM[nk] = m; KC[nk] = c; KU[nk] = u; KB[nk] = $5; KBC[nk] = $7 }
	k = ki[key]
	ch = $11 == "-" ? "" : $11 ($12 == "pp" ? "pp" : "%")
	if (ch != "" && $17 != "same" && $17 != "n/a") ch = ch "*"
	CH[k, r] = ch; NV[k, r] = $8; NC[k, r] = $10
	TT[k, r] = $13 != "-" ? $13 " (" $15 ")" : $16 == "-" ? "" : "-"
	V[k, r] = $17; VT[k, r] = vtext($17, $19, $16); J[k, r] = $18
	# Per run and metric: the TAP line's counts.
	if ($18 == "yes") {
		cnt[r, m, $17]++
		if ($17 == "worse") worse[r, m] = worse[r, m] " " c "(" (ch == "" ? $19 : substr(ch, 1, length(ch) - 1)) ")"
	} else if ($17 != "same" && $17 != "n/a") unjudged[r, m]++
	else cnt[r, m, $17]++
}
END {
	# Heads: revisions, flavours, column names.
	put(1, 1, ""); put(1, 2, ""); put(1, 3, REV[1]); put(1, 4, "")
	put(2, 1, ""); put(2, 2, ""); put(2, 3, FL[1]); put(2, 4, "")
	put(3, 1, "metric"); put(3, 2, "cell"); put(3, 3, "base"); put(3, 4, "+-")
	for (r = 1; r <= nr; r++) {
		o = 4 + (r - 1) * 5
		put(1, o + 1, ""); put(1, o + 2, REV[r + 1]); put(1, o + 3, ""); put(1, o + 4, ""); put(1, o + 5, "")
		put(2, o + 1, ""); put(2, o + 2, FL[r + 1]); put(2, o + 3, ""); put(2, o + 4, ""); put(2, o + 5, "")
		put(3, o + 1, "%change"); put(3, o + 2, "new"); put(3, o + 3, "+-"); put(3, o + 4, "t (crit)"); put(3, o + 5, "verdict")
	}
	nrow = 3
	for (k = 1; k <= nk; k++) {
		changed = 0
		for (r = 1; r <= nr; r++) if ((k, r) in V && V[k, r] != "same") changed = 1
		if (changed_only && !changed) continue
		nrow++
		put(nrow, 1, KM[k]); put(nrow, 2, KC[k]); put(nrow, 3, fmt(KB[k], KU[k])); put(nrow, 4, noise(KBC[k]))
		for (r = 1; r <= nr; r++) {
			o = 4 + (r - 1) * 5
			if (!((k, r) in V)) { for (i = 1; i <= 5; i++) put(nrow, o + i, ""); continue }
			put(nrow, o + 1, CH[k, r]); put(nrow, o + 2, fmt(NV[k, r], KU[k])); put(nrow, o + 3, noise(NC[k, r]))
			put(nrow, o + 4, TT[k, r]); put(nrow, o + 5, VT[k, r])
		}
	}
	for (i = 1; i <= nrow; i++) {
		line = "#"
		for (c = 1; c <= ncol; c++) {
			s = T[i, c]
			left = c <= 2 || (c > 4 && (c - 4) % 5 == 0)
			if (c == ncol) line = line " " s
			else line = line " " sprintf(left ? "%-" W[c] "s" : "%" W[c] "s", s)
		}
		if (i > 3 && lab != "") line = line " " lab
		sub(/ +$/, "", line)
		print line
	}
	reg = 0; n = 0
	for (r = 1; r <= nr; r++) {
		on = nr > 1 ? " in " RN[r] : ""
		for (j = 1; j <= nm; j++) {
			m = M[j]; n++
			s = sprintf("%d same, %d better, %d worse", cnt[r, m, "same"], cnt[r, m, "better"], cnt[r, m, "worse"])
			if (cnt[r, m, "n/a"]) s = s ", " cnt[r, m, "n/a"] " n/a"
			if (unjudged[r, m]) printf "ok %d - %s%s: %s # SKIP %d changed, not judged on an emulated CPU%s\n", n, m, on, s, unjudged[r, m], lab == "" ? "" : " " lab
			else if (cnt[r, m, "worse"]) { reg = 1; printf "not ok %d - %s%s: worse in%s (%s)%s\n", n, m, on, worse[r, m], s, lab == "" ? "" : " " lab }
			else printf "ok %d - %s%s: %s%s\n", n, m, on, s, lab == "" ? "" : " " lab
		}
		n++
		lost = ""
		for (k = 1; k <= nk; k++)
			if ((KM[k] == "cells" || KM[k] == "status") && V[k, r] == "worse" && J[k, r] == "yes") {
				w = VT[k, r]; sub(/^worse \(/, "", w); sub(/\)$/, "", w)
				lost = lost (lost == "" ? "" : "; ") (KM[k] == "status" ? "" : KC[k] " ") w
			}
		if (lost != "") { reg = 1; printf "not ok %d - cells%s: %s%s\n", n, on, lost, lab == "" ? "" : " " lab }
		else printf "ok %d - cells%s: none lost, none newly failed, run status unchanged or complete%s\n", n, on, lab == "" ? "" : " " lab
	}
	print "# rule (scripts/compare.rules; results/README.md, \"Verdicts\"): a cell is better or worse only if"
	print "#   (1) its median moved by at least max(min_rel x |base median|, floor), the effect that matters, AND"
	printf "#   (2) Welch's two-sided t-test on the repeats is significant at alpha = %s, the mean moving as the median did;\n", alpha
	print "#   else same. t (crit): Welch's t and the critical value at its degrees of freedom (rounded down to a tabled df)."
	print "#   Few repeats make the test weak: with 3 a side only a shift of several standard deviations passes it, and"
	print "#   normality cannot be checked on 3 values. Under 2 repeats on a side it is not testable: that verdict rests"
	print "#   on the floor alone and says \"floor only\". A base cell missing from NEW, or with more failed repeats in"
	print "#   NEW, is worse, and so is a NEW run status other than complete. Values in each metric's own unit (its name:"
	print "#   _ns nanoseconds, _pps packets/s, _pct percent, changes of _pct in percentage points); +-: coefficient of"
	print "#   variation over the repeats, shown above 2 %; * marks a change whose verdict is not same."
	if (emulated) print "#   An emulated CPU took part: metrics marked report in the rules (latency) are shown, never counted."
	if (forced != "") print "#   [forced]: " forced ": compared only because of --force; no verdict here stands for a change of code."
	exit reg
}
