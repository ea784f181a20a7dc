#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# history.sh - every finished run in one SQLite database (results/history.sqlite,
# per machine, git-ignored): run-experiment.sh records each run's provenance
# and summary rows when it ends; this lists them, prints one metric's series
# over revisions and machines with the verdict of each step, plots it, marks
# runs accepted and runs `make regress` against the last accepted one.
# Schema and rules: results/README.md, "History".

set -u
cd "$(dirname "$0")/.."

SCHEMA_VERSION=1

usage() {
	cat <<'USAGE'
Usage: scripts/history.sh [--db FILE] list
       scripts/history.sh [--db FILE] [--plot FILE] METRIC MODE RATE
       scripts/history.sh [--db FILE] record RESULTDIR
       scripts/history.sh [--db FILE] accept RUN
       scripts/history.sh [--db FILE] regress
       scripts/history.sh --help | --version

The history of runs on this machine (results/README.md, "History").

  list                  every recorded run, oldest first: id, start, status,
                        revision, flavour, machine, workload, cells; * = accepted
  METRIC MODE RATE      one summary metric (a summary.tsv column, e.g.
                        exits_per_pkt) of MODE at RATE pps (0 = max), run by
                        run, with the verdict of each step against the previous
                        run of the same flavour, machine and workload
  record RESULTDIR      record a finished run from its results.json (what
                        run-experiment.sh does when a run ends); recording a
                        run again replaces its rows
  accept RUN            mark a run (its id, or its directory) as accepted: the
                        reference `make regress` compares against
  regress               the newest run whose folder still exists against the
                        last accepted run of the same flavour, machine and
                        workload, by scripts/compare.sh (its rule, exit
                        code and output); with no accepted
                        run, against the committed baseline of its flavour
                        (scripts/compare.sh --baseline)

A step's verdict is scripts/compare.sh's rule itself, the same code
(scripts/lib/compare.awk with scripts/compare.rules) run on the two runs'
stored summary rows for that cell: the effect floor and Welch's t-test over
the repeats (results/README.md, "Verdicts"); so it needs no run folder.

Options:
  --db FILE    the database (default: $VIRQLAB_HISTORY, else
               results/history.sqlite)
  --plot FILE  also draw the series with gnuplot: FILE.png or FILE.svg

Exit: 0 done (regress: nothing worse); 1 regress found a regression; 2 bad
usage, no such run, no database, or regress could not compare.

Examples:
  scripts/history.sh list
  scripts/history.sh exits_per_pkt mask-direct 4000
  scripts/history.sh --plot exits.png exits_per_pkt mask-direct 4000
  scripts/history.sh accept results/20261201-094445-default
  scripts/history.sh regress          # = make regress
USAGE
}

die2() {
	echo "history: $*" >&2
	exit 2
}

db=${VIRQLAB_HISTORY:-results/history.sqlite}
plot=
while [ $# -gt 0 ]; do
	case "$1" in
	--db) [ $# -ge 2 ] || die2 "--db needs a file"; db=$2; shift 2 ;;
	--plot) [ $# -ge 2 ] || die2 "--plot needs a file (.png or .svg)"; plot=$2; shift 2 ;;
	--version) exec scripts/lib/version.sh history.sh ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die2 "no command given (see --help)"
command -v sqlite3 > /dev/null || die2 "sqlite3 is not installed (scripts/deps.sh installs it)"

# q TEXT: TEXT as an SQL string literal.
q() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"
}

# sql [SQL]: run SQL (or stdin) against the database, stopping at the first
# error, waiting up to 10 s for another writer; sqlt: the same, rows printed
# tab-separated.
sql() {
	sqlite3 -bail -batch -cmd '.timeout 10000' "$db" "$@"
}
sqlt() {
	sqlite3 -bail -batch -cmd '.timeout 10000' -separator '	' "$db" "$@"
}

