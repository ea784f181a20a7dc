#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 6
#
# Description: the experiment runner runs a Linux guest's cells of one mode
# and repeat in ONE vmm-mini --windows K (one boot; issue 18 step 4), without
# KVM: scripts/run-experiment.sh --worker (what the sandbox runs) drives a
# stand-in build whose vmm-mini plays the --windows protocol (ready line per
# window, FILE.I, done line) and whose udpgen writes its record. Three rates
# make one boot of three windows: each cell its own folder with its own
# stats, gen, lat, vmm.log and status ok; meta counts one boot. The per-cell
# verdicts still hold: a window whose accounting failed fails its cell only;
# its interrupt counts disagreeing fail it (scripts/lib/irqs-agree.sh); a
# boot that dies in window 2 fails cell 2 with vmm-mini's reason and cell 3
# with "the boot ended in window 2 of 3"; --cells 2 runs two windows and a
# later run the third alone (another boot, K = 1); a sandbox stall during
# window 1 sets that cell aside (discarded/) and runs it again in a boot of
# its own; stopped (TERM) in window 2, cell 1 is kept and a resumed worker
# runs cells 2 and 3 in one boot; a virqlab guest's cells are one vmm-mini
# each, as before. tests/kvm/linux-rx.t runs the real one
# in the sandbox.

. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/scripts/lib/results.sh"
cd "$VIRQLAB_ROOT" || exit 1

plan 21
t=$BUILD/tmp/linux-windows-t.$$
rm -rf "$t"
mkdir -p "$t/tree/build/linux-guest"
trap 'rm -rf "$t"' EXIT

# The stand-in vmm-mini: --windows K, window I writes FILE.I once udpgen's
# record for it is there. FAKE_MISMATCH=I: window I's accounting fails;
# FAKE_DIE=I: the boot dies (exit 3) in window I; FAKE_IRQS=I: window I's
# guest counted more interrupts than the device raised.
cat > "$t/tree/build/vmm-mini" <<'EOF'
#!/bin/sh
k= stats= gen= lat= windowed= boots=$(dirname "$0")/boots
echo "vmm-mini args: $*"
while [ $# -gt 0 ]; do
	case "$1" in
	--windows) k=$2 windowed=1; shift ;;
	--stats) stats=$2; shift ;;
	--sender-stats) gen=$2; shift ;;
	--latency-log) lat=$2; shift ;;
	--kernel) echo boot >> "$boots" ;;
	esac
	shift
done
k=${k:-1}
echo "[    0.000000] Linux version 6.1.0-fake"
rc=0
i=1
while [ $i -le "$k" ]; do
	if [ -z "$windowed" ]; then s=$stats g=$gen l=$lat; else s=$stats.$i g=$gen.$i l=$lat.$i; fi
	echo "vmm-mini: virqnet: ready, window $i of $k, receiving on udp:127.0.0.1:9 (mode virtio)"
	n=0
	until [ -f "$g" ] || [ $n -ge 100 ]; do sleep 0.05; n=$((n + 1)); done
	[ "${FAKE_DIE:-0}" = $i ] && { echo "vmm-mini: KVM_RUN: Bad address"; exit 3; }
	[ "${FAKE_SLOW:-0}" = $i ] && { sleep 30 & wait $!; }
	[ "${FAKE_STALL:-0}" = $i ] && : > "$FAKE_STALL_DIR/sandbox-froze-1.txt"
	acc=ok gi=10
	[ "${FAKE_MISMATCH:-0}" = $i ] && acc=mismatch rc=1
	[ "${FAKE_IRQS:-0}" = $i ] && gi=11
	printf '#mode\tsent\tdelivered\tdropped\taccounting\tguest_irqs\tirqs_raised\tkvm_irq_injections\tflavour\twindow\n' > "$s"
	printf 'virtio\t10\t10\t0\t%s\t%s\t10\t20\tsvm-emulated\t%s\n' "$acc" "$gi" "$i" >> "$s"
	printf '#lat_ns\n1000\n' > "$l"
	[ "$acc" = ok ] && A=OK || A=MISMATCH
	echo "vmm-mini: virqnet: window $i of $k done: accounting $A"
	i=$((i + 1))
