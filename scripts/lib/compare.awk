# SPDX-License-Identifier: GPL-2.0
# compare.awk - scripts/compare.sh's verdicts, one rule (results/README.md,
# "Verdicts"; thresholds in scripts/compare.rules). Input: the base run's
# summary.tsv, then each new run's. -v rules=FILE, emulated=0|1,
# runs="PATH<TAB>..." (the new runs, in order), status="S0<TAB>S1..." (meta
# status of base and new runs), forced="why" or "". Output: the rows of
# compare's TSV (results/README.md, "compare.sh output"), one per new run,
# metric and cell, then one per cell whose coverage changed and one per run
# for the run status; exit 2 on bad input.

function abs(x) { return x < 0 ? -x : x }
function bad(msg) { print "compare: " msg > "/dev/stderr"; failed = 1; exit 2 }
function num(x) { return x == "" || x == "-" ? "-" : x }

# tcrit(df): the two-sided critical value of Student's t at level alpha.
# df is rounded down to a tabled value (1..30, 40, 60, 120), which makes
# the test a little conservative between entries; a t-table's standard
# quantiles t(1 - alpha/2, df).
function tcrit(df,    i) {
	if (df < 1) df = 1
	if (df <= 30) i = int(df)
	else if (df < 40) i = 30
	else if (df < 60) i = 31
	else if (df < 120) i = 32
	else i = 33
	return T[i]
}

# welch(side): t and df of Welch's test between base and side for metric m
# in cell c, into WT and WDF; returns 0 when not testable (under two
# repeats, or no mean or sd in a summary).
function welch(s, c, m,    nb, nn, a, b, se, d) {
	nb = nrep[0, c]; nn = nrep[s, c]
	if (nb < 2 || nn < 2) return 0
	if (mean[0, c, m] == "-" || mean[s, c, m] == "-" || sd[0, c, m] == "-" || sd[s, c, m] == "-") return 0
	if (mean[0, c, m] == "" || sd[0, c, m] == "" || mean[s, c, m] == "" || sd[s, c, m] == "") return 0
	a = sd[0, c, m] ^ 2 / nb; b = sd[s, c, m] ^ 2 / nn
	d = mean[s, c, m] - mean[0, c, m]
	if (a + b == 0) {
		# Every repeat alike on both sides: any difference is certain.
		WT = d == 0 ? 0 : (d > 0 ? "inf" : "-inf"); WDF = nb + nn - 2
		return 1
	}
	se = sqrt(a + b)
	WT = d / se
	WDF = (a + b) ^ 2 / (a ^ 2 / (nb - 1) + b ^ 2 / (nn - 1))
	return 1
}

# row RUN METRIC UNIT CELL BASE BN BCOV NEW NN NCOV CHANGE CHUNIT T DF TCRIT TEST VERDICT JUDGED WHY
function row(r, m, u, c, b, bn, bc, n, nn, nc, ch, cu, t, df, tc, test, v, j, why) {
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t1\n",
		R[r], m, u, c, b, bn, bc, n, nn, nc, ch, cu, t, df, tc, test, v, j, why, forced
}

