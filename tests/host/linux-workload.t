#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# linux-workload.t - the Linux guest in the experiments (issue 18 step 4),
# without KVM: the workload key guest = virqlab|linux and the mode
# linux-virtio (workloads/README.md), one table mapping each mode to its
# guest and vmm-mini --mode (scripts/lib/workload.sh); guest = linux
# refuses every mode but virtio, and more than one vCPU, as file:line with
# exit 2 before anything runs; --dry-run plans the Linux cells under their
# own mode name; a run without build/linux-guest is refused; the cell
# verdict's interrupt check (scripts/lib/irqs-agree.sh) on planted stats
# rows; compare refuses runs of different guests; workloads/linux.conf
# (make bench-linux) plans.
. "$(dirname "$0")/../lib/tap.sh"
. "$VIRQLAB_ROOT/scripts/lib/workload.sh"
. "$VIRQLAB_ROOT/scripts/lib/results.sh"
. "$VIRQLAB_ROOT/scripts/lib/irqs-agree.sh"
. "$VIRQLAB_ROOT/scripts/lib/linux-clock.sh"
cd "$VIRQLAB_ROOT" || exit 1
require_tool jq

plan 36
t=$BUILD/tmp/linux-workload-t.$$
rm -rf "$t"
mkdir -p "$t"

# --- The key and the table. ------------------------------------------------
printf 'modes = virtio\nrates = 100\npackets = 10\n' > "$t/plain.conf"
workload_load "$t/plain.conf" vmx
is "guest defaults to virqlab: virtio is the virqlab guest's" "virqlab virqlab virtio" \
	"$wl_guest $wl_guests $wl_modes"
printf 'modes = virtio\nguest = linux\nrates = 100\npackets = 10\n' > "$t/linux.conf"
workload_load "$t/linux.conf" vmx
is "guest = linux: virtio runs as linux-virtio, the run's guests are linux" \
	"linux linux linux-virtio" "$wl_guest $wl_guests $wl_modes"
printf 'modes = inject mask-direct virtio linux-virtio\nrates = 100\npackets = 10\n' > "$t/mixed.conf"
workload_load "$t/mixed.conf" vmx
is "mixed: the mode linux-virtio beside the virqlab guest's modes" \
	"virqlab|virqlab linux|inject mask-direct virtio linux-virtio" "$wl_guest|$wl_guests|$wl_modes"
printf 'modes = inject\nmodes@emulated = virtio\nguest@emulated = linux\nrates = 100\npackets = 10\n' > "$t/var.conf"
workload_load "$t/var.conf" svm-emulated
is "guest@emulated applies on an emulated CPU" "linux-virtio linux" "$wl_modes $wl_guests"
workload_load "$t/var.conf" vmx
is "... and not on a real one" "inject virqlab" "$wl_modes $wl_guests"
workload_mode linux-virtio
is "the table: linux-virtio is the Linux guest on vmm-mini --mode virtio" "linux virtio" \
	"$wm_guest $wm_vmm_mode"
workload_mode virtio
is "the table: virtio is the virqlab guest's" "virqlab virtio" "$wm_guest $wm_vmm_mode"
check "the table: no mode outside it" sh -c '. scripts/lib/workload.sh; ! workload_mode linux-inject'
check "every mode of the table is documented in workloads/README.md's modes row" sh -c '
	. scripts/lib/workload.sh
	row=$(grep "^| \`modes\`" workloads/README.md)
	for m in $(printf "%s\n" "$workload_modes" | awk "NF == 3 { print \$1 }"); do
		case "$row" in *"\`$m\`"*) ;; *) echo "# undocumented mode: $m"; exit 1 ;; esac
	done'

