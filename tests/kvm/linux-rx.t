#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 193
#
# Description: Debian's stock Linux under vmm-mini receives real UDP traffic
# with its own virtio_net driver: PCI finds vmm-mini's virtio-net device at
# 00:01.0 (configuration mechanism #1, pci=conf1), virtio_net binds with
# MSI-X, eth0 comes up with the fixed address the frames carry, and the
# initramfs receiver (guest-kernel-patch/linux/virqlab-rx.c) reads a UDP socket. udpgen
# sends RX_COUNT (default 10,000) packets at a low rate: every one arrives
# exactly once, intact and in order, in the guest's socket (the guest's own
# verification, reported through vmm-mini's port and validated there); the
# stats row carries the same columns as the virqlab guest's (sent =
# delivered + dropped, interrupts and KVM exits per packet, one latency
# sample per packet) and the device's interrupts agree with the guest's
# /proc/interrupts. A Linux guest refuses every mode but virtio (exit 2).
# One boot, several runs (vmm-mini --windows 3): three udpgen runs at three
# rates, each window started at its ready line and accounted for exactly
# once, as a run of its own (FILE.1..3, each sent = delivered from its own
# udpgen record, its own latency log and KVM deltas, disjoint within the
# boot's), one kernel banner on the console.
# And the experiments know the guest (issue 18 step 4): in the same
# sandbox, scripts/run-experiment.sh runs a workload with guest = linux, two
# rates: Linux boots from build/linux-guest once (meta linux_boots 1), both
# cells are ok (their interrupt counts agreed: scripts/lib/irqs-agree.sh),
# their mode is linux-virtio, each has its own probes.tsv of its window
# (probes = on: its MSIs are its interrupts), and meta names the guest and
# its kernel.
#
# Where the boot runs: natively where /dev/kvm is VMX or SVM; elsewhere (PVM:
# Linux's ring 0 is emulated there, minutes per boot) this file runs only in
# the sandbox suite (scripts/check.sh --sandbox), which boots Linux inside the
# SVM sandbox, and skips in the native suite, which would repeat that same
# sandbox run and push make check past its 10 minutes (LINUX_RX_ANYWHERE=1
# runs it anyway). The sandbox may wait behind another one (a lock).
# timeout: 900
# timeout-sandbox: 1800

. "$(dirname "$0")/../lib/tap.sh"

VMM=$BUILD/vmm-mini
LG=$BUILD/linux-guest
flavour=$(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh" 2>/dev/null)
# Where KVM works but Linux crawls (pvm: ring 0 emulated), the CI's
# check.sh --sandbox runs this file; where there is no usable /dev/kvm, the
# sandbox does here.
case "$flavour" in
vmx|svm|*-emulated) ;;
*)
	if kvm_usable && [ "${VIRQLAB_FORCE_SANDBOX:-0}" != 1 ] && [ "${LINUX_RX_ANYWHERE:-0}" != 1 ]; then
		skip_all "Linux runs too slowly natively on $flavour; scripts/check.sh --sandbox runs this file in the SVM sandbox"
	fi
	;;
esac
if ! make -s -C "$VIRQLAB_ROOT" linux-guest >/dev/null 2>&1; then
	echo "1..1"
	echo "not ok 1 - make linux-guest builds the guest (run it to see why)"
	exit 1
fi
require_file "$VMM" "make"
require_file "$BUILD/udpgen" "make"
plan 45

work=$BUILD/linux-rx-t
rm -rf "$work"
mkdir -p "$work"

# --- Before /dev/kvm: a Linux guest receives with virtio only. -----------
usage_error "--kernel --source --mode inject" \
	'--kernel --source: --mode inject: a Linux guest receives with --mode virtio' \
	"$VMM" --kernel "$LG/bzImage" --source udp:127.0.0.1:9 --count 1

where="SVM sandbox (here: $flavour)"
case "$flavour" in
vmx|svm|*-emulated) kvm_usable && where="native ($flavour)" ;;
esac
if [ "${VIRQLAB_FORCE_SANDBOX:-0}" = 1 ] && [ -z "${VIRQLAB_IN_SANDBOX:-}" ]; then
	where="SVM sandbox (forced; here: $flavour)"
