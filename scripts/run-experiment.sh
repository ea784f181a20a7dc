#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-experiment.sh - run a workload (workloads/*.conf, keys in
# workloads/README.md): every cell of modes x rates x repeats is one vmm-mini
# receiving real UDP from udpgen (under virqstat when probes = on), into a new
# self-describing results directory (layout and columns: results/README.md).
# A Linux guest's cells of one mode and repeat are the windows of one
# vmm-mini --windows, one boot (run_linux_cells), each still a cell of its own.
# Progress goes to stderr; the summary table to stdout.
#
# Where /dev/kvm is not usable the cells run inside the SVM sandbox
# (scripts/sandbox.sh); this script stays outside, owns the results
# directory's meta and marks the run partial if the sandbox is stopped.

set -u
cd "$(dirname "$0")/.."
. tests/lib/tap.sh >/dev/null
. scripts/lib/workload.sh
. scripts/lib/results.sh
. scripts/lib/irqs-agree.sh
. scripts/lib/linux-clock.sh

usage() {
	cat <<'USAGE'
Usage: scripts/run-experiment.sh WORKLOAD [--out DIR] [--build TREE] [--cells N] [--dry-run] [--no-plot]
       scripts/run-experiment.sh --resume DIR [WORKLOAD] [--cells N] [--no-plot]
       scripts/run-experiment.sh --help | --version

Run every cell (mode x rate x repeat) of WORKLOAD - a name from workloads/
(smoke, default, low-load-latency, saturation, bursty) or a .conf path - and
write results/<YYYYmmdd-HHMMSS>-<name>/: meta, workload.conf, plan.tsv, one
directory per cell under cells/ (stats.tsv, lat.tsv, gen.tsv, logs, probes),
summary.tsv, summary.txt, results.json, and the plots (scripts/plot.sh).
results/latest points at the newest run under results/. Every run that ends,
complete or partial, is recorded in results/history.sqlite
(scripts/history.sh; $VIRQLAB_HISTORY names another database).

Options:
  --out DIR     write the run there instead (refused if DIR exists)
  --resume DIR  continue an interrupted (partial) run: cells already done are
                kept, the rest run; WORKLOAD, if given, must be the same file.
                One runner per directory: a second one is refused (exit 2)
  --build TREE  run the programs of another checkout's build (TREE/build/:
                vmm-mini, udpgen, virqstat, guest.elf; `make -C TREE` built
                them) with this checkout's runner; meta's git_rev is TREE's,
                harness_rev this checkout's. A resumed run keeps its build
  --cells N     run at most N of the cells not yet done, then stop: the run
                stays partial (exit 0 if no cell failed) until --resume runs
                the rest (scripts/ab.sh interleaves two runs this way)
  --dry-run     check the workload, print the plan (plan.tsv: a # header, one
                row per cell with its estimated seconds) on stdout, run nothing
  --no-plot     do not draw the plots at the end
  --worker DIR  (internal) run DIR's remaining cells right here: what the
                sandbox runs when /dev/kvm is not usable on this machine