# --- Refusals: file:line, exit 2, nothing run. -----------------------------
# bad BODY LINE EXPECTED: the workload BODY fails at file:LINE: EXPECTED.
bad() {
	printf "$1" > "$t/bad.conf"
	err=$(scripts/run-experiment.sh "$t/bad.conf" --out "$t/run" 2>&1) && rc=0 || rc=$?
	like "$4 (exit $rc)" "$t/bad.conf:$2: $3" "$err"
	[ "$rc" = 2 ] && [ ! -e "$t/run" ] && ok "... exit 2, nothing ran" ||
		not_ok "... exit $rc, $t/run $( [ -e "$t/run" ] && echo created || echo absent)"
}
bad 'modes = inject virtio\nrates = 100\nguest = linux\npackets = 10\n' 1 \
	"modes: 'inject' with guest = linux \\(line 3\\): a Linux guest receives with its virtio_net driver, mode virtio only" \
	"guest = linux refuses inject"
bad 'modes = virtio\nrates = 100\nguest = windows\npackets = 10\n' 3 \
	"guest: 'windows' is not valid \\(expected virqlab or linux\\)" "an unknown guest"
bad 'modes = virtio linux-virtio\nrates = 100\nguest = linux\npackets = 10\n' 1 \
	"modes: 'linux-virtio' given twice" "guest = linux: virtio and linux-virtio are one mode"
bad 'modes = mask-direct linux-virtio\nrates = 100\npackets = 10\nvcpus = 2\n' 4 \
	"vcpus: 2 with a Linux guest mode: Linux boots on one vCPU here" "a Linux guest mode with 2 vCPUs"

# --- The plan. -------------------------------------------------------------
out=$(scripts/run-experiment.sh "$t/mixed.conf" --dry-run 2>/dev/null)
is "--dry-run plans linux-virtio cells under their own name" \
	"linux-virtio-100-1 linux-virtio-100-2 linux-virtio-100-3" \
	"$(printf '%s\n' "$out" | awk -F'\t' '$2 == "linux-virtio" { printf "%s%s", s, $1; s = " " }')"
like "... beside the virqlab guest's virtio cells" '^virtio-100-1	virtio	100	1	run	' "$out"
out=$(scripts/run-experiment.sh linux --dry-run 2>&1) && rc=0 || rc=$?
like "workloads/linux.conf (make bench-linux) plans (exit $rc)" \
	'^run-experiment: linux: 20 cells \(4 modes x 5 rates x 1 repeats\)' "$out"

# A run whose build has no Linux guest is refused before it starts.
mkdir -p "$t/tree/build"
for f in vmm-mini udpgen guest.elf; do : > "$t/tree/build/$f"; done
err=$(scripts/run-experiment.sh "$t/linux.conf" --build "$t/tree" --out "$t/run" 2>&1) && rc=0 || rc=$?
like "no build/linux-guest: refused, naming make linux-guest (exit $rc)" \
	"^run-experiment: a Linux guest mode needs $t/tree/build/linux-guest/bzImage: make linux-guest" "$err"
check "... exit 2, nothing ran" [ "$rc" = 2 ] && [ ! -e "$t/run" ]

# --- The cell verdict: the guest's and the device's interrupts. ------------
# row FILE GUEST_IRQS IRQS_RAISED KVM_IRQ_INJECTIONS FLAVOUR: a stats file.
row() {
	printf '#mode\tguest_irqs\tirqs_raised\tkvm_irq_injections\tflavour\nvirtio\t%s\t%s\t%s\t%s\n' \
		"$2" "$3" "$4" "$5" > "$1"
}
row "$t/s" 950 1000 5000 svm-emulated
why=$(irqs_disagree "$t/s") && rc=0 || rc=$?
is "guest 950, device 1000 (merged in the IRR), KVM 5000: agree" "1 " "$rc $why"
row "$t/s" 1001 1000 5000 svm-emulated
why=$(irqs_disagree "$t/s") && rc=0 || rc=$?
is "guest 1001 > device 1000: disagree" \
	"0 interrupts disagree: the guest counted 1001 (/proc/interrupts), more than the 1000 the device raised" \
	"$rc $why"