# The schema, version 1 (PRAGMA user_version). One row per run in runs (the
# columns a query needs; all of meta in meta), its summary rows in rows and
# their metrics in metrics. nrows and nmetrics say how many rows a complete
# record has: a check that no run was half written.
schema() {
	cat <<'SQL'
CREATE TABLE IF NOT EXISTS runs (
	id INTEGER PRIMARY KEY,
	uid TEXT NOT NULL UNIQUE,
	dir TEXT NOT NULL,
	recorded TEXT NOT NULL,
	status TEXT NOT NULL,
	git_rev TEXT, git_dirty TEXT, kvm_flavour TEXT, host TEXT, cpu TEXT,
	host_kernel TEXT, kvm_kernel TEXT, kvm_cpu TEXT,
	workload TEXT, workload_sha256 TEXT, command TEXT, start TEXT, "end" TEXT,
	cells INTEGER, cells_done INTEGER, cells_ok INTEGER, cells_failed INTEGER,
	nrows INTEGER NOT NULL, nmetrics INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
	run_id INTEGER NOT NULL REFERENCES runs(id), key TEXT NOT NULL, value TEXT,
	PRIMARY KEY (run_id, key)
);
CREATE TABLE IF NOT EXISTS rows (
	run_id INTEGER NOT NULL REFERENCES runs(id), mode TEXT NOT NULL, rate INTEGER NOT NULL,
	n INTEGER, failed INTEGER,
	PRIMARY KEY (run_id, mode, rate)
);
CREATE TABLE IF NOT EXISTS metrics (
	run_id INTEGER NOT NULL REFERENCES runs(id), mode TEXT NOT NULL, rate INTEGER NOT NULL,
	metric TEXT NOT NULL, median REAL, min REAL, max REAL, mean REAL, sd REAL, cov REAL,
	PRIMARY KEY (run_id, mode, rate, metric)
);
CREATE TABLE IF NOT EXISTS accepted (uid TEXT PRIMARY KEY, at TEXT NOT NULL);
SQL
}

# open_db [create]: check (or create) the database and its schema version.
open_db() {
	if [ ! -f "$db" ]; then
		[ "${1:-}" = create ] || die2 "$db: no history yet (a finished run records itself)"
		mkdir -p "$(dirname "$db")" || die2 "$db: cannot create its directory"
	fi
	v=$(sql "PRAGMA user_version;" 2>&1) || die2 "$db: not an SQLite database: $v"
	case "$v" in
	0)
		[ "${1:-}" = create ] || die2 "$db: no virqlab history schema in it"
		{ echo "BEGIN IMMEDIATE;"; schema; echo "PRAGMA user_version = $SCHEMA_VERSION; COMMIT;"; } |
			sql > /dev/null || die2 "$db: cannot create the schema"
		;;
	"$SCHEMA_VERSION") ;;
	*) die2 "$db: schema version $v, this script knows $SCHEMA_VERSION" ;;
	esac
}

# ---- record -------------------------------------------------------------------

# record_sql FILE UID DIR: the one transaction that replaces run UID's record
# with FILE's (results.json). VIRQLAB_HISTORY_FAULT (tests only) breaks it
# half-way: "kill" kills sqlite3 itself, "fail" makes a statement fail.
record_sql() {
	_f=$(q "$1") _u=$(q "$2") _d=$(q "$3")
	cat <<SQL
BEGIN IMMEDIATE;
CREATE TEMP TABLE doc AS SELECT readfile($_f) AS j;
DELETE FROM metrics WHERE run_id IN (SELECT id FROM runs WHERE uid = $_u);
DELETE FROM rows WHERE run_id IN (SELECT id FROM runs WHERE uid = $_u);
DELETE FROM meta WHERE run_id IN (SELECT id FROM runs WHERE uid = $_u);
DELETE FROM runs WHERE uid = $_u;
INSERT INTO runs (uid, dir, recorded, status, git_rev, git_dirty, kvm_flavour, host, cpu,
	host_kernel, kvm_kernel, kvm_cpu, workload, workload_sha256, command, start, "end",
	cells, cells_done, cells_ok, cells_failed, nrows, nmetrics)
SELECT $_u, $_d, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),
	coalesce(json_extract(j, '\$.meta.status'), 'partial'),
	json_extract(j, '\$.meta.git_rev'), json_extract(j, '\$.meta.git_dirty'),
	json_extract(j, '\$.meta.kvm_flavour'), json_extract(j, '\$.meta.host'),
	json_extract(j, '\$.meta.cpu'), json_extract(j, '\$.meta.host_kernel'),
	json_extract(j, '\$.meta.kvm_kernel'), json_extract(j, '\$.meta.kvm_cpu'),
	json_extract(j, '\$.meta.workload'), json_extract(j, '\$.meta.workload_sha256'),
	json_extract(j, '\$.meta.command'), json_extract(j, '\$.meta.start'),
	json_extract(j, '\$.meta.end'), json_extract(j, '\$.meta.cells'),
	json_extract(j, '\$.meta.cells_done'), json_extract(j, '\$.meta.cells_ok'),
	json_extract(j, '\$.meta.cells_failed'),
	json_array_length(j, '\$.summary'), json_array_length(j, '\$.metrics')