fi
n=${RX_COUNT:-10000}
rate=${RX_RATE:-250}
# --windows 3: WIN_COUNT packets a window at 1, 2 and 3 times WIN_RATE pps.
wn=${WIN_COUNT:-600} wrate=${WIN_RATE:-300}
note "Linux receives $n packets at $rate pps: $where"

# One script, run here or in the sandbox: vmm-mini boots Linux with the
# device, the traffic starts once the guest's receiver says its socket is
# bound (vmm-mini then prints "virqnet: ready"), everything lands in $work.
port=$((20000 + $$ % 30000))
cat > "$work/run.sh" <<EOF
cd "$VIRQLAB_ROOT" || exit 3
"$VMM" --kernel "$LG/bzImage" --initrd "$LG/initramfs.cpio.gz" --mem 256 \\
	--source udp:127.0.0.1:$port --mode virtio --count $n --idle 10 \\
	--stats "$work/stats.tsv" --sender-stats "$work/gen.tsv" --timeout 240 \\
	> "$work/vmm.out" 2>&1 &
vmm=\$!
i=0
while ! grep -q "virqnet: ready" "$work/vmm.out" 2>/dev/null; do
	kill -0 \$vmm 2>/dev/null || break
	i=\$((i + 1))
	[ \$i -lt 3000 ] || break
	sleep 0.1
done
"$BUILD/udpgen" --to 127.0.0.1:$port --rate $rate --count $n --quiet --stats "$work/gen.tsv" \\
	> "$work/gen.out" 2>&1
echo \$? > "$work/gen.rc"
wait \$vmm
echo \$? > "$work/vmm.rc"
# --windows 3: one boot, three udpgen runs at three rates, each window a run
# of its own (FILE.I); the next udpgen starts at the window's ready line.
rm -f "$work"/win* "$work"/wgen* "$work"/wlat*
"$VMM" --kernel "$LG/bzImage" --initrd "$LG/initramfs.cpio.gz" --mem 256 \\
	--source udp:127.0.0.1:$port --mode virtio --count $wn --idle 10 --windows 3 \\
	--stats "$work/win.tsv" --sender-stats "$work/wgen.tsv" --latency-log "$work/wlat.tsv" \\
	--timeout 240 > "$work/win.out" 2>&1 &
vmm=\$!
for i in 1 2 3; do
	i2=0
	while ! grep -q "virqnet: ready, window \$i of 3," "$work/win.out" 2>/dev/null; do
		kill -0 \$vmm 2>/dev/null || break
		i2=\$((i2 + 1))
		[ \$i2 -lt 3000 ] || break
		sleep 0.1
	done
	"$BUILD/udpgen" --to 127.0.0.1:$port --rate \$((i * $wrate)) --count $wn --quiet \\
		--stats "$work/wgen.tsv.\$i" > "$work/wgen.out.\$i" 2>&1
	echo \$? >> "$work/wgen.rc"
done
wait \$vmm
echo \$? > "$work/win.rc"
rm -rf "$work/run"
VIRQLAB_HISTORY="$work/history.sqlite" scripts/run-experiment.sh "$work/linux.conf" \\
	--out "$work/run" --no-plot > "$work/exp.out" 2>&1
echo \$? > "$work/exp.rc"
EOF
cat > "$work/linux.conf" <<EOF
modes = virtio
guest = linux
rates = 1000 2000
packets = 2000
probes = on
repeats = 1
idle = 5
timeout = 150
EOF
. "$VIRQLAB_ROOT/tests/lib/rx.sh"
run_once() {
	case "$where" in
	native*) sh "$work/run.sh" ;;
	*) "$VIRQLAB_ROOT/scripts/sandbox.sh" --timeout 800 sh "$work/run.sh" ;;
	esac
}
# A run the sandbox stood still during (and revived) measures the stall: its
# idle timer ends the receive window early. Once more, as rx_run does.
stalls=$(rx_stalls)
run_once
run_rc=$?
# A sandbox session whose nested kvm-clock stood still (README, Known issues;
# scripts/lib/linux-clock.sh) measures that fault: once more, in a fresh
# sandbox (run_once starts one), where a boot early in its life mostly
# escapes it. A fault that comes back is a failure.
. "$VIRQLAB_ROOT/scripts/lib/linux-clock.sh"
clock=$(linux_clock_fault "$work/vmm.out" "$work"/run/cells/*/vmm.log)
if [ "$(rx_stalls)" != "$stalls" ]; then
	note "the sandbox stalled during the run (build/sandbox-froze-*.txt): once more"
	run_once
	run_rc=$?
elif [ -n "$clock" ]; then
	note "the guest's clock stood still ($clock): once more, in a fresh sandbox"
	run_once
	run_rc=$?
fi
is "the guest's clock did not stand still (its console)" "" \
	"$(linux_clock_fault "$work/vmm.out" "$work"/run/cells/*/vmm.log)"