row "$t/s" 899 1000 5000 svm-emulated
why=$(irqs_disagree "$t/s") && rc=0 || rc=$?
like "guest 899 < 90% of 1000: disagree" "^0 interrupts disagree: .* 899 .* under 90% of the 1000" "$rc $why"
row "$t/s" 1000 1000 999 svm-emulated
why=$(irqs_disagree "$t/s") && rc=0 || rc=$?
is "KVM injected 999 < the guest's 1000 on emulated SVM: disagree" \
	"0 interrupts disagree: KVM injected 999, fewer than the 1000 the guest counted" "$rc $why"
row "$t/s" 1000 1000 0 vmx
why=$(irqs_disagree "$t/s") && rc=0 || rc=$?
is "KVM's 0 on vmx (posted interrupts skip its count): not judged" "1 " "$rc $why"
row "$t/s" - 1000 0 svm-emulated
why=$(irqs_disagree "$t/s") && rc=0 || rc=$?
is "no guest count: disagree" "0 interrupts: no guest_irqs or irqs_raised in the stats row" "$rc $why"

# --- The cell verdict: a guest whose clock stood still (README, Known issues).
printf '[    5.488809] virtio_net virtio0 eth0: up\n[    5.488809] rcu: rcu_preempt kthread timer wakeup didn'"'"'t happen for 66332 jiffies! g-1029 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402\n' > "$t/bad.log"
printf '[    0.000000] kvm-clock: using sched offset of 9004263488 cycles\nvirqlab-rx: ready on udp port 9\n' > "$t/good.log"
why=$(linux_clock_fault "$t/bad.log") && rc=0 || rc=$?
like "RCU's timer wakeup that did not happen: the clock stood still" "^0 .*rcu_preempt kthread timer wakeup didn.t happen for 66332 jiffies" "$rc $why"
printf '[   75.1] watchdog: BUG: soft lockup - CPU#0 stuck for 70s! [swapper/0:1]\n' > "$t/lockup.log"
why=$(linux_clock_fault "$t/good.log" "$t/lockup.log") && rc=0 || rc=$?
like "a soft lockup in any of the logs: the clock stood still" "^0 .*BUG: soft lockup - CPU#0 stuck for 70s" "$rc $why"
why=$(linux_clock_fault "$t/good.log") && rc=0 || rc=$?
is "a sound console: no fault" "1 " "$rc $why"

# --- compare keeps the guests apart. ---------------------------------------
E=results/baseline/svm-emulated
cp -R "$E" "$t/a"
cp -R "$E" "$t/b"
out=$(scripts/compare.sh "$t/a" "$t/b" 2>&1) && rc=0 || rc=$?
is "compare: two copies of a run from before the guest key compare (exit 0)" 0 "$rc"
meta_set "$t/b" guest virqlab
out=$(scripts/compare.sh "$t/a" "$t/b" 2>&1) && rc=0 || rc=$?
is "compare: no guest key is the virqlab guest (exit 0)" 0 "$rc"
meta_set "$t/b" guest linux
out=$(scripts/compare.sh "$t/a" "$t/b" 2>&1) && rc=0 || rc=$?
is "compare: a virqlab run against a Linux one is incomparable (exit 2)" 2 "$rc"
like "... naming the guests" '^compare: incomparable: guest virqlab vs linux' "$out"
meta_set "$t/a" guest linux
meta_set "$t/a" guest_kernel_package "linux-image-6.1.0-57-amd64 6.1.192-3"
meta_set "$t/b" guest_kernel_package "linux-image-6.1.0-58-amd64 6.1.200-1"
out=$(scripts/compare.sh "$t/a" "$t/b" 2>&1) && rc=0 || rc=$?
like "compare: two Linux kernels are incomparable (exit $rc)" \
	"^compare: incomparable: guest_kernel_package 'linux-image-6.1.0-57-amd64 6.1.192-3' vs 'linux-image-6.1.0-58-amd64 6.1.200-1'" "$out"

rm -rf "$t"
done_testing