Ctrl-C abandons the current cell, keeps every finished one, marks the run
partial in meta and prints the --resume command. A cell whose vmm-mini or
udpgen dies fails with its reason (cells/*/status) and the run goes on.
A Linux guest's cells of one mode and repeat share one boot: one vmm-mini
--windows K, window I the I-th rate (meta: linux_boots); a boot that ends
early fails the rest of its cells with "the boot ended in window I of K".

Exit: 0 every cell ran and none failed (with --cells: the cells asked for);
1 a cell failed, or the run is partial; 2 bad usage or workload (file:line:
what is wrong, before anything runs), or another runner holds DIR; 3 the
sandbox could not start; 130 interrupted (run kept, partial).

Examples:
  scripts/run-experiment.sh smoke
  scripts/run-experiment.sh default --out results/my-default
  scripts/run-experiment.sh workloads/bursty.conf --dry-run
  scripts/run-experiment.sh --resume results/20261125-061400-default
USAGE
}

die2() {
	echo "run-experiment: $*" >&2
	exit 2
}

cmdline="$0 $*"
wl_arg= out= resume= dry=0 plot=1 worker= build_tree= max_cells=
while [ $# -gt 0 ]; do
	case "$1" in
	--out) [ $# -ge 2 ] || die2 "--out needs a directory"; out=$2; shift 2 ;;
	--resume) [ $# -ge 2 ] || die2 "--resume needs a results directory"; resume=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	--no-plot) plot=0; shift ;;
	--worker) [ $# -ge 2 ] || die2 "--worker needs a directory"; worker=$2; shift 2 ;;
	--build) [ $# -ge 2 ] || die2 "--build needs a checkout"; build_tree=$2; shift 2 ;;
	--cells)
		[ $# -ge 2 ] || die2 "--cells needs a number of cells"
		case "$2" in ""|*[!0-9]*|0) die2 "--cells '$2': a number of cells, at least 1" ;; esac
		max_cells=$2; shift 2 ;;
	--version) exec scripts/lib/version.sh run-experiment.sh ;;
	-h|--help) usage; exit 0 ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) [ -z "$wl_arg" ] || die2 "one workload at a time ('$wl_arg', then '$1')"; wl_arg=$1; shift ;;
	esac
done

# ---- one cell ---------------------------------------------------------------

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
hms() { awk -v s="$1" 'BEGIN { s = int(s + 0.5); printf "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60 }'; }

# why_exit PROGRAM RC LOG: one line saying why a program ended badly.
why_exit() {
	case "$2" in
	1) what="guest failure or accounting mismatch" ;;
	2) what="usage or configuration error" ;;
	3) what="host/KVM error" ;;
	4) what="skipped" ;;
	124) what="--timeout expired" ;;
	130) what="interrupted" ;;
	*) if [ "$2" -gt 128 ]; then what="killed by signal $(($2 - 128)) ($(kill -l $(($2 - 128)) 2>/dev/null))"
	   else what="exit $2"; fi ;;
	esac
	last=$(grep -v '^ ' "$3" 2>/dev/null | grep -iE 'error|fail|mismatch|expired|cannot|refus|killed' | tail -1)
	echo "$1 exit $2 ($what)${last:+: $last}"
}

vmm_pid= gen_pid= cur_tmp= cur_group= _watch= _probe=
stop_children() {
	for p in $gen_pid $vmm_pid $_watch $_probe; do kill -TERM "$p" 2>/dev/null; done
	for p in $gen_pid $vmm_pid $_watch $_probe; do wait "$p" 2>/dev/null; done
	gen_pid= vmm_pid= _watch= _probe=
}

stalled_why="the sandbox stalled during this cell and it was revived"

# stalls DIR: how many times the sandbox stalled or froze so far in this
# run (scripts/sandbox.sh saves a CPU state file into DIR for each).
stalls() {
	ls "$1"/sandbox-froze-*.txt 2>/dev/null | wc -l
}

# run_cell DIR CELL MODE RATE REPEAT: run one cell into DIR/cells/CELL.tmp,
# then rename it to DIR/cells/CELL with its status (ok, or failed: why).
run_cell() {
	_dir=$1 _cell=$2 _mode=$3 _rate=$4 _rep=$5
	_stalls0=$stalls_seen
	cur_tmp=$_dir/cells/$_cell.tmp
	rm -rf "$cur_tmp"
	mkdir -p "$cur_tmp"
	_port=$((20000 + ($$ * 7 + _cell_i * 13) % 40000))
	if [ -n "$wl_packets" ]; then
		_vlen="--count $wl_packets" _glen="--count $wl_packets"
	else
		_vlen="--duration $(awk -v d="$wl_duration" 'BEGIN { print d + 1 }')"
		_glen="--duration $wl_duration"
	fi
	# Every workload mode is a guest and a vmm-mini --mode (workload.sh's
	# table: linux-virtio is Linux's virtio_net on --mode virtio); coalesce,
	# mask-poll and adaptive take their knobs from the workload. The virqlab
	# guest takes its knobs as space-separated key=value words in one --args.
	workload_mode "$_mode"
	_vmode=$wm_vmm_mode _vknob= _gargs= _boot=
	case "$wm_guest" in
	linux)
		# A duration workload (no --windows: a window ends on its count): one boot a cell.
		_boot=$(linux_boot_args)
		_boots=$(meta_get "$_dir" linux_boots)
		meta_set "$_dir" linux_boots $((${_boots:-0} + 1)) ;;
	virqlab)
		[ "$_vmode" = coalesce ] && _vknob="--coalesce-us $wl_coalesce_us"
		[ "$_vmode" = mask-poll ] && _vknob="--poll-us $wl_poll_us"
		# virtio: the NAPI driver's poll budget (default 64, as Linux's).
		[ "$_vmode" = virtio ] && _gargs="budget=$wl_budget"
		[ "$_vmode" = adaptive ] &&
			_vknob="--poll-us $wl_poll_us --adaptive-up-pps $wl_adaptive_up_pps --adaptive-down-pps $wl_adaptive_down_pps"
		case "$_vmode" in mask-direct|mask-poll|adaptive) [ "$wl_hobble" = on ] && _gargs="hobble=1" ;; esac
		;;
	esac
	_wrap=
	[ "$probes_ok" = 1 ] && _wrap="$BUILD/virqstat -q --stats $cur_tmp/probes.tsv --"
	# shellcheck disable=SC2086
	$_wrap "$BUILD/vmm-mini" $_boot --source "udp:127.0.0.1:$_port" --mode "$_vmode" $_vlen \
		--vcpus "$wl_vcpus" --idle "$wl_idle" --timeout "$wl_timeout" \
		--stats "$cur_tmp/stats.tsv" --sender-stats "$cur_tmp/gen.tsv" \
		--latency-log "$cur_tmp/lat.tsv" $_vknob \
		${_gargs:+--args "$_gargs"} > "$cur_tmp/vmm.log" 2>&1 &
	vmm_pid=$!
	echo "$vmm_pid" > "$cur_tmp/vmm.pid"
	# The device says when its driver is up; only then does traffic start.
	_t=0 _why=
	while ! grep -q "virqnet: ready" "$cur_tmp/vmm.log" 2>/dev/null; do
		if ! kill -0 "$vmm_pid" 2>/dev/null; then
			break
		fi
		if [ $_t -ge 1200 ]; then
			_why="vmm-mini not ready after 120 s"
			break
		fi
		sleep 0.1
		_t=$((_t + 1))
	done
	_grc=-
	if [ -z "$_why" ] && kill -0 "$vmm_pid" 2>/dev/null; then
		run_udpgen "$cur_tmp" "$_port" "$_rate" "$_rep" "$cur_tmp/gen.tsv"
	fi
	[ -n "$_why" ] && kill -TERM "$vmm_pid" 2>/dev/null
	wait "$vmm_pid"
	_vrc=$?
	vmm_pid=
	if [ -n "$_why" ]; then
		_status="failed: $_why"
	elif [ "$_vrc" != 0 ]; then
		_status="failed: $(why_exit vmm-mini "$_vrc" "$cur_tmp/vmm.log")"
	elif [ "$_grc" != 0 ]; then
		_status="failed: $(why_exit udpgen "$_grc" "$cur_tmp/gen.log")"
	elif [ ! -s "$cur_tmp/stats.tsv" ]; then
		_status="failed: vmm-mini wrote no statistics"
	else
		_status=ok
	fi
	# A Linux guest's interrupts, counted twice: its /proc/interrupts and the device.
	if [ "$_status" = ok ] && [ "$wm_guest" = linux ]; then
		_why=$(irqs_disagree "$cur_tmp/stats.tsv") && _status="failed: $_why"
		_why=$(linux_clock_fault "$cur_tmp/vmm.log") &&
			_status="failed: the guest's clock stood still (README, Known issues): $_why"
	fi
	[ "$probes_ok" = 1 ] && [ "$_vrc" = 4 ] && _status="failed: probes: $(tail -1 "$cur_tmp/vmm.log")"
	# The emulated machine stood still for seconds during this cell and an
	# interrupt revived it (scripts/sandbox.sh): its timings are not the mode's.
	# The count carries over from the previous cell's end, not a fresh look, so
	# that a state saved between two cells still marks one of them.
	stalls_seen=$(stalls "$_dir")
	[ "$stalls_seen" != "$_stalls0" ] &&
		_status="failed: $stalled_why (CPU state: $(ls -t "$_dir"/sandbox-froze-*.txt | head -1))"
	echo "$_status" > "$cur_tmp/status"
	rm -f "$cur_tmp/vmm.pid"
	mv "$cur_tmp" "$_dir/cells/$_cell"
	cur_tmp=
	cell_status=$_status
}

# wait_line FILE PATTERN PID TICKS: wait (0.1 s ticks, at most TICKS) until
# FILE has a line matching the grep pattern PATTERN; 0 if it came, 1 if PID
# ended first, 2 on the time limit.
wait_line() {
	_wl_t=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		kill -0 "$3" 2>/dev/null || { grep -q "$2" "$1" 2>/dev/null && return 0; return 1; }
		[ "$_wl_t" -lt "$4" ] || return 2
		sleep 0.1
		_wl_t=$((_wl_t + 1))
	done
	return 0
}

# run_udpgen TMP PORT RATE REP STATS: udpgen of one cell into STATS (its log
# TMP/gen.log), stopped early if vmm-mini ($vmm_pid) ends; sets _grc.
run_udpgen() {
	# shellcheck disable=SC2086
	"$BUILD/udpgen" --to "127.0.0.1:$2" --rate "$3" --pattern "$wl_pattern" \
		--burst "$wl_burst" --size "$wl_size" $_glen --seed "$4" \
		--stats "$5" --quiet > "$1/gen.log" 2>&1 &
	gen_pid=$!
	# A vmm-mini that ended (its --timeout, a crash) receives nothing
	# more: a watcher stops udpgen rather than let it send out its count
	# or duration into a closed port. vmm-mini is not reaped until the
	# wait below, so "ended" is its zombie state in /proc (Linux), read
	# with builtins twice a second: next to nothing on an emulated CPU.
	(
		while kill -0 "$gen_pid" 2>/dev/null; do
			_st=Z
			{ read -r _p _c _st _r < "/proc/$vmm_pid/stat"; } 2>/dev/null
			[ "$_st" = Z ] && { kill -TERM "$gen_pid" 2>/dev/null; exit 0; }
			sleep 0.5
		done
	) 7<&- &
	# (7<&-: the watcher writes nothing of the run, so it does not hold
	# its lock: a killed runner's watcher, or its sleep, outliving the
	# runner for half a second would refuse an immediate --resume.)
	_watch=$!
	wait "$gen_pid"
	_grc=$?
	kill "$_watch" 2>/dev/null
	wait "$_watch" 2>/dev/null
	_watch=
	gen_pid=
}

# linux_boot_args: the vmm-mini options that boot the Linux guest: Debian's
# kernel and the initramfs with its receiver (make linux-guest), booted as
# tests/kvm/linux-rx.t boots them.
linux_boot_args() {
	echo "--kernel $BUILD/linux-guest/bzImage --initrd $BUILD/linux-guest/initramfs.cpio.gz --mem 256"
}

# run_linux_cells DIR MODE REP CELL:RATE...: the cells of one Linux guest
# mode and repeat (the rates of the plan not yet done) in ONE vmm-mini
# --windows K, one Linux boot: window I is the I-th cell, fed by its own
# udpgen run from the window's ready line, accounted for by vmm-mini as a
# run of its own (its FILE.I, moved into the cell). Each cell is finished
# (status, renamed into place) as soon as its window is, so an interrupt
# keeps the cells done; its vmm.log is the boot's log up to its window's
# end (the console with it), which the clock-fault check reads. A boot
# that ends before a window fails that window's cell with vmm-mini's
# reason and every later cell with "the boot ended in window I". With
# probes on, each window has its own virqstat -p, from the window's ready
# line to its close. Sets cell_statuses: one "CELL STATUS" line per cell.
run_linux_cells() {
	_dir=$1 _mode=$2 _rep=$3
	shift 3
	_k=$# _i=0 _lost= _mismatch=0 cell_statuses=
	_g=$_dir/cells/boot-$_mode-$_rep.tmp
	cur_group=$_g
	rm -rf "$_g"
	mkdir -p "$_g"
	_port=$((20000 + ($$ * 7 + _cell_i * 13) % 40000))
	_glen="--count $wl_packets"
	workload_mode "$_mode"
	_boots=$(meta_get "$_dir" linux_boots)
	meta_set "$_dir" linux_boots $((${_boots:-0} + 1))
	# shellcheck disable=SC2046
	"$BUILD/vmm-mini" $(linux_boot_args) --source "udp:127.0.0.1:$_port" --mode "$wm_vmm_mode" \
		--count "$wl_packets" --windows "$_k" --vcpus "$wl_vcpus" --idle "$wl_idle" \
		--timeout $((wl_timeout * _k)) --stats "$_g/stats.tsv" --sender-stats "$_g/gen.tsv" \
		--latency-log "$_g/lat.tsv" > "$_g/vmm.log" 2>&1 &
	vmm_pid=$!
	echo "$vmm_pid" > "$_g/vmm.pid"
	_vrc=
	for _cr in "$@"; do
		_i=$((_i + 1))
		_cell=${_cr%%:*} _rate=${_cr#*:}
		_stalls0=$stalls_seen
		cur_tmp=$_dir/cells/$_cell.tmp
		rm -rf "$cur_tmp"
		mkdir -p "$cur_tmp"
		_why= _grc=- _prc=0 _done=
		if [ -n "$_lost" ]; then
			_why=$_lost
		else
			# The boot (window 1) or the previous window's close: 120 s at most.
			wait_line "$_g/vmm.log" "virqnet: ready, window $_i of $_k," "$vmm_pid" 1200
			case $? in
			2) _why="vmm-mini not ready after 120 s (window $_i of $_k)"
			   kill -TERM "$vmm_pid" 2>/dev/null ;;
			1) _why= ;;	# ended: its exit says why, below
			0)
				if [ "$probes_ok" = 1 ]; then
					# -i: its first row says the probes are attached.
					"$BUILD/virqstat" -q -i 0.5 -p "$vmm_pid" --stats "$cur_tmp/probes.tsv" \
						2> "$cur_tmp/probes.log" 7<&- &
					_probe=$!
					wait_line "$cur_tmp/probes.log" . "$_probe" 600
				fi
				run_udpgen "$cur_tmp" "$_port" "$_rate" "$_rep" "$_g/gen.tsv.$_i"
				wait_line "$_g/vmm.log" "virqnet: window $_i of $_k done" "$vmm_pid" \
					$((wl_timeout * 10 * _k))
				if [ -n "$_probe" ]; then
					kill -INT "$_probe" 2>/dev/null
					wait "$_probe"
					_prc=$?
					_probe=
				fi
				;;
			esac
		fi
		_done=$(sed -n "s/.*virqnet: window $_i of $_k done: accounting \([A-Z]*\).*/\1/p" "$_g/vmm.log")
		# The last window's files, or those of one the boot ended in, come at its exit.
		if [ -n "$vmm_pid" ] && { [ "$_i" = "$_k" ] || [ -z "$_done" ]; }; then
			[ -n "$_why" ] && kill -TERM "$vmm_pid" 2>/dev/null
			wait "$vmm_pid"
			_vrc=$?
			vmm_pid=
			_done=$(sed -n "s/.*virqnet: window $_i of $_k done: accounting \([A-Z]*\).*/\1/p" "$_g/vmm.log")
		fi
		for _f in stats.tsv lat.tsv gen.tsv; do
			[ -f "$_g/$_f.$_i" ] && mv "$_g/$_f.$_i" "$cur_tmp/$_f"
		done
		# Its log: the boot's up to its window's done line (all of it if none came).
		if [ -n "$_done" ]; then
			sed "/virqnet: window $_i of $_k done/q" "$_g/vmm.log" > "$cur_tmp/vmm.log"
		else
			cp "$_g/vmm.log" "$cur_tmp/vmm.log"
		fi
		if [ -n "$_why" ]; then
			_status="failed: $_why"
		elif [ "$_done" = MISMATCH ]; then
			_status="failed: vmm-mini: window $_i of $_k: accounting MISMATCH"
		elif [ "$_done" != OK ]; then
			if [ -n "$_vrc" ] && [ "$_vrc" != 0 ]; then
				_status="failed: $(why_exit vmm-mini "$_vrc" "$cur_tmp/vmm.log")"
			else
				_status="failed: vmm-mini ended without window $_i of $_k's report"
			fi
		elif [ "$_i" = "$_k" ] && [ "$_vrc" != 0 ] && ! { [ "$_vrc" = 1 ] && [ "$_mismatch" = 1 ]; }; then
			# Exit 1 after an earlier window's mismatch is that window's, failed already.
			_status="failed: $(why_exit vmm-mini "$_vrc" "$cur_tmp/vmm.log")"
		elif [ "$_grc" != 0 ]; then
			_status="failed: $(why_exit udpgen "$_grc" "$cur_tmp/gen.log")"
		elif [ ! -s "$cur_tmp/stats.tsv" ]; then
			_status="failed: vmm-mini wrote no statistics"
		else
			_status=ok
		fi
		[ "$_done" = MISMATCH ] && _mismatch=1
		# A boot that ended here loses the windows after this one.
		[ -z "$vmm_pid" ] && [ "$_i" != "$_k" ] && [ -z "$_lost" ] &&
			_lost="the boot ended in window $_i of $_k (cell $_cell: ${_status#failed: })"
		if [ "$_status" = ok ]; then
			_why=$(irqs_disagree "$cur_tmp/stats.tsv") && _status="failed: $_why"
			_why=$(linux_clock_fault "$cur_tmp/vmm.log") &&
				_status="failed: the guest's clock stood still (README, Known issues): $_why"
		fi
		[ "$probes_ok" = 1 ] && [ -z "$_lost" ] && [ "$_prc" != 0 ] && [ "$_prc" != 130 ] &&
			_status="failed: probes: $(tail -1 "$cur_tmp/probes.log")"
		stalls_seen=$(stalls "$_dir")
		[ "$stalls_seen" != "$_stalls0" ] &&
			_status="failed: $stalled_why (CPU state: $(ls -t "$_dir"/sandbox-froze-*.txt | head -1))"
		echo "$_status" > "$cur_tmp/status"
		mv "$cur_tmp" "$_dir/cells/$_cell"
		cur_tmp=
		cell_statuses="$cell_statuses$_cell $_status
"
		# Progress as each window ends (a stalled one: when it has run again).
		case "$_status" in "failed: $stalled_why"*) ;; *) progress "$_dir" "$_cell" "$_status" ;; esac
	done
	rm -rf "$_g"
	cur_group=
}

