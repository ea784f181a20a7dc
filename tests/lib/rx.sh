# SPDX-License-Identifier: GPL-2.0
# rx.sh - run one receive experiment cell for a test: vmm-mini receiving on a
# loopback port in MODE, udpgen sending COUNT packets at RATE; sourced after
# tap.sh. Sets: rx_rc (vmm-mini's exit), gen_rc, rx_out (vmm-mini output),
# rx_stats (the stats file). col NAME reads a column of rx_stats by name;
# rx_counts and rx_lossless are the counts and the checks tests share.

# col NAME [FILE]: value of column NAME in a one-row stats TSV.
col() {
	awk -F'\t' -v n="$1" 'NR == 1 { sub(/^#/, ""); for (i = 1; i <= NF; i++) c[$i] = i; next }
		{ print (n in c) ? $(c[n]) : "missing-column-" n; exit }' "${2:-$rx_stats}"
}

# rx_counts NATIVE: n (packets a run; RX_COUNT overrides it) and low, med:
# two rates below capacity wherever the test runs (flavour: its KVM flavour).
# In the emulated sandbox inject saturates near 1000 pps: 2000 packets at 400
# and 600. Nested PVM emulates guest ring 0, where inject's driver runs: it
# saturates between 3,000 and 6,000 pps (measured 2026-12-01): NATIVE packets
# at 2000 and 2500. Elsewhere (vmx, svm on hardware): at 2000 and 20000.
rx_counts() {
	flavour=$(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh")
	if [ "$KVM_WHERE" = sandbox ]; then
		n=${RX_COUNT:-2000} low=400 med=600
	elif [ "$flavour" = pvm ]; then
		n=${RX_COUNT:-$1} low=2000 med=2500
	else
		n=${RX_COUNT:-$1} low=2000 med=20000
	fi
}

# rx_lossless NAME: the last run exited 0 and delivered all $n it was sent
# exactly once, in order and intact (the guest checks each datagram), none
# dropped. Three cases.
rx_lossless() {
	is "$1: vmm-mini exit 0" 0 "$rx_rc"
	[ "$rx_rc" = 0 ] || diag "$rx_out"
	is "$1: delivered = sent = $n, no drops" "$n $n 0" \
		"$(col sent) $(col delivered) $(col dropped)"
	is "$1: guest saw no reordering, duplicates or corruption" "0 0 0" \
		"$(col guest_out_of_order) $(col guest_duplicate) $(col guest_corrupt)"
}

# rx_stalls: how many times the sandbox this test runs in has stalled so far
# (scripts/sandbox.sh saves the CPU state of each stall there; README, Known
# issues).
rx_stalls() {
	ls "$VIRQLAB_ROOT"/build/sandbox-froze-*.txt 2>/dev/null | wc -l
}

# rx_run MODE RATE COUNT [UDPGEN ARGS...]
# RATE "steps=R:N,...": udpgen --steps R:N,... instead of --rate (COUNT must be
# the steps' total).
# vmm-mini takes sent from udpgen's own record (gen.tsv; RX_SENDER_STATS: another
# file, to plant a wrong record). RX_VMM_ARGS: more vmm-mini options; RX_WRAP: a
# command line vmm-mini runs under (e.g. perf stat ... -- build/virqstat ... --),
# its output in vmm.out.
# A run during which the emulated machine stood still for seconds (and was
# revived) measures the stall, not the mode: it runs once more, as the
# experiment runner reruns such a cell.
rx_run() {
	_stalls0=$(rx_stalls)
	rx_run_once "$@"
	if [ -n "${VIRQLAB_IN_SANDBOX:-}" ] && [ "$(rx_stalls)" != "$_stalls0" ]; then
		note "the sandbox stalled during $1 at $2 pps: its figures are not the mode's; once more"
		rx_run_once "$@"
	fi
}

rx_run_once() {
	_mode=$1 _rate=$2 _count=$3
	shift 3
	_dir=$(mktemp -d)
	rx_stats=$_dir/stats.tsv
	_port=$((20000 + ($$ + ${_tap_n:-0} * 7) % 30000))
	${RX_WRAP:-} "$BUILD/vmm-mini" --source "udp:127.0.0.1:$_port" --mode "$_mode" --count "$_count" \
		--stats "$rx_stats" --sender-stats "${RX_SENDER_STATS:-$_dir/gen.tsv}" \
		--timeout "${RX_TIMEOUT:-300}" --idle "${RX_IDLE:-3}" \
		${RX_VMM_ARGS:-} > "$_dir/vmm.out" 2>&1 &
	_vmm=$!
	# The device says when its driver is up; only then does traffic start.
	_i=0
	while ! grep -q "virqnet: ready" "$_dir/vmm.out" 2>/dev/null; do
		if ! kill -0 "$_vmm" 2>/dev/null || [ $_i -ge 600 ]; then
			break
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	case "$_rate" in
	steps=*) _load="--steps ${_rate#steps=}" ;;
	*) _load="--rate $_rate --count $_count" ;;
	esac
	# shellcheck disable=SC2086
	"$BUILD/udpgen" --to "127.0.0.1:$_port" $_load --quiet \
		--stats "$_dir/gen.tsv" "$@" > "$_dir/gen.out" 2>&1 && gen_rc=0 || gen_rc=$?
	wait "$_vmm" && rx_rc=0 || rx_rc=$?
	rx_out=$(cat "$_dir/vmm.out" "$_dir/gen.out")
	RX_DIRS="${RX_DIRS:-} $_dir"
}

rx_cleanup() {
	# shellcheck disable=SC2086
	[ -n "${RX_DIRS:-}" ] && rm -rf $RX_DIRS
}
