#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# compare.sh - regression verdicts of one or more runs against a base: per
# metric and cell (mode x rate) better, same or worse, decided from the
# repeats by one rule (an effect-size floor and Welch's t-test;
# results/README.md, "Verdicts"; thresholds in scripts/compare.rules), never
# from one number. Runs that measured different things are refused before any
# verdict ("incomparable", exit 2): another KVM flavour, CPU, workload,
# packets per cell or guest knobs. Output: TAP with the table as "#" lines
# (scripts/lib/compare-text.awk), or the rows as TSV, CSV or JSON.

set -eu
cd "$(dirname "$0")/.."
. scripts/lib/results.sh
. scripts/lib/workload.sh
VIRQLAB_ROOT=$(pwd)

usage() {
	cat <<'USAGE'
Usage: scripts/compare.sh [OPTIONS] BASE NEW [NEW...]
       scripts/compare.sh [OPTIONS] --baseline NEW [NEW...]
       scripts/compare.sh --help | --version

Compare results directories (or their summary.tsv files) of the same
experiment: per metric of scripts/compare.rules and cell, the medians, the
change and a verdict. The table is headed by each run's git revision
("-dirty": uncommitted changes) and KVM flavour; one column group per NEW.
A cell is better or worse only if its median moved by more than the rule's
floor AND Welch's t-test over the repeats is significant at the rules'
alpha (0.05); under 2 repeats a side the floor alone decides, labelled
"floor only" (results/README.md, "Verdicts").

Runs are incomparable, exit 2 with one line "compare: incomparable: WHAT
BASE-VALUE vs NEW-VALUE", when their KVM flavour (meta kvm_flavour), CPU
model (meta cpu, kvm_cpu), packets per cell, guest knobs (vcpus, poll_us,
coalesce_us, adaptive_up_pps, adaptive_down_pps, size, pattern, burst,
idle, warmup, probes), guest (meta guest: virqlab, linux; and the Linux
guest's kernel package) or workload differ.
The workload is compared by a hash of its effective content: the run's
workload.conf as parsed for its flavour, without name, description,
cdf_rates, timeout, repeats and hobble (hobble stands for a code
regression: compare must judge it, not refuse it).

Options:
  --baseline      BASE is the committed baseline of the first NEW's flavour,
                  results/baseline/FLAVOUR/ (make regress)
  --changed-only  show only the rows whose verdict is not same
  --force         compare incomparable runs anyway; every line says [forced]
  --format F      text (TAP and the table, the default), tsv, csv or json
                  (the rows; results/README.md, "compare.sh output")
  --rules FILE    thresholds (default scripts/compare.rules)

Exit: 0 nothing worse; 1 a regression: a metric worse in a cell, a cell of
BASE missing from NEW or with more failed repeats there, NEW's run status not
complete where BASE's was; 2 bad input or incomparable runs.

Examples:
  scripts/compare.sh --baseline results/latest       # = make regress
  scripts/compare.sh results/baseline/pvm results/latest
  scripts/compare.sh --changed-only A B C            # B and C against A
  scripts/compare.sh --format json A B | jq '.rows[] | select(.verdict == "worse")'
USAGE
}

die2() {
	echo "compare: $*" >&2
	exit 2
}

rules=scripts/compare.rules
force=0 baseline=0 changed_only=0 format=text
while [ $# -gt 0 ]; do
	case "$1" in
	--rules) [ $# -ge 2 ] || die2 "--rules needs a file"; rules=$2; shift 2 ;;
	--format)
		[ $# -ge 2 ] || die2 "--format needs one of text, tsv, csv, json"
		case "$2" in text|tsv|csv|json) format=$2 ;; *) die2 "--format '$2': not one of text, tsv, csv, json" ;; esac
		shift 2 ;;
	--force) force=1; shift ;;
	--baseline) baseline=1; shift ;;
	--changed-only) changed_only=1; shift ;;
	--version) exec scripts/lib/version.sh compare.sh ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
for a in "$@"; do case "$a" in -*) die2 "unknown option '$a' (options go before the runs; see --help)" ;; esac; done
[ -f "$rules" ] || die2 "$rules: no such rules file"
[ "$format" != json ] || command -v jq >/dev/null || die2 "--format json: jq is not installed (scripts/deps.sh installs it)"

# run_dir ARG: the results directory a directory or summary.tsv argument names.
run_dir() { if [ -d "$1" ]; then printf '%s\n' "$1"; else dirname "$1"; fi; }
# flavour_of DIR: meta kvm_flavour (older folders: flavour).
flavour_of() { _f=$(meta_get "$1" kvm_flavour); [ -n "$_f" ] || _f=$(meta_get "$1" flavour); printf '%s\n' "${_f:-unknown}"; }