is "the run ran (sandbox or native shell exit)" 0 "$run_rc"

rx_stats=$work/stats.tsv
log=$(cat "$work/vmm.out" 2>/dev/null)
is "vmm-mini exits 0 (accounting held, the guest rebooted)" 0 "$(cat "$work/vmm.rc" 2>/dev/null)"
is "udpgen exits 0" 0 "$(cat "$work/gen.rc" 2>/dev/null)"

# --- Step 1: PCI, virtio_net, MSI-X, eth0. --------------------------------
like "Linux: PCI found the virtio-net function at 00:01.0" \
	'pci 0000:00:01\.0: \[1af4:1041\] type 00 class 0x020000' "$log"
like "Linux: virtio_net bound it, eth0 is up" '^2: eth0: <([A-Z_-]+,)*UP(,[A-Z_-]+)*>' "$log"
# LOWER_UP is the carrier (IFF_LOWER_UP); the ADDRCONF "link becomes ready"
# line appears only when the carrier comes after the link is set up.
like "Linux: eth0's carrier is up (VIRTIO_NET_F_STATUS: link up; LOWER_UP)" \
	'^2: eth0: <([A-Z_-]+,)*LOWER_UP(,[A-Z_-]+)*>' "$log"
like "Linux: eth0 has the device's MAC (VIRTIO_NET_F_MAC)" '^ +link/ether 52:54:00:76:71:01 ' "$log"
like "Linux: eth0 has the fixed address" '^ +inet 10\.0\.2\.15/24 .*eth0' "$log"
like "Linux: the receive queue's interrupt is an MSI-X vector" \
	'^ *[0-9]+: +[1-9][0-9]* +PCI-MSI +[0-9]+-edge +virtio0-input\.0' "$log"
like "Linux: the receiver bound its socket" '^virqlab-rx: ready on udp port 9$' "$log"
wl=$(printf '%s\n' "$log" | grep -E 'WARNING:|BUG:|Oops|insmod .* failed|virqlab-rx failed' | head -3)
is "Linux: no WARNING, BUG, oops or failed step on the console" "" "$wl"

# --- Steps 2-4: every packet once into the guest's socket, same columns. --
is "sent = delivered = $n, nothing dropped" "$n $n 0" \
	"$(col sent) $(col delivered) $(col dropped)"
is "the accounting column says ok" ok "$(col accounting)"
is "sent came from udpgen's own record" sender "$(col sent_source)"
is "guest: no reordering, duplicates or corruption" "0 0 0" \
	"$(col guest_out_of_order) $(col guest_duplicate) $(col guest_corrupt)"
is "guest: nothing foreign (one flow)" 0 "$(col foreign)"
is "the guest's socket read every packet (its own count)" "$n" "$(col guest_delivered)"
is "no guest errors (reports within what the device published)" 0 "$(col guest_errors)"
is "one latency sample per packet (the receiver's TSC log)" "$n" "$(col lat_samples)"
irqs=$(col irqs_raised) gi=$(col guest_irqs)
check "interrupts: the device raised some ($irqs), each packet raised one or was suppressed" \
	[ "$irqs" -gt 0 ] && [ $((irqs + $(col irqs_suppressed))) -eq "$n" ]
# An MSI raised while its vector is still pending in the IRR merges with it
# (SDM Vol. 3A 11.8.4), so the guest may count fewer, never more.
check "interrupts: the guest's /proc/interrupts ($gi) agrees with the device ($irqs)" \
	[ "$gi" -gt 0 ] && [ "$gi" -le "$irqs" ] && [ $((gi * 10)) -ge $((irqs * 9)) ]