# progress DIR CELL STATUS: one line on stderr for a finished cell, with the
# time left estimated from the plan's estimates done so far.
progress() {
	# shellcheck disable=SC2034
	IFS='	' read -r _pi _pc _pm _pr _prep _pk _pe <<PLAN
$(awk -F'\t' -v c="$2" '!/^#/ { i++ } !/^#/ && $1 == c { print i "\t" $0; exit }' "$1/plan.tsv")
PLAN
	_done_est=$(awk -v a="$_done_est" -v b="$_pe" 'BEGIN { print a + b }')
	_el=$(secs "$_t0" "$(now)")
	_left=$(awk -v e="$_el" -v d="$_done_est" -v t="$_todo_est" 'BEGIN { print (d > 0 ? (t - d) * e / d : t) }')
	[ "$3" = ok ] || _failed=$((_failed + 1))
	printf 'run-experiment: cell %d/%d %s%s at %s pps, repeat %s: %s | elapsed %s, left ~%s\n' \
		"$_pi" "$_total" "$_pm" "$( [ "$_pk" = warmup ] && echo ' (warm-up)')" \
		"$( [ "$_pr" = 0 ] && echo max || echo "$_pr")" "$_prep" "$3" \
		"$(hms "$_el")" "$(hms "$_left")" >&2
}

