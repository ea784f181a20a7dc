#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cost-sandbox: 34
#
# Description: vmm-mini boots Debian's stock Linux kernel (the sandbox's
# package, build/linux-guest/bzImage) with a busybox initramfs to its /init:
# the marker line arrives on the 16550A console, interrupt-driven through
# the IO-APIC (IRQ 4 counted in the guest's /proc/interrupts), Linux found
# the MP table, kvm-clock and the UART as a 16550A, printed no WARNING, and
# its reboot (reboot=k, the i8042 reset line) ends vmm-mini with exit 0; a
# guest that panics (no init) exits 1. Time to init is noted, not asserted.
# Bad images are one line and exit 2, checked here on any machine (no KVM).
#
# Where the boot runs: natively where /dev/kvm is VMX or SVM, and inside the
# SVM sandbox (scripts/sandbox.sh) everywhere else, PVM included: on nested
# PVM guest ring 0 is emulated (~1.6 M instructions/s) and a Linux boot takes
# many minutes there. The sandbox may wait behind another one (a lock).
# timeout: 900
# timeout-sandbox: 1800

. "$(dirname "$0")/../lib/tap.sh"

VMM=$BUILD/vmm-mini
LG=$BUILD/linux-guest
if ! make -s -C "$VIRQLAB_ROOT" linux-guest >/dev/null 2>&1; then
	echo "1..1"
	echo "not ok 1 - make linux-guest builds the guest (run it to see why)"
	exit 1
fi
require_file "$VMM" "make"
plan 41

work=$BUILD/linux-boot-t
rm -rf "$work"
mkdir -p "$work"

# --- Bad images: found before /dev/kvm is opened, one line, exit 2. -------
usage_error "not a bzImage" 'vmm-mini: --kernel .*: not a bzImage \(no "HdrS" setup header\)$' \
	"$VMM" --kernel "$BUILD/guest.elf"
cp "$LG/bzImage" "$work/old.bzImage"
printf '\005\002' | dd of="$work/old.bzImage" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null
usage_error "boot protocol 2.05" 'boot protocol 2\.05, older than 2\.12' \
	"$VMM" --kernel "$work/old.bzImage"
head -c 1000000 "$LG/bzImage" > "$work/short.bzImage"
usage_error "truncated bzImage" 'shorter than its header says \(truncated\?\)' \
	"$VMM" --kernel "$work/short.bzImage"
usage_error "kernel too big for --mem" 'needs [0-9]+ MiB of RAM .* more than --mem 64$' \
	"$VMM" --kernel "$LG/bzImage" --mem 64
truncate -s 40M "$work/big.initrd"
usage_error "initrd that does not fit" '--initrd .*: 41943040 bytes do not fit' \
	"$VMM" --kernel "$LG/bzImage" --mem 112 --initrd "$work/big.initrd"
usage_error "--kernel with two vCPUs" '--kernel: --vcpus 2: a Linux guest boots on one vCPU for now$' \
	"$VMM" --kernel "$LG/bzImage" --vcpus 2
usage_error "--initrd without --kernel" '--initrd, --append and --boot-timeline need --kernel$' \
	"$VMM" --initrd "$LG/initramfs.cpio.gz"

# --- The boot: here if KVM is VMX/SVM (or this is the sandbox), else there.
flavour=$(sh "$VIRQLAB_ROOT/scripts/kvm-flavour.sh" 2>/dev/null)
where="SVM sandbox (here: $flavour)"
case "$flavour" in
vmx|svm|*-emulated) kvm_usable && where="native ($flavour)" ;;
esac
# check.sh --sandbox (make check-sandbox) asks for the sandbox on any machine.
if [ "${VIRQLAB_FORCE_SANDBOX:-0}" = 1 ] && [ -z "${VIRQLAB_IN_SANDBOX:-}" ]; then
	where="SVM sandbox (forced; here: $flavour)"
fi
note "Linux boots: $where"

# One script for both boots, run here or in the sandbox; it leaves each
# boot's console, exit status and host-side milliseconds in $work.
cat > "$work/boots.sh" <<EOF
cd "$VIRQLAB_ROOT" || exit 3
boot() {
	name=\$1
	shift
	start=\$(date +%s%N)
	{ "$VMM" --kernel "$LG/bzImage" --initrd "$LG/initramfs.cpio.gz" --mem 256 \\
		--timeout 240 "\$@" 2>&1; echo \$? > "$work/\$name.rc"; } |
	while IFS= read -r line; do
		case "\$line" in
		virqlab-linux-guest:\ init\ reached*)
			echo \$(( (\$(date +%s%N) - start) / 1000000 )) > "$work/\$name.ms" ;;
		esac
		printf '%s\n' "\$line"
	done > "$work/\$name.log"
	echo \$(( (\$(date +%s%N) - start) / 1000000 )) > "$work/\$name.total-ms"
}
boot clean --boot-timeline "$work/clean.timeline"
boot panic --append "console=ttyS0 acpi=off reboot=k panic=-1 i8042.nokbd i8042.noaux rdinit=/none"
EOF
case "$where" in
native*) sh "$work/boots.sh" ;;
*) "$VIRQLAB_ROOT/scripts/sandbox.sh" --timeout 700 sh "$work/boots.sh" ;;
esac
src=$?
is "the boots ran (sandbox or native shell exit)" 0 "$src"