done
exit $rc
EOF
cat > "$t/tree/build/udpgen" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = --stats ] && f=$2; shift; done
printf '#sent\terrors\n10\t0\n' > "$f"
EOF
chmod +x "$t/tree/build/vmm-mini" "$t/tree/build/udpgen"
: > "$t/tree/build/guest.elf"
: > "$t/tree/build/linux-guest/bzImage"
: > "$t/tree/build/linux-guest/initramfs.cpio.gz"

# worker_plan DIR CONF: a results directory as the runner makes it.
worker_plan() {
	_d=$1 _conf=$2
	rm -rf "$_d"
	scripts/run-experiment.sh "$_conf" --dry-run 2>/dev/null > "$t/plan.tsv.$$" || return 2
	mkdir -p "$_d/cells"
	cp "$t/plan.tsv.$$" "$_d/plan.tsv"
	cp "$_conf" "$_d/workload.conf"
	printf 'build_dir\t%s\nemulated\t1\nlinux_boots\t0\n' "$t/tree" > "$_d/meta"
	rm -f "$t/tree/build/boots"
}

# worker DIR CONF [ARGS...]: worker_plan, then its cells run by --worker
# with the stand-in build.
worker() {
	worker_plan "$1" "$2"
	_d=$1
	shift 2
	scripts/run-experiment.sh --worker "$_d" "$@" 2> "$_d.err" < /dev/null
}
statuses() {
	for c in "$1"/cells/*/; do
		c=${c%/}
		echo "${c##*/}: $(cat "$c/status" 2>/dev/null)"
	done | paste -sd'|'
}
boots() {
	echo "$(meta_get "$1" linux_boots) $({ wc -l < "$t/tree/build/boots"; } 2>/dev/null | tr -d ' ')"
}

printf 'modes = virtio\nguest = linux\nrates = 100 200 400\npackets = 10\nrepeats = 1\nidle = 1\ntimeout = 20\n' \
	> "$t/linux.conf"
c1=linux-virtio-100-1 c2=linux-virtio-200-1 c3=linux-virtio-400-1

worker "$t/a" "$t/linux.conf"
is "three rates: three cells ok" "$c1: ok|$c2: ok|$c3: ok" "$(statuses "$t/a")"
is "... from one boot (meta linux_boots, vmm-mini started once)" "1 1" "$(boots "$t/a")"
is "... window I's files in the I-th rate's cell (stats, gen, lat)" "1 2 3|10 10 10|1 1 1" \
	"$(for c in $c1 $c2 $c3; do awk -F'\t' 'NR == 2 { print $10 }' "$t/a/cells/$c/stats.tsv"; done | paste -sd' ')|$(for c in $c1 $c2 $c3; do awk 'NR == 2 { print $1 }' "$t/a/cells/$c/gen.tsv"; done | paste -sd' ')|$(for c in $c1 $c2 $c3; do grep -vc '^#' "$t/a/cells/$c/lat.tsv"; done | paste -sd' ')"
like "... each cell's vmm.log: the boot's log up to its window's end" \
	"Linux version .*window 2 of 3 done: accounting OK\$" \
	"$(tr '\n' ' ' < "$t/a/cells/$c2/vmm.log" | sed 's/ $//')"
is "... no group folder is left behind" "" "$(ls -d "$t"/a/cells/*.tmp 2>/dev/null)"
is "... progress: one line a cell, as its window ends" \
	"cell 1/3 linux-virtio at 100 pps, repeat 1: ok|cell 2/3 linux-virtio at 200 pps, repeat 1: ok|cell 3/3 linux-virtio at 400 pps, repeat 1: ok" \
	"$(sed -n 's/^run-experiment: \(cell .*: ok\) | .*/\1/p' "$t/a.err" | paste -sd'|')"

FAKE_MISMATCH=2 worker "$t/b" "$t/linux.conf"
is "window 2's accounting failed: its cell fails, the others stay ok (exit 1 is window 2's)" \
	"$c1: ok|$c2: failed: vmm-mini: window 2 of 3: accounting MISMATCH|$c3: ok" "$(statuses "$t/b")"

FAKE_IRQS=3 worker "$t/c" "$t/linux.conf"
like "window 3's interrupt counts disagree: its cell fails (irqs-agree.sh)" \
	"\\|$c3: failed: interrupts disagree: the guest counted 11 " "$(statuses "$t/c")"