# run_cells DIR: every cell of DIR/plan.tsv not yet in DIR/cells/, with progress.
run_cells() {
	_d=$1
	workload_load "$_d/workload.conf" "$flavour" || exit 2
	probes_ok=0
	if [ "$wl_probes" = on ]; then
		if [ ! -x "$BUILD/virqstat" ]; then
			meta_set "$_d" probes "unavailable: $BUILD/virqstat is not built"
		elif _msg=$("$BUILD/virqstat" --stats /dev/null -- true 2>&1); then
			probes_ok=1
			meta_set "$_d" probes on
		else
			meta_set "$_d" probes "unavailable: $(printf '%s\n' "$_msg" | tail -1)"
		fi
	else
		meta_set "$_d" probes off
	fi
	meta_set "$_d" kvm_flavour "$(scripts/kvm-flavour.sh)"
	meta_set "$_d" kvm_kernel "$(uname -r)"
	meta_set "$_d" kvm_kernel_cmdline "$(cat /proc/cmdline 2>/dev/null)"
	meta_set "$_d" kvm_cpu "$(cpu_model)"
	meta_set "$_d" kvm_where "${VIRQLAB_IN_SANDBOX:+sandbox (QEMU TCG -cpu max, emulated SVM)}"
	[ -n "${VIRQLAB_IN_SANDBOX:-}" ] || meta_set "$_d" kvm_where native
	rm -rf "$_d"/cells/*.tmp
	mkdir -p "$_d/cells"
	_total=$(grep -vc '^#' "$_d/plan.tsv")
	_todo_est=$(awk -F'\t' -v d="$_d/cells" '!/^#/ { if (system("test -d \"" d "/" $1 "\"")) s += $6 } END { print s + 0 }' "$_d/plan.tsv")
	_t0=$(now) _done_est=0 _cell_i=0 _failed=0 _ran=0 stalls_seen=$(stalls "$_d")
	trap "$on_signal" INT TERM HUP
	while IFS='	' read -r cell mode rate rep kind est; do
		case "$cell" in \#*) continue ;; esac
		_cell_i=$((_cell_i + 1))
		[ -d "$_d/cells/$cell" ] && continue
		[ -n "$max_cells" ] && [ "$_ran" -ge "$max_cells" ] && break
		workload_mode "$mode"
		if [ "$wm_guest" = linux ] && [ -n "$wl_packets" ]; then
			# One boot for this mode and repeat: the plan's cells of it not
			# yet done, every rate (at most what --cells leaves), in plan order.
			_grp=$(awk -F'\t' -v m="$mode" -v r="$rep" -v k="$kind" -v d="$_d/cells" \
				-v n="${max_cells:+$((max_cells - _ran))}" \
				'!/^#/ && $2 == m && $4 == r && $5 == k && (n == "" || c < n + 0) {
					if (system("test -d \"" d "/" $1 "\"")) { print $1 ":" $3; c++ } }' "$_d/plan.tsv")
			# shellcheck disable=SC2086
			run_linux_cells "$_d" "$mode" "$rep" $_grp < /dev/null
			_again=
			for _c in $(printf '%s' "$cell_statuses" | awk '{ print $1 }'); do
				case "$(cat "$_d/cells/$_c/status")" in
				"failed: $stalled_why"*)
					# Kept aside, not summarized; the cell runs once more.
					mkdir -p "$_d/discarded"
					mv "$_d/cells/$_c" "$_d/discarded/$_c.stalled.$(stalls "$_d")"
					echo "run-experiment: cell $_c: $stalled_why; running it again" >&2
					_again="$_again $(printf '%s\n' "$_grp" | grep "^$_c:")"
					;;
				esac
			done
			# shellcheck disable=SC2086
			[ -n "$_again" ] && run_linux_cells "$_d" "$mode" "$rep" $_again < /dev/null
			_ran=$((_ran + $(printf '%s\n' $_grp | grep -c .)))
		else
			_ran=$((_ran + 1))
			run_cell "$_d" "$cell" "$mode" "$rate" "$rep" < /dev/null
			case "$cell_status" in
			"failed: $stalled_why"*)
				# Kept aside, not summarized; the cell runs once more.
				mkdir -p "$_d/discarded"
				mv "$_d/cells/$cell" "$_d/discarded/$cell.stalled.$(stalls "$_d")"
				echo "run-experiment: cell $cell: $cell_status; running it again" >&2
				run_cell "$_d" "$cell" "$mode" "$rate" "$rep" < /dev/null
				;;
			esac
			progress "$_d" "$cell" "$cell_status"
		fi
	done < "$_d/plan.tsv"
	trap - INT TERM HUP
}

# ---- the worker inside the sandbox ------------------------------------------

if [ -n "$worker" ]; then
	[ -f "$worker/plan.tsv" ] || die2 "--worker $worker: no plan.tsv there"
	emulated=$(meta_get "$worker" emulated)
	_b=$(meta_get "$worker" build_dir)
	[ -z "$_b" ] || BUILD=$_b/build
	flavour=$(scripts/kvm-flavour.sh)
	on_signal='stop_children; rm -rf ${cur_tmp:+"$cur_tmp"} ${cur_group:+"$cur_group"}; exit 130'
	run_cells "$worker"
	exit 0
fi

# ---- plan, meta, run, finish ------------------------------------------------

# choose_where WORKLOAD: where the cells run (where, flavour, emulated),
# with the workload loaded for that flavour. A Linux guest on nested PVM
# goes to the sandbox: PVM emulates guest ring 0 (~1.6 M instructions/s), a
# Linux boot there takes many minutes, in the sandbox about 15 s.
choose_where() {
	if kvm_usable; then
		where=native
		flavour=$(scripts/kvm-flavour.sh)
	else
		where=sandbox
		flavour=svm-emulated
	fi
	workload_load "$1" "$flavour" || exit 2
	case " $wl_guests " in
	*" linux "*)
		if [ "$flavour" = pvm ]; then
			echo "run-experiment: a Linux guest on nested PVM (ring 0 emulated, minutes per boot): the cells run in the SVM sandbox" >&2
			where=sandbox flavour=svm-emulated
			workload_load "$1" "$flavour" || exit 2
		fi
		;;
	esac
	case "$flavour" in *-emulated) emulated=1 ;; *) emulated=0 ;; esac
}

# sandbox_can_write OPTION DIR: in the sandbox only this checkout is writable
# (scripts/sandbox.sh: the rest of the host is there read-only, its /tmp a
# tmpfs of its own), so a run going there refuses a DIR outside it at once
# rather than lose every cell. DIR need not exist; its existing part is
# resolved (symlinks).
sandbox_can_write() {
	[ "$where" = sandbox ] || return 0
	_sw=$2 _sw_rest=
	case "$_sw" in /*) ;; *) _sw=$(pwd)/$_sw ;; esac
	while [ ! -d "$_sw" ]; do
		_sw_rest=/$(basename "$_sw")$_sw_rest
		_sw=$(dirname "$_sw")
	done
	case "$(cd "$_sw" && pwd -P)$_sw_rest/" in
	"$(pwd -P)"/*) ;;
	*) die2 "$1 $2: the cells run in the SVM sandbox, which writes only inside this checkout ($(pwd -P)): give a folder under it" ;;
	esac
}

# need_linux_guest: a run with a Linux guest mode needs build/linux-guest.
need_linux_guest() {
	case " $wl_guests " in *" linux "*) ;; *) return 0 ;; esac
	for f in bzImage initramfs.cpio.gz; do
		[ -f "$BUILD/linux-guest/$f" ] ||
			die2 "a Linux guest mode needs $BUILD/linux-guest/$f: make linux-guest${build_abs:+ (in $build_abs)}"
	done
}

# linux_guest_meta DIR: the Linux guest's kernel in DIR's meta (a run of
# linux modes only) or nothing.
linux_guest_meta() {
	meta_set "$1" guest "$wl_guests"
	case " $wl_guests " in *" linux "*) ;; *) return 0 ;; esac
	meta_set "$1" guest_kernel "$(cat "$BUILD/linux-guest/kernel-version" 2>/dev/null || echo unknown)"
	meta_set "$1" guest_kernel_package "$(cat "$BUILD/linux-guest/kernel-package" 2>/dev/null || echo unknown)"
	meta_set "$1" guest_initramfs_sha256 "$(sha256sum < "$BUILD/linux-guest/initramfs.cpio.gz" | cut -d' ' -f1)"
	# Counted up by each Linux boot (run_linux_cells, run_cell): one per mode and repeat.
	meta_set "$1" linux_boots 0
}

# lock_run DIR: hold DIR's lock (flock(1) on the directory itself, on fd 7,
# which the cells' programs inherit) as long as this runner and its cells
# live: a second runner on DIR (two --resume, or one during the run) would
# remove the other's cell in progress.
lock_run() {
	exec 7< "$1" || die2 "$1: cannot open it to lock it"
	flock -n 7 || die2 "$1: another run-experiment is writing it (locked): wait for it to end, or stop it"
}

# use_build TREE: the cells run TREE's programs (TREE/build/).
use_build() {
	[ -d "$1" ] || die2 "--build $1: no such checkout"
	for f in vmm-mini udpgen guest.elf; do
		[ -f "$1/build/$f" ] || die2 "--build $1: no build/$f there (make -C $1)"
	done
	build_abs=$(cd "$1" && pwd -P)
	BUILD=$build_abs/build
}
build_abs=

if [ -n "$resume" ]; then
	[ -z "$out" ] || die2 "--out and --resume do not go together (--resume writes into its DIR)"
	for f in meta workload.conf plan.tsv; do
		[ -f "$resume/$f" ] || die2 "--resume $resume: no $f there: not a results directory"
	done
	choose_where "$resume/workload.conf"
	lock_run "$resume"
	# A run's programs are fixed when it starts: --resume keeps its build.
	_b=$(meta_get "$resume" build_dir)
	if [ -n "$build_tree" ]; then
		use_build "$build_tree"
		[ "$build_abs" = "$_b" ] ||
			die2 "--resume $resume: started with the programs of ${_b:-this checkout}, not --build $build_tree"
	elif [ -n "$_b" ]; then
		use_build "$_b"
	fi
	if [ -n "$wl_arg" ]; then
		wl_file=$(workload_path "$wl_arg")
		workload_load "$wl_file" "$flavour" || exit 2
		cmp -s "$wl_file" "$resume/workload.conf" ||
			die2 "--resume $resume: $wl_file differs from the workload that run started with ($resume/workload.conf)"
	fi
	[ "$(meta_get "$resume" emulated)" = "$emulated" ] ||
		die2 "--resume $resume: started with emulated=$(meta_get "$resume" emulated), here emulated=$emulated: start a new run"
	if [ "$(meta_get "$resume" status)" = complete ]; then
		echo "run-experiment: $resume is complete; nothing to resume" >&2
		exit 0
	fi
	sandbox_can_write --resume "$resume"
	out=$resume
	workload_load "$out/workload.conf" "$flavour" || exit 2
	wl_name=$(meta_get "$out" workload)
	meta_set "$out" resumed "$(date -u +%Y-%m-%dT%H:%M:%SZ) $cmdline"
else
	[ -n "$wl_arg" ] || die2 "no workload given (see --help)"
	[ -z "$build_tree" ] || use_build "$build_tree"
	wl_file=$(workload_path "$wl_arg")
	choose_where "$wl_file"
fi
[ "$dry" = 1 ] || need_linux_guest

nmodes=$(echo $wl_modes | wc -w) nrates=$(echo $wl_rates | wc -w)
ncells=$((nmodes * nrates * (wl_repeats + wl_warmup)))
# Seconds per cell: start-up plus sending (an emulated CPU boots and sends
# ~30x slower; rate 0 sends as fast as this host can).
plan_rows() {
	for rate in $wl_rates; do
		for mode in $wl_modes; do
			r=1
			while [ $r -le $((wl_warmup + wl_repeats)) ]; do
				if [ $r -le "$wl_warmup" ]; then
					kind=warmup cell=$mode-$rate-w$r rep=$r
				else
					kind=run rep=$((r - wl_warmup)) cell=$mode-$rate-$((r - wl_warmup))
				fi
				workload_mode "$mode"
				est=$(awk -v p="$wl_packets" -v d="$wl_duration" -v r="$rate" -v e="$emulated" -v g="$wm_guest" \
					-v f="$([ "$rate" = "${wl_rates%% *}" ] && echo 1)" 'BEGIN {
					boot = e ? 3 : 0.3; max = e ? 20000 : 500000
					# A Linux mode boots once for its rates (at the first; packets only).
					if (g == "linux") boot = f || d != "" ? (e ? 20 : 2) : (e ? 3 : 0.3)
					send = d != "" ? d : p / (r > 0 ? r : max)
					printf "%.1f", boot + send }')
				printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$cell" "$mode" "$rate" "$rep" "$kind" "$est"
				r=$((r + 1))
			done
		done
	done
}
where_text=$([ "$where" = sandbox ] && { kvm_usable && echo "in the SVM sandbox (a Linux guest: not on $(scripts/kvm-flavour.sh) here; emulated CPU)" ||
	echo "in the SVM sandbox (no usable /dev/kvm here; emulated CPU)"; } ||
	echo "natively on /dev/kvm ($flavour)")

if [ -z "$resume" ]; then
	out=${out:-results/$(date +%Y%m%d-%H%M%S)-$wl_name}
	[ "$dry" = 1 ] || sandbox_can_write --out "$out"
	if [ "$dry" = 1 ]; then
		plan=$(plan_rows)
	else
		[ ! -e "$out" ] || die2 "$out exists: a run never overwrites another (--resume $out to continue it)"
		mkdir -p "$(dirname "$out")" && mkdir "$out" || die2 "cannot create $out"
		lock_run "$out"
		cp "$wl_file" "$out/workload.conf"
		{ printf '#cell\tmode\trate\trepeat\tkind\test_s\n'; plan_rows; } > "$out/plan.tsv"
		plan=$(grep -v '^#' "$out/plan.tsv")
		meta_init "$out" "$wl_name" "$wl_file" "$cmdline" "${build_abs:-.}"
		if [ -n "$build_abs" ]; then
			meta_set "$out" build_dir "$build_abs"
			meta_set "$out" harness_rev "$(git rev-parse HEAD 2>/dev/null || echo unknown)"
			meta_set "$out" harness_dirty "$(git_dirty_of .)"
		fi
		meta_set "$out" emulated "$emulated"
		linux_guest_meta "$out"
		meta_set "$out" cells "$ncells"
		meta_set "$out" status partial
	fi
else
	plan=$(grep -v '^#' "$out/plan.tsv")
fi
est=$(printf '%s\n' "$plan" | awk -F'\t' -v d="$out/cells" '{ if (system("test -d \"" d "/" $1 "\"")) { s += $6; n++ } }
	END { printf "%d %d", n, s + (n ? 4 : 0) }')
echo "run-experiment: $wl_name: $ncells cells ($nmodes modes x $nrates rates x $wl_repeats repeats$( [ "$wl_warmup" -gt 0 ] && echo " + $wl_warmup warm-up")), ${est% *} to run, ~$(hms "${est#* }") estimated, $where_text" >&2
echo "run-experiment: modes $wl_modes; rates $wl_rates pps (0 = max); ${wl_packets:+$wl_packets packets}${wl_duration:+$wl_duration s} per cell, $wl_pattern, $wl_size bytes" >&2
# --dry-run: the plan itself on stdout, as plan.tsv would hold it.
if [ "$dry" = 1 ]; then
	printf '#cell\tmode\trate\trepeat\tkind\test_s\n'
	printf '%s\n' "$plan"
	exit 0
fi
echo "run-experiment: results in $out" >&2

# finish STATUS: meta, summary, plots, results/latest; the table on stdout.
finish() {
	rm -rf "$out"/cells/*.tmp
	nok=0 nfail=0 ndone=0
	for c in $(awk -F'\t' '!/^#/ { print $1 }' "$out/plan.tsv"); do
		[ -f "$out/cells/$c/status" ] || continue
		ndone=$((ndone + 1))
		if [ "$(cat "$out/cells/$c/status")" = ok ]; then nok=$((nok + 1)); else nfail=$((nfail + 1)); fi
	done
	status=partial
	[ "$ndone" = "$ncells" ] && status=complete
	meta_set "$out" end "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	meta_set "$out" cells_done "$ndone"
	meta_set "$out" cells_ok "$nok"
	meta_set "$out" cells_failed "$nfail"
	meta_set "$out" status "$status"
	# Summarized even with no cell ok: results.json and the history then
	# say what failed.
	scripts/summarize.sh "$out" >/dev/null || echo "run-experiment: summarize failed (see above)" >&2
	if [ "$nok" -gt 0 ] && [ "$plot" = 1 ] && command -v gnuplot >/dev/null 2>&1; then
		scripts/plot.sh "$out" >/dev/null || echo "run-experiment: plotting failed (see above)" >&2
	fi
	if [ -f "$out/results.json" ]; then
		scripts/history.sh record "$out" >&2 ||
			echo "run-experiment: this run is not in the history (see above); scripts/history.sh record $out adds it" >&2
	fi
	case "$(cd "$(dirname "$out")" && pwd)" in
	"$(pwd)/results") ln -sfn "$(basename "$out")" results/latest ;;
	esac
	[ -f "$out/summary.txt" ] && cat "$out/summary.txt"
	echo "run-experiment: $status: $ndone of $ncells cells ran, $nok ok, $nfail failed; results in $out" >&2
	if [ "$nfail" -gt 0 ]; then
		for c in "$out"/cells/*/status; do
			[ "$(cat "$c")" = ok ] || echo "run-experiment: $(basename "$(dirname "$c")"): $(cat "$c")" >&2
		done
	fi
	if [ "$status" = partial ]; then
		echo "run-experiment: continue with: scripts/run-experiment.sh --resume $out" >&2
	fi
}