FROM doc;
INSERT INTO meta SELECT r.id, e.key, e.value FROM runs r, doc, json_each(doc.j, '\$.meta') e
	WHERE r.uid = $_u;
INSERT INTO rows SELECT r.id, json_extract(s.value, '\$.mode'), json_extract(s.value, '\$.rate'),
	json_extract(s.value, '\$.n'), json_extract(s.value, '\$.failed')
	FROM runs r, doc, json_each(doc.j, '\$.summary') s WHERE r.uid = $_u;
SQL
	case "${VIRQLAB_HISTORY_FAULT:-}" in
	kill) echo ".shell kill -KILL \$PPID" ;;
	fail) echo "SELECT no_such_function();" ;;
	esac
	cat <<SQL
INSERT INTO metrics SELECT r.id, json_extract(s.value, '\$.mode'), json_extract(s.value, '\$.rate'),
	m.key, json_extract(m.value, '\$.median'), json_extract(m.value, '\$.min'),
	json_extract(m.value, '\$.max'), json_extract(m.value, '\$.mean'),
	json_extract(m.value, '\$.sd'), json_extract(m.value, '\$.cov')
	FROM runs r, doc, json_each(doc.j, '\$.summary') s, json_each(s.value, '\$.metrics') m
	WHERE r.uid = $_u;
COMMIT;
SQL
}

