#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-guest-qemu.sh - run one virqlab guest self-test under QEMU instead of
# vmm-mini: for machines without /dev/kvm (TCG) and to tell a guest-kernel
# bug from a vmm-mini bug.
#
# QEMU boots build/guest.elf through its PVH entry (-kernel; the ELF note
# XEN_ELFNOTE_PHYS32_ENTRY). The guest prints to isa-debugcon (port 0xe9,
# our stdout) and ends the run through isa-debug-exit (port 0xf4), which makes
# QEMU exit with (value << 1) | 1; the values are VIRQLAB_QEMU_EXIT_* in
# vmm-mini/include/uapi/virqlab_abi.h. QEMU starts the BSP; the guest starts
# the APs (--smp). Tests that need vmm-mini's devices (irqfd, timed MSIs,
# virqnet) skip. QEMU's edu PCI device is
# always there: the costs test times its registers and its MSI under
# --accel kvm (guest-kernel-patch/tests/cost_probes.c).
#
# Exit: 0 pass, 1 guest failure (assert, exception), 4 skip, 124 timeout,
# 3 QEMU error or a guest that stopped without a verdict (e.g. triple fault),
# 2 bad usage.
#
# The CPU model under KVM is chosen by what the host's KVM accepts, not by
# its flavour: `-cpu host` first; if QEMU aborts setting an MSR on it
# ("failed to set MSR 0x10a", IA32_ARCH_CAPABILITIES, as on some nested PVM
# hosts, whose KVM lists the MSR but refuses QEMU's value), once more with
# `-cpu max,-arch-capabilities`. The model used is printed on stderr as
# "run-guest-qemu: QEMU -accel kvm -cpu MODEL"; VIRQLAB_QEMU_CPU forces one.

set -u

usage() {
	cat <<'USAGE'
Usage: scripts/run-guest-qemu.sh [OPTIONS] TEST [key=value ...]

Run guest self-test TEST from build/guest.elf under QEMU and print its
console. key=value words reach the guest as boot arguments (the test's
knobs, e.g. count=200). No test takes an interrupt mode here: the rx test
gets it from vmm-mini's virqnet device, which QEMU does not have.

Options:
  --accel A     tcg (default) or kvm
  --smp N       vCPUs (default 1); the guest's BSP starts the others with
                INIT-SIPI-SIPI from the ACPI MADT
  --timeout S   stop QEMU after S seconds and exit 124 (default 30)
  --guest ELF   guest image (default: $BUILD/guest.elf, BUILD=build)
  -h, --help    this text
  --version     print "run-guest-qemu.sh (virqlab) REVISION" and exit

Under --accel kvm the CPU model is -cpu host, or -cpu max,-arch-capabilities
where QEMU cannot set the host's arch-capabilities MSR; stderr names the one
used. VIRQLAB_QEMU_CPU=MODEL forces a model.

Exit codes:
  0    test passed            4    test skipped (reason on the console)
  1    guest failure          124  --timeout expired
  3    QEMU failed, or the guest stopped without a verdict (triple fault)
  2    bad usage

Examples:
  scripts/run-guest-qemu.sh hello
  scripts/run-guest-qemu.sh pf                   # exits 1: #PF reported
  scripts/run-guest-qemu.sh self-ipi count=200
  scripts/run-guest-qemu.sh --smp 4 smp
  scripts/run-guest-qemu.sh --timeout 2 idle     # exits 124
  scripts/run-guest-qemu.sh --accel kvm timer
  scripts/run-guest-qemu.sh --accel kvm costs samples=200   # needs /dev/kvm
USAGE
}

die2() {
	echo "run-guest-qemu: $*" >&2
	exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
accel=tcg
smp=1
timeout=30
guest=${BUILD:-$root/build}/guest.elf
while [ $# -gt 0 ]; do
	case "$1" in
	--accel) [ $# -ge 2 ] || die2 "'--accel' needs a value"; accel=$2; shift 2 ;;
	--smp) [ $# -ge 2 ] || die2 "'--smp' needs a value"; smp=$2; shift 2 ;;
	--timeout) [ $# -ge 2 ] || die2 "'--timeout' needs a value"; timeout=$2; shift 2 ;;
	--guest) [ $# -ge 2 ] || die2 "'--guest' needs a value"; guest=$2; shift 2 ;;
	--version) exec "$root/scripts/lib/version.sh" run-guest-qemu.sh ;;
	-h|--help) usage; exit 0 ;;
	--) shift; break ;;
	-*) die2 "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || die2 "no TEST given (see --help)"
case "$accel" in
tcg) cpu=${VIRQLAB_QEMU_CPU:-max} ;;
kvm) cpu=${VIRQLAB_QEMU_CPU:-host} ;;
*) die2 "--accel '$accel': expected tcg or kvm" ;;
esac
case "$smp" in
'' | *[!0-9]* | 0) die2 "--smp '$smp': expected a number from 1" ;;
esac
case "$timeout" in
'' | *[!0-9]* | 0) die2 "--timeout '$timeout': expected whole seconds from 1" ;;
esac
[ -r "$guest" ] || die2 "guest image $guest: not readable (make build/guest.elf)"
command -v qemu-system-x86_64 >/dev/null || {
	echo "run-guest-qemu: qemu-system-x86_64 not found" >&2
	exit 3
}

cmdline="test=$1"
shift
for kv in "$@"; do
	case "$kv" in
	*=*) cmdline="$cmdline $kv" ;;
	*) die2 "'$kv': expected key=value" ;;
	esac
done

# qemu MODEL: one QEMU run with -cpu MODEL; its stderr to $err, its exit in rc.
# -no-reboot: a triple fault ends QEMU (status 0) instead of looping through
# the firmware. stdin from /dev/null keeps the terminal out of raw mode.
qemu() {
	timeout "$timeout" qemu-system-x86_64 -accel "$accel" -cpu "$1" -M pc -m 64 -smp "$smp" \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "$guest" -append "$cmdline" \
		-chardev stdio,id=con -device isa-debugcon,iobase=0xe9,chardev=con \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -device edu </dev/null 2>"$err"
	rc=$?
}

err=$(mktemp "${TMPDIR:-/tmp}/run-guest-qemu.XXXXXX") || exit 3
trap 'rm -f "$err"' EXIT
trap 'exit 130' INT TERM
[ "$accel" = kvm ] && echo "run-guest-qemu: QEMU -accel kvm -cpu $cpu" >&2
qemu "$cpu"
# QEMU asserts (SIGABRT) when KVM refuses an MSR value it sets at vCPU reset.
if [ "$accel" = kvm ] && [ -z "${VIRQLAB_QEMU_CPU:-}" ] && [ "$rc" = 134 ] &&
	grep -q 'failed to set MSR 0x10a' "$err"; then
	cpu=max,-arch-capabilities
	echo "run-guest-qemu: KVM refused the arch-capabilities MSR under -cpu host;" \
		"QEMU -accel kvm -cpu $cpu" >&2
	qemu "$cpu"
fi
cat "$err" >&2

case $rc in
33) exit 0 ;;			# VIRQLAB_QEMU_EXIT_PASS
35) exit 1 ;;			# VIRQLAB_QEMU_EXIT_FAIL
37) exit 4 ;;			# VIRQLAB_QEMU_EXIT_SKIP
124)
	echo "run-guest-qemu: --timeout $timeout s expired" >&2
	exit 124
	;;
0)
	echo "run-guest-qemu: the guest stopped without a verdict (triple fault or reset)" >&2
	exit 3
	;;
*)
	echo "run-guest-qemu: qemu-system-x86_64 failed (exit $rc)" >&2
	exit 3
	;;
esac