interrupted() {
	trap '' INT TERM HUP
	if [ "$where" = native ]; then
		stop_children
		rm -rf ${cur_tmp:+"$cur_tmp"} ${cur_group:+"$cur_group"}
	fi
	echo "run-experiment: interrupted: the current cell is abandoned, finished cells are kept" >&2
	finish
	exit 130
}

# first_undone: the first cell of the plan that has not finished.
first_undone() {
	for c in $(awk -F'\t' '!/^#/ { print $1 }' "$out/plan.tsv"); do
		[ -d "$out/cells/$c" ] || { echo "$c"; return; }
	done
}

if [ "$where" = sandbox ]; then
	trap interrupted INT TERM HUP
	limit=$(awk -v e="${est#* }" 'BEGIN { printf "%d", 600 + 3 * e }')
	# A sandbox that freezes (scripts/sandbox.sh exit 125; README, Known
	# issues) loses only the cell it was running: that cell never finished,
	# so a new sandbox runs it again from the start, with the rest. Each
	# freeze is counted in meta and its CPU state kept in the results.
	freezes=$(meta_get "$out" sandbox_freezes)
	freezes=${freezes:-0} max_freezes=${VIRQLAB_MAX_FREEZES:-5}
	while :; do
		VIRQLAB_SANDBOX_FROZE_DIR=$out scripts/sandbox.sh --timeout "$limit" -- \
			scripts/run-experiment.sh --worker "$out" ${max_cells:+--cells "$max_cells"}
		rc=$?
		[ "$rc" = 125 ] || break
		cell=$(first_undone)
		freezes=$((freezes + 1))
		meta_set "$out" sandbox_freezes "$freezes"
		prev=$(meta_get "$out" sandbox_froze_in)
		meta_set "$out" sandbox_froze_in "${prev:+$prev }$cell"
		if [ "$freezes" -ge "$max_freezes" ]; then
			echo "run-experiment: the sandbox froze $freezes times (VIRQLAB_MAX_FREEZES=$max_freezes); giving up" >&2
			break
		fi
		echo "run-experiment: the sandbox froze in cell $cell (freeze $freezes of at most $max_freezes): that cell is discarded and runs again in a new sandbox" >&2
	done
	if [ "$rc" = 130 ]; then
		interrupted
	fi
	trap - INT TERM HUP
	if [ "$rc" != 0 ]; then
		echo "run-experiment: the sandbox ended with exit $rc" >&2
		finish
		[ "$rc" = 3 ] && exit 3
		exit 1
	fi
else
	on_signal=interrupted
	run_cells "$out"
fi
finish
[ "$nfail" = 0 ] || exit 1
# Stopped by --cells: partial as asked.
[ "$status" = complete ] || [ -n "$max_cells" ] || exit 1
exit 0