cmd_record() {
	[ $# -eq 1 ] || die2 "record: expected one RESULTDIR (see --help)"
	[ -d "$1" ] || die2 "record: $1: no such directory"
	_dir=$(cd "$1" && pwd -P)
	_json=$_dir/results.json
	[ -f "$_json" ] || die2 "record: $1: no results.json (scripts/summarize.sh $1 writes it)"
	jq -e '.format == "virqlab-results-json" and .version == 1' "$_json" > /dev/null 2>&1 ||
		die2 "record: $_json: not a virqlab results.json version 1"
	# One run: its folder and its start time (a folder reused by --resume
	# keeps its start; a new run in a reused path does not).
	_uid="$_dir@$(jq -r '.meta.start // "unknown"' "$_json")"
	open_db create
	_err=$(record_sql "$_json" "$_uid" "$_dir" | sql 2>&1 > /dev/null)
	_rc=$?
	if [ "$_rc" != 0 ]; then
		echo "history: record: $1: not recorded (the database is unchanged): ${_err:-sqlite3 exit $_rc}" >&2
		exit 2
	fi
}

# ---- list, series -----------------------------------------------------------

# align: tab-separated stdin as columns two spaces apart.
align() {
	awk -F'\t' '{ l[NR] = $0; for (i = 1; i <= NF; i++) if (length($i) > w[i]) w[i] = length($i) }
		END { for (r = 1; r <= NR; r++) { n = split(l[r], f, "\t"); s = ""
			for (i = 1; i < n; i++) s = s sprintf("%-" w[i] "s  ", f[i])
			print s f[n] } }'
}

cmd_list() {
	[ $# -eq 0 ] || die2 "list: unexpected argument '$1' (see --help)"
	open_db
	{
		printf 'id\tstart\tstatus\trevision\tflavour\tmachine\tworkload\tcells ok/done/planned\tdirectory\n'
		sqlt <<'SQL'
SELECT r.id || CASE WHEN a.uid IS NULL THEN '' ELSE '*' END, coalesce(r.start, '-'), r.status,
	substr(coalesce(r.git_rev, 'unknown'), 1, 12) || CASE r.git_dirty WHEN 'yes' THEN '-dirty' ELSE '' END,
	coalesce(r.kvm_flavour, '-'), coalesce(r.host, '-') || ' (' || coalesce(r.cpu, '-') || ')',
	coalesce(r.workload, '-'),
	coalesce(r.cells_ok, '-') || '/' || coalesce(r.cells_done, '-') || '/' || coalesce(r.cells, '-'),
	r.dir
FROM runs r LEFT JOIN accepted a ON a.uid = r.uid ORDER BY r.start, r.id;
SQL
	} | align
}

# cell_summary ID MODE RATE: run ID's summary row for the cell, as a
# one-row summary.tsv ("-" for no value): what scripts/lib/compare.awk reads.
cell_summary() {
	sqlt "SELECT w.n, w.failed, m.metric, coalesce(m.median, '-'), coalesce(m.min, '-'),
		coalesce(m.max, '-'), coalesce(m.mean, '-'), coalesce(m.sd, '-'), coalesce(m.cov, '-')
		FROM rows w JOIN metrics m ON m.run_id = w.run_id AND m.mode = w.mode AND m.rate = w.rate
		WHERE w.run_id = $1 AND w.mode = $(q "$2") AND w.rate = $3 ORDER BY m.metric;" |
	awk -F'\t' -v mode="$2" -v rate="$3" '{ n = $1; f = $2; h = h "\t" $3 "\t" $3 "_min\t" $3 "_max\t" $3 "_mean\t" $3 "_sd\t" $3 "_cov"
		v = v "\t" $4 "\t" $5 "\t" $6 "\t" $7 "\t" $8 "\t" $9 }
		END { print "#mode\trate\tn\tfailed" h; print mode "\t" rate "\t" n "\t" f v }'
}

cmd_series() {
	[ $# -eq 3 ] || die2 "expected METRIC MODE RATE (see --help)"
	_metric=$1 _mode=$2 _rate=$3
	case "$_rate" in *[!0-9]*|"") die2 "RATE '$_rate': packets/s, a whole number (0 = max)" ;; esac
	open_db
	_known=$(sql "SELECT count(*) FROM metrics WHERE metric = $(q "$_metric");")
	_all=$(sql "SELECT group_concat(metric, ' ') FROM (SELECT DISTINCT metric FROM metrics);")
	[ "$_known" != 0 ] || die2 "no recorded run has a metric '$_metric' (a summary.tsv column: $_all)"
	sqlt > "$tmp/rows" <<SQL
SELECT r.id, r.status, coalesce(r.start, '-'),
	substr(coalesce(r.git_rev, 'unknown'), 1, 12) || CASE r.git_dirty WHEN 'yes' THEN '-dirty' ELSE '' END,
	coalesce(r.kvm_flavour, '-'), coalesce(r.host, '-') || ' (' || coalesce(r.cpu, '-') || ')',
	coalesce(r.workload_sha256, r.workload, '-'), coalesce(w.n, 0),
	coalesce(m.median, '-'), coalesce(m.min, '-'), coalesce(m.max, '-')
FROM runs r JOIN rows w ON w.run_id = r.id AND w.mode = $(q "$_mode") AND w.rate = $_rate
	LEFT JOIN metrics m ON m.run_id = r.id AND m.mode = w.mode AND m.rate = w.rate
		AND m.metric = $(q "$_metric")
ORDER BY r.start, r.id;
SQL
	[ -s "$tmp/rows" ] || die2 "no recorded run has a cell $_mode at $_rate pps"
	judged=$(awk -v m="$_metric" '!/^[ \t]*(#|$)/ && $1 == m { print "yes" }' scripts/compare.rules)
	cell="$_mode@$([ "$_rate" = 0 ] && echo max || echo "$_rate")"
	{
		printf '# %s of %s at %s pps, run by run; each step against the previous run' \
			"$_metric" "$_mode" "$([ "$_rate" = 0 ] && echo max || echo "$_rate")"
		printf ' of the same flavour, machine and workload\n'
		if [ -n "$judged" ]; then
			printf '# verdict: compare.sh'"'"'s rule (scripts/lib/compare.awk, scripts/compare.rules) on the stored rows\n'
		else
			printf '# no rule for %s in scripts/compare.rules: steps are shown, not judged\n' "$_metric"
		fi
		printf 'run\tstart\trevision\tflavour\tmachine\tn\tmedian\tmin..max\tchange\tt (crit)\tverdict\n'
		# prev_KEY: the last run of each flavour, machine and workload.
		: > "$tmp/prev"
		while IFS='	' read -r id st start rev fl mach wlh n med lo hi; do
			key="$fl	$mach	$wlh"
			prev=$(awk -F'\t' -v k="$key" '$1 "\t" $2 "\t" $3 == k { p = $4 } END { print p }' "$tmp/prev")
			printf '%s\t%s\t%s\n' "$key" "$id" "$med" >> "$tmp/prev"
			ch=- t=- v="first of its flavour, machine and workload"
			if [ -n "$prev" ]; then
				pmed=$(sql "SELECT coalesce(median, '-') FROM metrics WHERE run_id = $prev
					AND mode = $(q "$_mode") AND rate = $_rate AND metric = $(q "$_metric");")
				ch=$(awk -v a="$pmed" -v b="$med" 'BEGIN { if (a == "-" || b == "-") print "-";
					else if (a + 0 == 0) print (b + 0 == 0 ? "0" : "-");
					else printf "%+.1f%%\n", 100 * (b - a) / a }')
				v="not judged (no rule)"
				if [ -n "$judged" ]; then
					cell_summary "$prev" "$_mode" "$_rate" > "$tmp/base.tsv"
					cell_summary "$id" "$_mode" "$_rate" > "$tmp/new.tsv"
					emu=0
					case "$(sql "SELECT kvm_flavour FROM runs WHERE id = $prev;") $fl" in *-emulated*) emu=1 ;; esac
					# One status for both: a run's status is not this metric's verdict.
					awk -v rules=scripts/compare.rules -v emulated="$emu" -v runs="$id" \
						-v status="x	x" -v forced= -f scripts/lib/compare.awk \
						"$tmp/base.tsv" "$tmp/new.tsv" > "$tmp/verdict" 2> "$tmp/verdict.err" ||
						die2 "compare.awk on runs $prev and $id: $(cat "$tmp/verdict.err")"
					row=$(awk -F'\t' -v m="$_metric" -v c="$cell" '$2 == m && $4 == c' "$tmp/verdict")
					if [ -n "$row" ]; then
						t=$(printf '%s\n' "$row" | awk -F'\t' '{ print $13 == "-" ? "-" : $13 " (" $15 ")" }')
						v=$(printf '%s\n' "$row" | awk -F'\t' '{ print $17 ($19 != "" ? " (" $19 ")" : "") }')
					else
						v="n/a (no value)"
					fi
				fi
			fi
			range=-
			[ "$med" = - ] || range="$lo..$hi"
			printf '%s%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" \
				"$([ "$st" = partial ] && echo ' (partial)')" "$start" "$rev" "$fl" "$mach" "$n" \
				"$med" "$range" "$ch" "$t" "$v"
		done < "$tmp/rows"
	} > "$tmp/series"
	sed -n '/^#/p' "$tmp/series"
	grep -v '^#' "$tmp/series" | align
	[ -z "$plot" ] || plot_series "$tmp/series"
}

# plot_series FILE: the series' medians with their min..max, one line per
# flavour and machine, runs in order along x, their revisions as labels.
plot_series() {
	command -v gnuplot > /dev/null || die2 "--plot: gnuplot is not installed (scripts/deps.sh installs it)"
	case "$plot" in
	*.png) term="pngcairo size 960,480 font ',10'" ;;
	*.svg) term="svg size 960,480 dynamic" ;;
	*) die2 "--plot $plot: .png or .svg" ;;
	esac
	# plot-N.dat: x median min max revision, for the Nth flavour and machine.
	awk -F'\t' -v d="$tmp" '/^#/ || $1 == "run" { next }
		{ x++; g = $4 " on " $5; if (!(g in gi)) { gi[g] = ++ng; print g > (d "/plot-labels") }
		  if ($7 != "-") { split($8, r, /\.\./); print x, $7, r[1], r[2], $3 > (d "/plot-" gi[g] ".dat") } }' "$1"
	{
		printf "set terminal %s\nset output '%s'\n" "$term" "$plot"
		printf "set title \"%s\" noenhanced\n" "$(sed -n '1s/^# \([^;]*\);.*/\1/p' "$1")"
		printf "set xlabel 'run, by revision'\nset ylabel 'median; bars: min..max of the repeats'\n"
		printf "set key outside below noenhanced\nset grid ytics\nset xtics rotate by -45 noenhanced\n"
		printf "set offsets 0.5, 0.5, graph 0.1, graph 0.1\n"
		printf "plot"
		sep= i=0
		while IFS= read -r lbl; do
			i=$((i + 1))
			[ -f "$tmp/plot-$i.dat" ] || continue
			printf "%s '%s' using 1:2:3:4:xtic(5) with yerrorlines title \"%s\"" "$sep" "$tmp/plot-$i.dat" "$lbl"
			sep=,
		done < "$tmp/plot-labels"
		printf "\n"
	} > "$tmp/series.gp"
	grep -q "using" "$tmp/series.gp" || die2 "--plot: no value to plot"
	gnuplot "$tmp/series.gp" || die2 "--plot: gnuplot failed on $tmp/series.gp"
	echo "history: plotted into $plot" >&2
}