BEGIN {
	FS = "\t"
	T["0.10"] = "6.314 2.920 2.353 2.132 2.015 1.943 1.895 1.860 1.833 1.812 1.796 1.782 1.771 1.761 1.753 1.746 1.740 1.734 1.729 1.725 1.721 1.717 1.714 1.711 1.708 1.706 1.703 1.701 1.699 1.697 1.684 1.671 1.658"
	T["0.05"] = "12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042 2.021 2.000 1.980"
	T["0.01"] = "63.657 9.925 5.841 4.604 4.032 3.707 3.499 3.355 3.250 3.169 3.106 3.055 3.012 2.977 2.947 2.921 2.898 2.878 2.861 2.845 2.831 2.819 2.807 2.797 2.787 2.779 2.771 2.763 2.756 2.750 2.704 2.660 2.617"
	while ((getline l < rules) > 0) {
		if (l ~ /^[ \t]*(#|$)/) continue
		n = split(l, w, /[ \t]+/)
		if (w[1] == "alpha") { alpha = w[2]; continue }
		if (n < 6 || (w[2] != "lower" && w[2] != "higher")) bad(rules ": bad line: " l)
		if (w[3] !~ /^(-|[0-9.]+%)$/) bad(rules ": min_rel must be N% or -: " l)
		if (w[6] != "judge" && w[6] != "report") bad(rules ": the 6th column must be judge or report: " l)
		nm++; met[nm] = w[1]; dir[w[1]] = w[2]; floor[w[1]] = w[4] + 0; unit[w[1]] = w[5]
		rel[w[1]] = w[3] == "-" ? 0 : (w[3] + 0) / 100
		report[w[1]] = emulated && w[6] == "report"
	}
	if (!nm) bad(rules ": no metrics")
	if (!(alpha in T)) bad(rules ": alpha must be 0.10, 0.05 or 0.01 (the levels tabled in scripts/lib/compare.awk), not '" alpha "'")
	split(T[alpha], tv, " "); for (i in tv) T[i] = tv[i]
	nr = split(runs, R, "\t")
	split(status, S, "\t")
	side = -1
}
FNR == 1 {
	side++
	sub(/^#/, "")
	for (i = 1; i <= NF; i++) col[side, $i] = i
	for (k = 1; k <= nm; k++)
		if (!((side, met[k]) in col)) bad((side ? R[side] : "base") ": no column " met[k] " in its summary.tsv")
	next
}
{
	c = $1 "@" ($2 == 0 ? "max" : $2)
	if (!(c in known)) { known[c] = 1; order[++nc] = c }
	has[side, c] = 1
	nrep[side, c] = $(col[side, "n"]) + 0
	nfail[side, c] = ((side, "failed") in col) ? $(col[side, "failed"]) + 0 : 0
	for (k = 1; k <= nm; k++) {
		m = met[k]
		med[side, c, m] = $(col[side, m])
		mean[side, c, m] = ((side, m "_mean") in col) ? $(col[side, m "_mean"]) : "-"
		sd[side, c, m] = ((side, m "_sd") in col) ? $(col[side, m "_sd"]) : "-"
		cov[side, c, m] = ((side, m "_cov") in col) ? $(col[side, m "_cov"]) : "-"
	}
}
END {
	if (failed) exit 2
	print "#run\tmetric\tunit\tcell\tbase\tbase_n\tbase_cov\tnew\tnew_n\tnew_cov\tchange\tchange_unit\tt\tdf\tt_crit\ttest\tverdict\tjudged\twhy\tforced\tformat"
	for (s = 1; s <= nr; s++) {
		common = 0
		for (i = 1; i <= nc; i++) if (has[0, order[i]] && has[s, order[i]]) common++
		if (!common) bad("no cell (mode x rate) in both " R[s] " and the base")
		for (k = 1; k <= nm; k++) {
			m = met[k]
			for (i = 1; i <= nc; i++) {
				c = order[i]
				if (!has[0, c] || !has[s, c] || !nrep[s, c] || !nrep[0, c]) continue	# coverage, below
				b = med[0, c, m]; n = med[s, c, m]
				if (b == "-" && n == "-") continue	# no value on either side (the sink's latency)
				j = report[m] ? "no" : "yes"
				if (b == "-" || n == "-") {
					row(s, m, unit[m], c, b, nrep[0, c], cov[0, c, m], n, nrep[s, c], cov[s, c, m], "-", "-", "-", "-", "-", "not testable",
						b == "-" ? "n/a" : "worse", b == "-" ? "no" : j, b == "-" ? "no value in base" : "no value in new")
					continue
				}
				b += 0; n += 0; d = n - b
				need = rel[m] * abs(b); if (need < floor[m]) need = floor[m]
				if (unit[m] == "pp") { ch = sprintf("%+.2f", d); cu = "pp" }
				else if (b != 0) { ch = sprintf("%+.1f", 100 * d / b); cu = "%" }
				else { ch = n == 0 ? "+0.0" : "-"; cu = "%" }
				effect = abs(d) >= need && d != 0
				up = (d > 0) == (dir[m] == "higher")
				if (welch(s, c, m)) {
					tc = tcrit(WDF)
					sig = WT == "inf" || WT == "-inf" || abs(WT) > tc + 0
					# The mean must move the way the median did.
					if (sig && (WT == "inf" || WT > 0) != (d > 0)) sig = 0
					test = sig ? "significant" : "not significant"
					tt = (WT == "inf" || WT == "-inf") ? WT : sprintf("%.2f", WT)
					df = sprintf("%.1f", WDF)
					if (effect && sig) { v = up ? "better" : "worse"; why = "" }
					else { v = "same"; why = !effect ? "below the floor" : "not significant" }
				} else {
					tc = "-"; tt = "-"; df = "-"; test = "not testable"
					v = effect ? (up ? "better" : "worse") : "same"
					why = "floor only: " (nrep[0, c] < nrep[s, c] ? nrep[0, c] : nrep[s, c]) " repeat(s)"
				}
				if (report[m] && v != "same") why = "emulated CPU: shown, not judged"
				row(s, m, unit[m], c, b, nrep[0, c], cov[0, c, m], n, nrep[s, c], cov[s, c, m], ch, cu, tt, df, tc, test, v, j, why)
			}
		}
		# Coverage: a cell lost, failed or newly failing is a regression;
		# it is never only a warning (issue 15).
		for (i = 1; i <= nc; i++) {
			c = order[i]
			nb = nrep[0, c]; nn = nrep[s, c]; fb = nfail[0, c]; fn = nfail[s, c]
			if (has[0, c] && !has[s, c]) {
				if (nb) row(s, "cells", "repeats", c, nb " ok", nb, "-", "missing", 0, "-", "-", "-", "-", "-", "-", "-", "worse", "yes", "missing in new")
				else row(s, "cells", "repeats", c, "failed", 0, "-", "missing", 0, "-", "-", "-", "-", "-", "-", "-", "n/a", "no", "failed in base, missing in new")
			} else if (!has[0, c] && has[s, c])
				row(s, "cells", "repeats", c, "missing", 0, "-", nn " ok", nn, "-", "-", "-", "-", "-", "-", "-", "n/a", "no", "only in new")
			else if (fn > fb || (nb && !nn))
				row(s, "cells", "repeats", c, nb " ok", nb, "-", fn " failed", nn, "-", "-", "-", "-", "-", "-", "-", "worse", "yes",
					fn " of " (nn + fn) " repeats failed in new, " fb " in base")
			else if (fn < fb)
				row(s, "cells", "repeats", c, fb " failed", nb, "-", nn " ok", nn, "-", "-", "-", "-", "-", "-", "-", "better", "yes",
					fb " of " (nb + fb) " repeats failed in base, " fn " in new")
			else if (fn)
				row(s, "cells", "repeats", c, fb " failed", nb, "-", fn " failed", nn, "-", "-", "-", "-", "-", "-", "-", "same", "yes",
					fn " repeat(s) failed in both")
		}
		if (S[s + 1] != S[1] && S[s + 1] != "complete")
			row(s, "status", "-", "run", S[1], "-", "-", S[s + 1], "-", "-", "-", "-", "-", "-", "-", "-", "worse", "yes", "run status " S[s + 1] " (base " S[1] ")")
	}
}