check "exits per packet come from KVM's statistics ($(col kvm_exits) exits)" \
	[ "$(col kvm_exits)" != - ] && [ "$(col kvm_exits)" -gt 0 ]
like "the receiver's own line on the console" \
	"^virqlab-rx: delivered $n bytes [0-9]+ out_of_order 0 duplicate 0 corrupt 0 foreign 0 irqs $gi socket_drops 0\$" \
	"$log"
note "Linux virtio_net at $rate pps ($where): irqs/pkt $(col irqs_per_pkt), exits/pkt" \
	"$(col exits_per_pkt), kvm_irq_injections $(col kvm_irq_injections), latency p50" \
	"$(col lat_p50_ns) ns p99 $(col lat_p99_ns) ns"
# --- --windows 3: one boot, three runs, each accounted for once. ---------
. "$VIRQLAB_ROOT/scripts/lib/irqs-agree.sh"
wlog=$(cat "$work/win.out" 2>/dev/null)
is "--windows 3: vmm-mini exits 0, the three udpgen runs 0" "0 0 0 0" \
	"$(cat "$work/win.rc" 2>/dev/null) $(cat "$work/wgen.rc" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
is "--windows 3: one boot (one kernel banner, one init on the console)" "1 1" \
	"$(printf '%s\n' "$wlog" | grep -c '^\[ *[0-9.]*\] Linux version ') $(printf '%s\n' "$wlog" | grep -c '^virqlab-linux-guest: init reached')"
is "--windows 3: each window opened once, in order" \
	"window 1 of 3, window 2 of 3, window 3 of 3," \
	"$(printf '%s\n' "$wlog" | sed -n 's/.*virqnet: ready, \(window [0-9]* of 3,\).*/\1/p' | tr '\n' ' ' | sed 's/ $//')"
is "--windows 3: each window closed once, accounting OK" \
	"1 OK|2 OK|3 OK" \
	"$(printf '%s\n' "$wlog" | sed -n 's/.*virqnet: window \([0-9]*\) of 3 done: accounting \([A-Z]*\)$/\1 \2/p' | paste -sd'|')"
is "--windows 3: the files are FILE.1..3, no plain FILE, no fourth" "win.tsv.1 win.tsv.2 win.tsv.3 wlat.tsv.1 wlat.tsv.2 wlat.tsv.3" \
	"$(cd "$work" && ls win.tsv* wlat.tsv* 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
rows= pps= sums_ok=1 life=0 wsum=0
for i in 1 2 3; do
	rx_stats=$work/win.tsv.$i
	rows="$rows$(col sent) $(col delivered) $(col dropped) $(col accounting) $(col sent_source) $(col guest_delivered) $(col lat_samples) $(col guest_out_of_order)$(col guest_duplicate)$(col guest_corrupt)$(col foreign) $(col guest_errors)|"
	pps="$pps $(col delivered_pps)"
	[ "$(($(grep -vc '^#' "$work/wlat.tsv.$i" 2>/dev/null)))" = "$wn" ] || sums_ok=0
	irq_why=$(irqs_disagree "$rx_stats") && note "window $i: $irq_why" && sums_ok=0
	[ "$(col kvm_exits)" -gt 0 ] 2>/dev/null || sums_ok=0
	wsum=$((wsum + $(col kvm_exits)))
	life=$(col life_kvm_exits)
done
r="$wn $wn 0 ok sender $wn $wn 0000 0"
is "--windows 3: every window: sent = delivered = $wn, ok, from its own udpgen record, clean" \
	"$r|$r|$r|" "$rows"
check "--windows 3: each window's latency log has its $wn samples, its interrupts agree (guest and device), its KVM exits counted" \
	[ "$sums_ok" = 1 ]
check "--windows 3: the windows' KVM exits ($wsum) are disjoint deltas within the boot's ($life)" \
	[ "$wsum" -gt 0 ] && [ "$wsum" -lt "$life" ]
# The three udpgen runs sent at 1, 2 and 3 times $wrate pps: each window measured its own.
check "--windows 3: delivered pps rises with each window's rate ($pps)" \
	awk -v p="$pps" 'BEGIN { split(p, a, " "); exit !(a[1] < a[2] && a[2] < a[3]) }'