# ---- accept, regress --------------------------------------------------------

# run_id RUN: the id of RUN (an id, or a recorded directory: its newest record).
run_id() {
	case "$1" in
	*[!0-9]*|"")
		[ -d "$1" ] || die2 "$1: neither a run id nor a directory"
		_p=$(cd "$1" && pwd -P)
		_id=$(sql "SELECT id FROM runs WHERE dir = $(q "$_p") ORDER BY id DESC LIMIT 1;") ;;
	*) _id=$(sql "SELECT id FROM runs WHERE id = $1;") ;;
	esac
	[ -n "$_id" ] || die2 "$1: no such run in $db (scripts/history.sh list)"
	echo "$_id"
}

cmd_accept() {
	[ $# -eq 1 ] || die2 "accept: expected one RUN (see --help)"
	open_db
	_id=$(run_id "$1") || exit 2
	sql "INSERT OR REPLACE INTO accepted SELECT uid, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM runs WHERE id = $_id;" ||
		die2 "accept: $db: cannot write"
	echo "history: run $_id accepted: $(sql "SELECT dir FROM runs WHERE id = $_id;")"
}

cmd_regress() {
	[ $# -eq 0 ] || die2 "regress: unexpected argument '$1' (see --help)"
	if [ ! -f "$db" ]; then
		[ -e results/latest ] || die2 "regress: no history ($db) and no results/latest: run an experiment first (make demo)"
		echo "history: regress: no history yet; results/latest against the committed baseline of its flavour" >&2
		scripts/compare.sh --baseline results/latest
		exit $?
	fi
	open_db
	# The newest run whose folder is still there (a removed run, such as a
	# test's, is passed over, and said so).
	nid=
	for id in $(sql "SELECT id FROM runs ORDER BY start DESC, id DESC;"); do
		[ -d "$(sql "SELECT dir FROM runs WHERE id = $id;")" ] && { nid=$id; break; }
		echo "history: regress: run $id's folder is gone: passed over" >&2
	done
	[ -n "$nid" ] || die2 "regress: $db holds no run whose folder exists: run an experiment first (make demo)"
	# field COLUMN: that column of the newest run.
	field() { sql "SELECT coalesce($1, '') FROM runs WHERE id = $nid;"; }
	ndir=$(field dir) nfl=$(field kvm_flavour) nhost=$(field host) ncpu=$(field cpu) nwl=$(field workload)
	base=$(sqlt <<SQL
SELECT r.id, r.dir FROM runs r JOIN accepted a ON a.uid = r.uid
WHERE r.id != $nid AND coalesce(r.kvm_flavour, '') = $(q "$nfl") AND coalesce(r.host, '') = $(q "$nhost")
	AND coalesce(r.cpu, '') = $(q "$ncpu") AND coalesce(r.workload, '') = $(q "$nwl")
ORDER BY r.start DESC, r.id DESC LIMIT 1;
SQL
)
	if [ -z "$base" ]; then
		echo "history: regress: no accepted run of $nwl on $nfl, $nhost ($ncpu);" \
			"run $nid against the committed baseline (accept one: scripts/history.sh accept RUN)" >&2
		scripts/compare.sh --baseline "$ndir"
		exit $?
	fi
	bid=${base%%	*} bdir=${base#*	}
	[ -d "$bdir" ] || die2 "regress: the accepted run $bid is gone: $bdir (accept another)"
	echo "history: regress: run $nid ($ndir) against accepted run $bid ($bdir)" >&2
	scripts/compare.sh "$bdir" "$ndir"
	exit $?
}

tmp=$(mktemp -d) || die2 "cannot make a temporary directory"
trap 'rm -rf "$tmp"' EXIT
cmd=$1
shift
case "$cmd" in
list) cmd_list "$@" ;;
record) cmd_record "$@" ;;
accept) cmd_accept "$@" ;;
regress) cmd_regress "$@" ;;
*) [ -z "$plot" ] || [ $# -eq 2 ] || die2 "--plot goes with METRIC MODE RATE (see --help)"
   cmd_series "$cmd" "$@" ;;
esac