log=$(cat "$work/clean.log" 2>/dev/null)
is "Linux: vmm-mini exits 0 when the guest reboots" 0 "$(cat "$work/clean.rc" 2>/dev/null)"
like "Linux: /init reached, marker on the serial console" \
	'^virqlab-linux-guest: init reached: kernel [0-9]' "$log"
like "Linux: the i8042 reset ended the run" 'vmm-mini: guest reset the machine \(i8042' "$log"
like "Linux: found the MP table" 'found SMP MP-table at \[mem 0x000f0000' "$log"
like "Linux: MP table's IO-APIC" 'IOAPIC\[0\]: apic_id [0-9]+, version 17, address 0xfec00000' "$log"
like "Linux: kvm-clock registered" 'clocksource: kvm-clock:' "$log"
like "Linux: COM1 identified as a 16550A on IRQ 4" \
	'ttyS0 at I/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A' "$log"
like "Linux: UART interrupts arrived through the IO-APIC" \
	'^ *4: +[1-9][0-9]* +IO-APIC +4-edge +ttyS0' "$log"
wl=$(printf '%s\n' "$log" | grep -E 'WARNING:|BUG:|XSAVE consistency|Oops' | head -3)
is "Linux: no WARNING, BUG or oops on the console" "" "$wl"

# --- --boot-timeline: vmm-mini's steps on its own clock, and the guest's
# kvm-clock against it. KVM starts kvm-clock at 0 on KVM_CREATE_VM; Linux
# prints its reading at kvmclock_init ("using sched offset of N cycles":
# nanoseconds, whatever the word), on the very console line the timeline
# stamps, so the two agree within the console's own latency on a sound
# host. In the SVM sandbox they do not: the nested guest's kvm-clock starts
# near the sandbox's own uptime, and later falls back, so the guest's clock
# stands still about that long (README, Known issues); there the skew is
# noted, and the reset may come that much later.
tl=$(cat "$work/clean.timeline" 2>/dev/null)
like "timeline: the VM, the image and the first vCPU entry, in order" \
	'vm-created.*image-loaded.*vcpu-entry' "$(printf '%s\n' "$tl" | cut -f2 | tr '\n' ' ')"
like "timeline: console lines stamped" '	console	virqlab-linux-guest: init reached' "$tl"
like "timeline: the verdict is the reset's, exit 0" '	verdict	exit 0$' "$tl"
skew=$(printf '%s\n' "$tl" | awk -F'\t' '
	$2 == "vm-created" { vm = $1 }
	$2 == "console" && /kvm-clock: using sched offset of/ {
		n = split($3, w, " "); for (i = 1; i < n; i++) if (w[i] == "of") off = w[i + 1] / 1e6
		printf "%.0f", off - ($1 - vm); exit }')
note "kvm-clock at kvmclock_init minus the host's time since KVM_CREATE_VM: ${skew:-?} ms"
case "$where" in
*sandbox*|*emulated*) skip "kvm-clock agrees with the host (the sandbox's is off: ${skew:-?} ms)" ;;
*) check "Linux: kvm-clock at its init agrees with the host's clock since KVM_CREATE_VM (within 500 ms)" \
	awk -v d="$skew" 'BEGIN { exit !(d != "" && d < 500 && d > -500) }' ;;
esac
# The end: the guest resets within seconds of its marker, plus however long
# its clock stood still (the skew): a reset the VMM missed waits for --timeout.
gap=$(printf '%s\n' "$tl" | awk -F'\t' '$2 == "console" && $3 ~ /^virqlab-linux-guest: init reached/ { m = $1 }
	$2 == "verdict" && m != "" { printf "%.0f", $1 - m }')
note "marker to the reset: ${gap:-?} ms"
check "Linux: the reset came within 20 s of the marker (plus the clock's skew)" \
	awk -v g="$gap" -v d="${skew:-0}" 'BEGIN { if (d < 0) d = 0; exit !(g != "" && g >= 0 && g < 20000 + d) }'
usage_error "--boot-timeline without --kernel" '--initrd, --append and --boot-timeline need --kernel$' \
	"$VMM" --boot-timeline "$work/x.tsv"

plog=$(cat "$work/panic.log" 2>/dev/null)
is "Linux without an init: exit 1 (panic, then reset)" 1 "$(cat "$work/panic.rc" 2>/dev/null)"
like "Linux without an init: the panic is named" \
	'guest kernel panicked, then reset the machine' "$plog"

ms=$(cat "$work/clean.ms" 2>/dev/null)
note "time to init under vmm-mini ($where): ${ms:-?} ms from start; run ended at $(cat "$work/clean.total-ms" 2>/dev/null) ms"
[ "$_tap_fail" -eq 0 ] || sed 's/^/#   console: /' "$work/clean.log" | tail -40 >&2
done_testing