like "--windows 3: the receiver's own line, per window" \
	"^virqlab-rx: window 3: delivered $wn bytes [0-9]+ out_of_order 0 duplicate 0 corrupt 0 foreign 0 irqs [0-9]+ socket_drops 0\$" \
	"$wlog"
# --- The experiments know the guest. --------------------------------------
# Two rates, one boot: the runner's vmm-mini --windows 2, each cell its own.
exp=$work/run
cells="linux-virtio-1000-1 linux-virtio-2000-1"
is "run-experiment: a guest = linux workload ran (exit 0)" 0 "$(cat "$work/exp.rc" 2>/dev/null)"
is "... its two cells are linux-virtio, ok (the interrupt counts agreed)" \
	"linux-virtio-1000-1 ok|linux-virtio-2000-1 ok" \
	"$(cd "$exp/cells" 2>/dev/null && for c in *; do echo "$c $(cat "$c/status")"; done | paste -sd'|')"
. "$VIRQLAB_ROOT/scripts/lib/results.sh"
is "... from one Linux boot (meta linux_boots; one kernel banner in the last cell's log)" "1 1" \
	"$(meta_get "$exp" linux_boots) $(grep -c '^\[ *[0-9.]*\] Linux version ' "$exp/cells/linux-virtio-2000-1/vmm.log" 2>/dev/null)"
rows=
for c in $cells; do
	rx_stats=$exp/cells/$c/stats.tsv
	rows="$rows$(col mode) $(col sent) $(col delivered) $(col dropped) $(col accounting) $(col sent_source) $(($(grep -vc '^#' "$exp/cells/$c/lat.tsv" 2>/dev/null)))|"
done
is "... each cell: vmm-mini --mode virtio, every packet delivered once, its own udpgen record and latency log" \
	"virtio 2000 2000 0 ok sender 2000|virtio 2000 2000 0 ok sender 2000|" "$rows"
like "... booted the Linux guest (its console in vmm.log)" '^virqlab-rx: ready on udp port 9$' \
	"$(cat "$exp/cells/linux-virtio-1000-1/vmm.log" 2>/dev/null)"
is "... meta: guest linux, the kernel build/linux-guest holds" "linux $(cat "$LG/kernel-version")" \
	"$(meta_get "$exp" guest) $(meta_get "$exp" guest_kernel)"
is "... summary.tsv's rows are linux-virtio at 1000 and 2000 pps" "linux-virtio 1000 1 0|linux-virtio 2000 1 0" \
	"$(awk -F'\t' '!/^#/ { print $1, $2, $3, $4 }' "$exp/summary.tsv" 2>/dev/null | paste -sd'|')"
# probes = on: each window its own virqstat -p, from its ready line to its
# close: its MSIs (kvm_msi_set_irq) are the window's receive interrupts plus
# at most a few others (the link-down configuration interrupt, a transmit
# completion), not the boot's.
pr=
for c in $cells; do
	rx_stats=$exp/cells/$c/stats.tsv
	msi=$(awk -F'\t' '$1 == "count" && $2 == "kvm_msi_set_irq" && $3 == "total" { print $4 }' \
		"$exp/cells/$c/probes.tsv" 2>/dev/null)
	irqs=$(col irqs_raised)
	note "$c: probes kvm_msi_set_irq ${msi:-none}, the device raised $irqs"
	if [ -n "$msi" ] && [ "$msi" -ge "$irqs" ] && [ "$msi" -le $((irqs + 10)) ]; then
		pr="${pr}window|"
	else
		pr="$pr${msi:-none} for $irqs|"
	fi
done
is "... each cell's probes.tsv counts its window: MSIs = its interrupts (+ up to 10)" "window|window|" "$pr"
[ "$(cat "$work/exp.rc" 2>/dev/null)" = 0 ] || tail -20 "$work/exp.out" | sed 's/^/#   run-experiment: /' >&2
rx_stats=$work/stats.tsv
[ "$_tap_fail" -eq 0 ] || grep -E "virqnet|virqlab-rx|vmm-mini" "$work/win.out" 2>/dev/null | tail -30 |
	sed "s/^/#   --windows: /" >&2
[ "$_tap_fail" -eq 0 ] || grep -vE '^\[ *[0-9.]+\] (ACPI|pci_bus|e820|BIOS)' "$work/vmm.out" |
	tail -60 | sed 's/^/#   console: /' >&2
done_testing