like "... the others ok" "^$c1: ok\\|$c2: ok\\|" "$(statuses "$t/c")"

FAKE_DIE=2 worker "$t/d" "$t/linux.conf"
st=$(statuses "$t/d")
like "the boot dies in window 2: cell 1 ok, cell 2 fails with vmm-mini's reason" \
	"^$c1: ok\\|$c2: failed: vmm-mini exit 3 \\(host/KVM error\\)" "$st"
like "... cell 3: the boot ended in window 2 of 3" \
	"\\|$c3: failed: the boot ended in window 2 of 3 \\(cell $c2: vmm-mini exit 3" "$st"
is "... one boot" "1 1" "$(boots "$t/d")"

worker "$t/e" "$t/linux.conf" --cells 2
is "--cells 2: two windows of one boot" "$c1: ok|$c2: ok" "$(statuses "$t/e")"
rm -f "$t/tree/build/boots"
scripts/run-experiment.sh --worker "$t/e" 2>> "$t/e.err" < /dev/null
is "... a later run (--resume's worker) runs the third alone: one more boot, K = 1" \
	"$c1: ok|$c2: ok|$c3: ok|2 1" "$(statuses "$t/e")|$(boots "$t/e")"
like "... its vmm-mini had --windows 1" "window 1 of 1 done" "$(cat "$t/e/cells/$c3/vmm.log")"

# The sandbox stalled during window 1 (a saved CPU state appeared in the
# results, as scripts/sandbox.sh leaves it): that cell, which the plan's
# loop has passed, is set aside in discarded/ and runs again, in a boot of
# its own; the others stand.
FAKE_STALL=1 FAKE_STALL_DIR=$t/h worker "$t/h" "$t/linux.conf"
is "a stall in window 1: every cell ends ok, cell 1 from a second boot" \
	"$c1: ok|$c2: ok|$c3: ok|2 2" "$(statuses "$t/h")|$(boots "$t/h")"
like "... the stalled run of cell 1 is in discarded/ with the reason" \
	"^failed: the sandbox stalled during this cell and it was revived" \
	"$(cat "$t/h/discarded/$c1.stalled.1/status" 2>/dev/null)"

# Stopped in window 2 (TERM, as the sandbox's end sends the worker; a
# background job here ignores INT, which is the same trap):
# cell 1 is kept, finished; cell 2 is abandoned; --resume's worker runs
# cells 2 and 3 in a new boot of two windows.
rm -rf "$t/g"
worker_plan "$t/g" "$t/linux.conf"
FAKE_SLOW=2 scripts/run-experiment.sh --worker "$t/g" 2> "$t/g.err" < /dev/null &
wpid=$!
n=0
until [ -f "$t/g/cells/$c1/status" ] || [ $n -ge 200 ]; do sleep 0.05; n=$((n + 1)); done
sleep 0.5
kill -TERM "$wpid"
wait "$wpid"
rc=$?
is "interrupted in window 2: exit 130, cell 1 kept ok, nothing else finished" "130 $c1: ok" \
	"$rc $(statuses "$t/g")"
rm -f "$t/tree/build/boots"
scripts/run-experiment.sh --worker "$t/g" 2>> "$t/g.err" < /dev/null
is "... resumed: cells 2 and 3 from one more boot of two windows" \
	"$c1: ok|$c2: ok|$c3: ok|2 1|window 2 of 2 done" \
	"$(statuses "$t/g")|$(boots "$t/g")|$(grep -o 'window 2 of 2 done' "$t/g/cells/$c3/vmm.log")"

printf 'modes = virtio\nrates = 100 200\npackets = 10\nrepeats = 1\nidle = 1\ntimeout = 20\n' \
	> "$t/tiny.conf"
worker "$t/f" "$t/tiny.conf"
is "the virqlab guest: one vmm-mini per cell, as before (no boot counted)" \
	"virtio-100-1: ok|virtio-200-1: ok|0 " "$(statuses "$t/f")|$(boots "$t/f")"
is "... and no --windows on its command line" "" \
	"$(grep -o -e "--windows [0-9]*" "$t/f/cells/virtio-100-1/vmm.log")"
done_testing
