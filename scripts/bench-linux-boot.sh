#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench-linux-boot.sh - time to init of the Linux guest (build/linux-guest:
# Debian's kernel, the busybox initramfs) under vmm-mini and under QEMU+KVM,
# side by side in one session, alternating, RUNS boots each. The time is
# host wall clock from the VMM's start to the guest's marker line on the
# serial console ("virqlab-linux-guest: init reached"); the run's end is
# the guest's reboot. A benchmark, never a test.
#
# Where: natively on VMX/SVM; elsewhere (PVM, no KVM) it re-runs itself in
# the SVM sandbox (scripts/sandbox.sh), where every figure is from KVM on
# QEMU's emulated SVM, not hardware.
#
# Both VMMs get the same kernel, initramfs, RAM and command line. QEMU runs
# -M pc with qboot (the sandbox's own fast firmware) and -nodefaults; its CPU
# is -cpu host, or max,-arch-capabilities where KVM refuses that MSR (as
# run-guest-qemu.sh decides).
#
# Usage: scripts/bench-linux-boot.sh [--runs N] (default 5)
# Output: one line per boot (vmm, run, ms to init, ms to end, exit), then
# the medians, with the provenance lines first.

set -u
root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
	cat <<'USAGE'
Usage: scripts/bench-linux-boot.sh [--runs N]
       scripts/bench-linux-boot.sh --help | --version

Time the Linux guest (build/linux-guest) from VMM start to its /init under
vmm-mini and under QEMU+KVM, alternating, N boots each, in one session; in
the SVM sandbox unless KVM here is VMX or SVM. One row per boot, then the
medians and their ratio, after provenance lines.

Options:
  --runs N      boots per VMM (default 5)
  -h, --help    this text
  --version     one line: bench-linux-boot.sh (virqlab) REVISION

Exit: 0 done (a boot's own failure is in its row); 2 bad usage; 3 no build.

Examples:
  make bench-linux-boot
  scripts/bench-linux-boot.sh --runs 3
USAGE
}
runs=5
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) [ $# -ge 2 ] || { echo "bench-linux-boot: --runs needs a value" >&2; exit 2; }
		runs=$2; shift 2 ;;
	--version) exec "$root/scripts/lib/version.sh" bench-linux-boot.sh ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "bench-linux-boot: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) echo "bench-linux-boot: unexpected argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
case "$runs" in ''|*[!0-9]*|0) echo "bench-linux-boot: --runs '$runs': expected a count > 0" >&2; exit 2 ;; esac

BUILD=${BUILD:-$root/build}
make -s -C "$root" all linux-guest >/dev/null || { echo "bench-linux-boot: make failed" >&2; exit 3; }
flavour=$(sh "$root/scripts/kvm-flavour.sh")
case "$flavour" in
vmx|svm|*-emulated) ;;
*) exec "$root/scripts/sandbox.sh" --timeout 3600 -- "$0" --runs "$runs" ;;
esac

lg=$BUILD/linux-guest
append="console=ttyS0 earlyprintk=serial acpi=off pci=conf1 reboot=k panic=-1 i8042.nokbd i8042.noaux"
mem=256
work=$(mktemp -d "$BUILD/bench-linux-boot.XXXXXX")
trap 'rm -rf "$work"' EXIT

# timed CMD...: run CMD, its output through a blocking read loop that stamps
# the marker line (no polling: the sandbox has one CPU); prints
# "ms_init ms_end rc".
timed() {
	_start=$(date +%s%N)
	{ "$@" 2>&1; echo $? > "$work/rc"; } | while IFS= read -r _l; do
		case "$_l" in
		virqlab-linux-guest:\ init\ reached*)
			echo $(( ($(date +%s%N) - _start) / 1000000 )) > "$work/init" ;;
		esac
		printf '%s\n' "$_l"
	done > "$work/out"
	_end=$(( ($(date +%s%N) - _start) / 1000000 ))
	_up=$(sed -n 's/^virqlab-linux-guest: init reached.* uptime \([0-9.]*\)s.*/\1/p' "$work/out" | head -1)
	echo "$(cat "$work/init" 2>/dev/null || echo -) $_end $(cat "$work/rc") ${_up:--}"
	rm -f "$work/init"
}

qemu_cpu=${VIRQLAB_QEMU_CPU:-host}
qemu() {
	timeout 300 qemu-system-x86_64 -accel kvm -cpu "$qemu_cpu" -M pc -m "$mem" -smp 1 \
		-nodefaults -no-user-config -nographic -no-reboot -bios qboot.rom -serial stdio \
		-kernel "$lg/bzImage" -initrd "$lg/initramfs.cpio.gz" -append "$append" </dev/null
}
vmm() {
	"$BUILD/vmm-mini" --kernel "$lg/bzImage" --initrd "$lg/initramfs.cpio.gz" --mem "$mem" \
		--append "$append" --timeout 300
}

# The CPU model QEMU's KVM accepts, found once, before anything is timed.
if ! qemu > "$work/probe" 2>&1 && grep -q 'failed to set MSR 0x10a' "$work/probe"; then
	qemu_cpu=max,-arch-capabilities
fi

echo "# bench-linux-boot: git $(git -C "$root" describe --always --dirty 2>/dev/null)" \
	"flavour $flavour host-kernel $(uname -r) cpu $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "# guest kernel $(cat "$lg/kernel-version") initramfs $(stat -c %s "$lg/initramfs.cpio.gz") bytes, --mem $mem MiB, append: $append"
echo "# qemu: $(qemu-system-x86_64 --version | head -1), -M pc -cpu $qemu_cpu -bios qboot.rom -nodefaults"
echo "# vmm	run	ms_to_init	ms_to_end	exit"
i=1
while [ "$i" -le "$runs" ]; do
	for v in vmm-mini qemu; do
		case $v in
		vmm-mini) r=$(timed vmm) ;;
		qemu) r=$(timed qemu) ;;
		esac
		set -- $r
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$v" "$i" "$1" "$2" "$3" "$4" | tee -a "$work/rows"
	done
	i=$((i + 1))
done

# median COLUMN VMM: the median of a column over that VMM's boots.
median() {
	awk -v v="$2" -v c="$1" '$1 == v && $c != "-" { print $c }' "$work/rows" | sort -n |
		awk '{ a[NR] = $1 } END { if (!NR) print "-"; else if (NR % 2) print a[(NR + 1) / 2];
			else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
vi=$(median 3 vmm-mini)
qi=$(median 3 qemu)
echo "# median ms to init: vmm-mini $vi, qemu $qi; to end: vmm-mini $(median 4 vmm-mini), qemu $(median 4 qemu)"
echo "# median guest uptime at init (s, the kernel's own clock: the rest of ms_to_init is VMM, firmware and decompression): vmm-mini $(median 6 vmm-mini), qemu $(median 6 qemu)"
awk -v a="$vi" -v b="$qi" 'BEGIN { if (a != "-" && b != "-" && b > 0) printf "# ratio vmm-mini/qemu to init: %.3f\n", a / b }'