if [ "$baseline" = 1 ]; then
	[ $# -ge 1 ] || die2 "--baseline: expected NEW (see --help)"
	_f=$(flavour_of "$(run_dir "$1")")
	[ "$_f" != unknown ] || die2 "$1: no kvm_flavour in its meta: which baseline is unknown"
	[ -d "results/baseline/$_f" ] || die2 "no baseline for flavour $_f: results/baseline/ holds" \
		"$(ls results/baseline 2>/dev/null | tr '\n' ' ')(commit a run of $_f there)"
	set -- "results/baseline/$_f" "$@"
fi
[ $# -ge 2 ] || die2 "expected BASE and at least one NEW (see --help)"

# summary_of ARG: the summary.tsv a directory or file argument names.
summary_of() {
	if [ -d "$1" ]; then _s=$1/summary.tsv; else _s=$1; fi
	[ -f "$_s" ] || die2 "$1: no summary.tsv (not a results directory, or no cell finished)"
	head -1 "$_s" | grep -q '^#\{0,1\}mode	rate	n	' || die2 "$_s: not a summary.tsv (header is not '#mode rate n ...')"
	printf '%s\n' "$_s"
}

# rev_of DIR: the short git revision, "-dirty" when the checkout had
# uncommitted changes (meta git_dirty yes or 1, or a rev ending in -dirty).
rev_of() {
	_r=$(meta_get "$1" git_rev) _d=$(meta_get "$1" git_dirty)
	case "$_r" in *-dirty) _d=yes; _r=${_r%-dirty} ;; esac
	_r=$(printf '%.7s' "${_r:-unknown}")
	case "$_d" in yes|1|true) _r=$_r-dirty ;; esac
	printf '%s\n' "$_r"
}

# workload_facts DIR FLAVOUR: the effective workload as "key<TAB>value"
# lines (workload.awk's, for that flavour), hobble and the keys that change
# no measurement left out; empty when the run has no workload.conf, or its
# file no longer parses (then only the raw hash compares).
workload_facts() {
	[ -f "$1/workload.conf" ] || return 0
	awk -v file="$1/workload.conf" -v flavour="$2" -v modetab="$workload_modes" \
		-f scripts/lib/workload.awk "$1/workload.conf" 2>/dev/null |
		sed -n "s/^wl_\([a-z_]*\)='\(.*\)'\$/\1	\2/p" |
		grep -Ev '^(name|description|cdf_rates|timeout|repeats|hobble)	' || true
}
# hash_of DIR FACTS: 12 hex digits of the effective workload's sha256 (of
# the file without comments when it does not parse), or "none".
hash_of() {
	if [ -n "$2" ]; then printf '%s\n' "$2" | sha256sum | cut -c1-12
	elif [ -f "$1/workload.conf" ]; then sed 's/[ \t]*#.*//; /^[ \t]*$/d' "$1/workload.conf" | sha256sum | cut -c1-12
	else echo none
	fi
}
fact() { printf '%s\n' "$1" | awk -F'\t' -v k="$2" '$1 == k { print $2 }'; }

# The runs: index 0 is the base.
i=0
for a in "$@"; do
	d=$(run_dir "$a")
	eval "arg_$i=\$a dir_$i=\$d"
	eval "sum_$i=\$(summary_of \"\$a\")" || exit 2
	f=$(flavour_of "$d")
	facts=$(workload_facts "$d" "$f")
	eval "fl_$i=\$f facts_$i=\$facts"
	eval "hash_$i=\$(hash_of \"\$d\" \"\$facts\")"
	eval "rev_$i=\$(rev_of \"\$d\")"
	i=$((i + 1))
done
nruns=$((i - 1))

# Comparability: every difference between the base and each NEW, in one
# line. A verdict across them would measure the machine or the experiment,
# not the change.
forced= emulated=0
# add WHAT BASE NEW: one difference, a value quoted when it has a space or is empty.
q() { case "$1" in "" | *" "*) printf "'%s'" "$1" ;; *) printf '%s' "$1" ;; esac; }
add() { why="$why${why:+; }$1 $(q "$2") vs $(q "$3")"; }
i=1
while [ $i -le $nruns ]; do
	eval "bd=\$dir_0 nd=\$dir_$i bf=\$fl_0 nf=\$fl_$i bfa=\$facts_0 nfa=\$facts_$i bh=\$hash_0 nh=\$hash_$i"
	why=
	[ "$bf" = "$nf" ] || add flavour "$bf" "$nf"
	for k in cpu kvm_cpu; do
		b=$(meta_get "$bd" $k) n=$(meta_get "$nd" $k)
		[ "$b" = "$n" ] || add "$k" "$b" "$n"
	done
	# The guests the modes ran (virqlab, linux): a run from before the
	# Linux guest has no such key and ran the virqlab guest. Linux's own
	# kernel, too: another kernel is another experiment.
	b=$(meta_get "$bd" guest) n=$(meta_get "$nd" guest)
	[ "${b:-virqlab}" = "${n:-virqlab}" ] || add guest "${b:-virqlab}" "${n:-virqlab}"
	b=$(meta_get "$bd" guest_kernel_package) n=$(meta_get "$nd" guest_kernel_package)
	[ "$b" = "$n" ] || add guest_kernel_package "$b" "$n"
	if [ -n "$bfa" ] && [ -n "$nfa" ]; then
		b="$(fact "$bfa" packets)$(fact "$bfa" duration)" n="$(fact "$nfa" packets)$(fact "$nfa" duration)"
		[ "$(fact "$bfa" duration)" = "" ] || b="duration $(fact "$bfa" duration) s"
		[ "$(fact "$nfa" duration)" = "" ] || n="duration $(fact "$nfa" duration) s"
		[ "$b" = "$n" ] || why="$why${why:+; }packets per cell $b vs $n"
		for k in vcpus poll_us coalesce_us adaptive_up_pps adaptive_down_pps size pattern burst idle warmup probes; do
			b=$(fact "$bfa" $k) n=$(fact "$nfa" $k)
			[ "$b" = "$n" ] || add "$k" "$b" "$n"
		done
	fi
	# The hash covers the rest (modes, rates); named only when nothing above explains it.
	if [ "$bh" != "$nh" ] && [ -z "$why" ]; then
		keys=$(printf "%s\n%s\n" "$bfa" "$nfa" | sort | uniq -u | cut -f1 | sort -u | tr "\n" " ")
		keys="${keys% }${keys:+ differ}"
		for d in "$bd" "$nd"; do
			if [ ! -f "$d/workload.conf" ]; then keys="$d has no workload.conf"
			elif [ -z "$(workload_facts "$d" "$bf")" ]; then keys="$d/workload.conf does not parse"; fi
		done
		why="workload $bh ($(meta_get "$bd" workload)) vs $nh ($(meta_get "$nd" workload))${keys:+: $keys}"
		# The committed baseline ran an earlier version of the same workload
		# file (workloads/default.conf gained virtio, issue 16): say so, and
		# how to get a reference again, rather than only "incomparable".
		_w=$(meta_get "$bd" workload)
		if [ "$baseline" = 1 ] && [ -n "$_w" ] && [ "$_w" = "$(meta_get "$nd" workload)" ]; then
			why="$why; $bd ran an earlier workloads/$_w.conf (at $(rev_of "$bd")): accept a run of the current one as the reference (scripts/history.sh accept RUN) or re-make the baseline (results/README.md, \"Baselines\")"
		fi
	fi
	if [ -n "$why" ]; then
		[ "$nruns" -eq 1 ] || why="$why in $nd"
		[ "$force" = 1 ] || die2 "incomparable: $why (--force to compare anyway)"
		forced="$forced${forced:+; }$why"
	fi
	case "$bf $nf" in *-emulated*) emulated=1 ;; esac
	i=$((i + 1))
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
runs= status= files=$sum_0 revs=$rev_0 flavours=$fl_0
status=$(meta_get "$dir_0" status)
i=1
while [ $i -le $nruns ]; do
	eval "runs=\"\$runs\${runs:+	}\$arg_$i\" files=\"\$files
\$sum_$i\" revs=\"\$revs	\$rev_$i\" flavours=\"\$flavours	\$fl_$i\""
	eval "status=\"\$status	\$(meta_get \"\$dir_$i\" status)\""
	i=$((i + 1))
done
printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 awk -v rules="$rules" -v emulated="$emulated" \
	-v runs="$runs" -v status="$status" -v forced="$forced" -f scripts/lib/compare.awk > "$tmp/rows.tsv" ||
	exit 2
# A regression: a judged row worse (the text renderer counts the same way).
reg=$(awk -F'\t' 'NR > 1 && $17 == "worse" && $18 == "yes" { n++ } END { print n ? 1 : 0 }' "$tmp/rows.tsv")
[ "$changed_only" = 0 ] || awk -F'\t' 'NR == 1 || $17 != "same"' "$tmp/rows.tsv" > "$tmp/shown.tsv"
[ -f "$tmp/shown.tsv" ] || cp "$tmp/rows.tsv" "$tmp/shown.tsv"

# prov_tsv: one row of provenance per run, base first (tsv head, json "runs").
prov_tsv() {
	printf 'role\tpath\tgit_rev\tflavour\tcpu\tkvm_cpu\thost\thost_kernel\tworkload\tworkload_hash\tstatus\tstart\n'
	i=0
	while [ $i -le $nruns ]; do
		eval "d=\$dir_$i a=\$arg_$i"
		[ $i = 0 ] && role=base || role=new
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$role" "$a" "$(eval echo "\$rev_$i")" \
			"$(eval echo "\$fl_$i")" "$(meta_get "$d" cpu)" "$(meta_get "$d" kvm_cpu)" "$(meta_get "$d" host)" \
			"$(meta_get "$d" host_kernel)" "$(meta_get "$d" workload)" "$(eval echo "\$hash_$i")" \
			"$(meta_get "$d" status)" "$(meta_get "$d" start)"
		i=$((i + 1))
	done
}

case "$format" in
tsv) cat "$tmp/shown.tsv"; exit "$reg" ;;
csv)
	awk -F'\t' 'function q(s) { if (s ~ /[",\n]/) { gsub(/"/, "\"\"", s); s = "\"" s "\"" } return s }
		NR == 1 { sub(/^#/, "") } { l = q($1); for (i = 2; i <= NF; i++) l = l "," q($i); print l }' "$tmp/shown.tsv"
	exit "$reg" ;;
json)
	prov_tsv > "$tmp/prov.tsv"
	jq -n --rawfile rows "$tmp/shown.tsv" --rawfile prov "$tmp/prov.tsv" --arg alpha \
		"$(awk '$1 == "alpha" { print $2 }' "$rules")" --arg forced "$forced" --argjson reg "$reg" '
	def lines: split("\n") | map(select(length > 0) | split("\t"));
	def objs: lines | (.[0] | map(ltrimstr("#"))) as $h | .[1:] | map(. as $v |
		[range($h | length)] | map({key: $h[.], value: $v[.]}) | from_entries);
	def val: if . == "-" or . == "" then null elif test("^[-+]?([0-9.]+([eE][-+]?[0-9]+)?|inf)$")
		then (if . == "inf" or . == "+inf" then 1e308 elif . == "-inf" then -1e308 else tonumber end) else . end;
	{
		format: "virqlab-compare-json", version: 1,
		rule: {effect: "median change >= max(min_rel x |base median|, floor)",
			test: "Welch two-sided t-test", alpha: ($alpha | tonumber),
			untestable: "under 2 repeats on a side: the floor alone"},
		forced: (if $forced == "" then null else $forced end),
		regression: ($reg == 1),
		runs: ($prov | objs),
		rows: ($rows | objs | map(del(.format)
			| with_entries(if (.key | test("^(base|new|base_n|new_n|base_cov|new_cov|change|t|df|t_crit)$"))
				then .value |= val else . end)
			| .judged |= (. == "yes") | .forced |= (if . == "" then null else . end)))
	}'
	exit "$reg" ;;
esac

# text: TAP (a plan of one line per NEW and metric, and one for its cells),
# the runs' provenance, the table, the footer.
nm=$(awk '!/^[ \t]*(#|$)/ && $1 != "alpha"' "$rules" | wc -l)
echo "TAP version 13"
echo "1..$((nruns * (nm + 1)))"
i=0
while [ $i -le $nruns ]; do
	eval "d=\$dir_$i a=\$arg_$i"
	[ $i = 0 ] && role="compare BASE" || role="    and NEW "
	printf '# %s %s\n' "$role" "$a"
	printf '#   %s %s, workload %s (%s), cpu %s (KVM: %s), kernel %s, start %s, status %s\n' \
		"$(eval echo "\$rev_$i")" "$(eval echo "\$fl_$i")" "$(meta_get "$d" workload)" "$(eval echo "\$hash_$i")" \
		"$(meta_get "$d" cpu)" "$(meta_get "$d" kvm_cpu)" "$(meta_get "$d" host_kernel)" "$(meta_get "$d" start)" \
		"$(meta_get "$d" status)"
	i=$((i + 1))
done
[ -z "$forced" ] || printf '# [forced] incomparable: %s\n' "$forced"
awk -v metrics="$(awk '!/^[ \t]*(#|$)/ && $1 != "alpha" { printf "%s ", $1 }' "$rules")" \
	-v revs="$revs" -v flavours="$flavours" -v alpha="$(awk '$1 == "alpha" { print $2 }' "$rules")" \
	-v emulated="$emulated" -v changed_only="$changed_only" -v forced="$forced" \
	-f scripts/lib/compare-text.awk "$tmp/rows.tsv" && rc=0 || rc=$?
exit "$rc"
